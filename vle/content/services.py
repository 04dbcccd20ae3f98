"""Writes and rules of the Course Service: import jobs and the import itself, versions,
titles, tags, configuration, assets and recorded statements.

Every function is keyword-only and raises Django's `ValidationError` naming the field (400)
or a `tesla.errors` refusal (404 NotFound, 409 Conflict, 413 TooLarge), which the API turns
into `{"message": ...}`. Stored files
go through Django's default storage, each version in its own folder; a file is removed from
storage only after the transaction that forgot it has committed.
"""

import json
import logging
import posixpath
import re
import tempfile
import unicodedata
import uuid
import zipfile
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from tesla import jobs
from tesla.errors import Conflict, NotFound, TooLarge
from vle.content import selectors
from vle.content.archive import CHUNK, Package, PackageError, package_open
from vle.content.fetch import FetchError, http_request, url_check_syntax
from vle.content.models import (
    Course,
    CourseFile,
    CourseSetting,
    CourseTag,
    CourseVersion,
    ImportJob,
    LearningStandard,
    Statement,
)
from vle.content.packages import (
    ActivityType,
    ParsedCourse,
    activity,
    course_parsed,
    package_parse,
)
from vle.content.settings_catalogue import SettingError, setting_clean, setting_get
from vle.models import VLE

logger = logging.getLogger(__name__)

IMPORT_TASK = "content.import_job_run"
POSTBACK_TASK = "content.import_job_postback"
POSTBACK_ATTEMPTS = 5
STORAGE_ROOT = "content"
# Ids that would collide with the service's own paths (/courses/importJobs, /courses/tags).
RESERVED_COURSE_IDS = {"importJobs", "tags", ".", ".."}
ZIP_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/x-zip",
    "application/octet-stream",
    "",
}
# Single files imported as a course of their own (SCORM Cloud's "media file" imports).
MEDIA_TYPES = {"application/pdf", "audio/mpeg", "audio/mp3", "video/mp4"}
POSTBACK_MAX_BYTES = 64 * 1024
MEDIA_NAME = re.compile(r"^[\w][\w .()-]{0,200}$")


def _message(field: str, text: str) -> ValidationError:
    return ValidationError({field: [text]})


# --- ids and paths --------------------------------------------------------------------------


def course_id_check(course_id: str) -> str:
    """A course id the caller may create: 1-255 characters that survive being percent-encoded
    into a URL path and decoded again (so no `/`, `\\`, control characters, or `.`/`..`),
    and not one of the service's own path words."""
    if not course_id or len(course_id) > 255:
        raise _message("courseId", "A course id has 1 to 255 characters.")
    if "/" in course_id or "\\" in course_id:
        raise _message("courseId", "A course id cannot contain '/' or '\\'.")
    if any(unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"} for char in course_id):
        raise _message("courseId", "A course id cannot contain control characters.")
    if course_id in RESERVED_COURSE_IDS or course_id != course_id.strip():
        raise _message("courseId", f"'{course_id}' cannot be used as a course id.")
    return course_id


def asset_path_check(destination: str) -> str:
    """A destination inside a version's folder, as a clean relative path."""
    path = (destination or "").replace("\\", "/")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or ".." in parts or path.endswith("/"):
        raise _message("destination", "The destination must be a file path inside the course.")
    if any(unicodedata.category(char) == "Cc" for char in path) or len(path) > 1000:
        raise _message("destination", "The destination has characters that are not allowed.")
    if posixpath.splitext(parts[0])[0] == "" and len(parts) == 1:
        raise _message("destination", "The destination must name a file.")
    return "/".join(parts)


def _storage_name(version: CourseVersion, path: str) -> str:
    return f"{version.storage_folder}/{path}"


def _storage_delete_after_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("Could not delete stored course file %s", name)

    transaction.on_commit(delete)


# --- import jobs ----------------------------------------------------------------------------


def import_job_create(
    *,
    vle: VLE,
    course_id: str,
    source: str,
    may_create_new_version: bool = False,
    postback_url: str = "",
    tags: list[str] | None = None,
    source_url: str = "",
    content_type: str = "",
    upload=None,
    media_metadata: dict | None = None,
) -> ImportJob:
    """Record an import of a package into `course_id` and queue it on the job engine.

    An existing course without `may_create_new_version` is a 409 now, not a failed job. An
    upload is staged in storage; a URL is checked for what can be checked without DNS (the
    job checks the rest when it fetches)."""
    course_id_check(course_id)
    if not may_create_new_version and Course.objects.filter(vle=vle, course_id=course_id).exists():
        raise Conflict(f"Course '{course_id}' exists and mayCreateNewVersion is false.")
    for field, url in (("url", source_url), ("postbackUrl", postback_url)):
        if url:
            try:
                url_check_syntax(url)
            except FetchError as error:
                raise _message(field, str(error)) from error
    job = ImportJob(
        vle=vle,
        course_id=course_id,
        may_create_new_version=may_create_new_version,
        source=source,
        source_url=source_url,
        content_type=content_type,
        media_metadata=media_metadata or {},
        tags=tags or [],
        postback_url=postback_url,
        stage="Queued.",
    )
    if upload is not None:
        if upload.size > settings.COURSE_UPLOAD_MAX_BYTES:
            raise TooLarge(f"The package is larger than {settings.COURSE_UPLOAD_MAX_BYTES} bytes.")
        job.original_filename = (upload.name or "package")[:500]
        job.upload_name = default_storage.save(
            f"{STORAGE_ROOT}/staging/{job.pk}/package", File(upload, name="package")
        )
    try:
        job.save()
        jobs.job_enqueue(task=IMPORT_TASK, args=[str(job.pk)], key=_job_key(job.pk))
    except Exception:
        if job.upload_name:
            default_storage.delete(job.upload_name)
        raise
    return job


def _job_key(job_id) -> str:
    return f"content.import:{job_id}"


def _job_progress(job: ImportJob, progress: int, stage: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        progress=progress, stage=stage, updated_at=timezone.now()
    )


def _job_fail(job: ImportJob, message: str, warnings: list[str] | None = None) -> None:
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.ERROR,
        message=message,
        parser_warnings=warnings or [],
        stage="",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def import_job_run(*, job_id: str) -> None:
    """Run one import job to its end (the task body). Safe to run twice: a job that is no
    longer RUNNING is left alone, and only the first run to finish records a version."""
    job = ImportJob.objects.filter(pk=job_id).select_related("vle").first()
    if job is None or job.status != ImportJob.Status.RUNNING:
        jobs.job_done(key=_job_key(job_id))
        return
    warnings: list[str] = []
    try:
        with tempfile.TemporaryFile() as package_file, tempfile.TemporaryFile() as inner_file:
            size, content_type = _job_obtain(job, package_file)
            version = _job_import(job, package_file, inner_file, size, content_type, warnings)
    except (PackageError, FetchError) as error:
        _job_fail(job, str(error), warnings)
    except Exception as error:  # an import must end, whatever the package did to the parser
        logger.exception("Import job %s failed", job.pk)
        _job_fail(job, f"The import failed unexpectedly ({error.__class__.__name__}).", warnings)
    else:
        logger.info("Import job %s made %s", job.pk, version)
    if job.upload_name:
        default_storage.delete(job.upload_name)
    with transaction.atomic():
        if job.postback_url:
            jobs.job_enqueue(task=POSTBACK_TASK, args=[str(job.pk)], key=_postback_key(job.pk))
        jobs.job_done(key=_job_key(job.pk))


def _job_obtain(job: ImportJob, target: IO[bytes]) -> tuple[int, str]:
    """Copy the package (staged upload or fetched URL) into `target`; size and content type."""
    if job.source == ImportJob.Source.MEDIA_REFERENCE:
        return 0, job.content_type
    _job_progress(job, 5, "Fetching the package." if job.source_url else "Reading the upload.")
    if job.source == ImportJob.Source.FETCH:
        fetched = http_request("GET", job.source_url, max_bytes=settings.COURSE_UPLOAD_MAX_BYTES)
        with fetched.file:
            for chunk in iter(lambda: fetched.file.read(CHUNK), b""):
                target.write(chunk)
        target.seek(0)
        return fetched.size, job.content_type or fetched.content_type
    size = 0
    with default_storage.open(job.upload_name, "rb") as staged:
        for chunk in iter(lambda: staged.read(CHUNK), b""):
            size += len(chunk)
            target.write(chunk)
    target.seek(0)
    return size, job.content_type


def _job_import(
    job: ImportJob,
    package_file: IO[bytes],
    inner_file: IO[bytes],
    size: int,
    content_type: str,
    warnings: list[str],
) -> CourseVersion:
    fallback_title = job.media_metadata.get("title") or job.original_filename or job.course_id
    folder = f"{STORAGE_ROOT}/{uuid.uuid4().hex}"
    written: list[tuple[str, int]] = []
    if job.source == ImportJob.Source.MEDIA_REFERENCE:
        parsed = _media_course(job.source_url, fallback_title)
    elif content_type.split(";")[0].strip().lower() in MEDIA_TYPES:
        filename = posixpath.basename(job.original_filename or job.source_url)
        if not MEDIA_NAME.match(filename):
            extension = posixpath.splitext(filename)[1]
            filename = "media" + (extension if re.match(r"^\.[A-Za-z0-9]{1,8}$", extension) else "")
        _job_progress(job, 20, "Storing the media file.")
        name = default_storage.save(f"{folder}/{filename}", File(package_file, name=filename))
        written.append((filename, size))
        if name != f"{folder}/{filename}":
            raise PackageError("The media file could not be stored under its name.")
        parsed = _media_course(filename, fallback_title)
    else:
        if content_type.split(";")[0].strip().lower() not in ZIP_TYPES:
            raise PackageError(
                f"Content type '{content_type}' cannot be imported; send a zip package or a "
                "pdf, mp3 or mp4 file."
            )
        _job_progress(job, 10, "Checking the package.")
        package = _package_unwrapped(
            package_open(package_file, archive_size=size), inner_file, warnings
        )
        parsed = package_parse(package, fallback_title=fallback_title)
        parsed.warnings = [*warnings, *parsed.warnings]
        warnings[:] = parsed.warnings
        names = package.names()
        total = max(sum(package.size(name) for name in names), 1)
        done = 0
        try:
            for index, name in enumerate(names):
                # Listed first, so a file that fails halfway through is removed too.
                written.append((name, 0))
                with package.open(name) as entry:
                    stored = default_storage.save(f"{folder}/{name}", File(entry, name=name))
                if stored != f"{folder}/{name}":
                    written.append((stored.removeprefix(f"{folder}/"), 0))
                    raise PackageError(f"'{name}' could not be stored under its name.")
                written[-1] = (name, package.size(name))
                done += package.size(name)
                if index % 50 == 0:
                    percent = 20 + int(70 * done / total)
                    _job_progress(job, percent, f"Extracting files ({index + 1}/{len(names)}).")
        except Exception:
            _storage_delete_now(folder, written)
            raise
    _job_progress(job, 95, "Recording the course.")
    try:
        return _job_record(job, folder, parsed, written, content_type)
    except Exception:
        _storage_delete_now(folder, written)
        raise


def _package_unwrapped(package: Package, inner_file: IO[bytes], warnings: list[str]) -> Package:
    """The package inside a zip whose only entry is a zip (a common double-zipped export),
    one level deep, checked like any package; else the package itself."""
    names = package.names()
    if len(names) != 1 or not names[0].lower().endswith(".zip"):
        return package
    with package.open(names[0]) as entry:
        for chunk in entry.chunks():
            inner_file.write(chunk)
    inner_file.seek(0)
    warnings.append(f"The package was the zip '{names[0]}' inside a zip; read from there.")
    return package_open(inner_file, archive_size=package.size(names[0]))


def _storage_delete_now(folder: str, written: list[tuple[str, int]]) -> None:
    for name, _size in written:
        try:
            default_storage.delete(f"{folder}/{name}")
        except OSError:
            logger.warning("Could not delete %s/%s", folder, name)


def _media_course(href: str, title: str) -> ParsedCourse:
    return course_parsed(
        standard=LearningStandard.UNKNOWN,
        title=title,
        identifier="media",
        kids=[activity(kind=ActivityType.ASSET, title=title, identifier="media_1", href=href)],
        metadata={"title": title},
        warnings=[],
    )


def _job_record(
    job: ImportJob,
    folder: str,
    parsed: ParsedCourse,
    written: list[tuple[str, int]],
    content_type: str,
) -> CourseVersion:
    """Make the version (and the course, the first time) and finish the job, atomically."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _job_record_once(job, folder, parsed, written, content_type)
        except IntegrityError:
            # Another import created the same course at the same moment: read it again.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _job_record_once(job, folder, parsed, written, content_type) -> CourseVersion:
    locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
    if locked is None or locked.status != ImportJob.Status.RUNNING:
        raise PackageError("The job was already finished by another worker.")
    course = Course.objects.select_for_update().filter(vle=job.vle, course_id=job.course_id).first()
    if course is not None and not job.may_create_new_version:
        raise PackageError(f"Course '{job.course_id}' exists and mayCreateNewVersion is false.")
    if course is None:
        with transaction.atomic():
            course = Course.objects.create(vle=job.vle, course_id=job.course_id, title=parsed.title)
        number = 0
    else:
        latest = course.versions.order_by("-version").values_list("version", flat=True).first()
        number = 0 if latest is None else latest + 1
        course.title = parsed.title
        course.save(update_fields=["title", "updated_at"])
    version = CourseVersion.objects.create(
        course=course,
        version=number,
        title=parsed.title,
        learning_standard=parsed.learning_standard,
        xapi_activity_id=parsed.xapi_activity_id,
        metadata=parsed.metadata,
        root_activity=parsed.root_activity,
        launch_path=parsed.launch_path,
        storage_folder=folder,
        content_type=content_type,
        reference_url=job.source_url if job.source == ImportJob.Source.MEDIA_REFERENCE else "",
        parser_warnings=parsed.warnings,
        languages=parsed.languages,
    )
    CourseFile.objects.bulk_create(
        CourseFile(version=version, path=path, size=size) for path, size in written
    )
    if job.tags:
        _tags_add(course, job.tags)
    tags = list(course.tags.values_list("name", flat=True))
    result = {
        "webPathToCourse": f"{folder}/",
        "parserWarnings": parsed.warnings,
        "courseLanguages": parsed.languages,
        "course": selectors.course_body(course, version, tags=tags, include_metadata=True),
    }
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.COMPLETE,
        progress=100,
        stage="",
        message="",
        parser_warnings=parsed.warnings,
        version=version,
        result=result,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return version


def _postback_key(job_id) -> str:
    return f"content.postback:{job_id}"


def import_job_postback(*, job_id: str) -> None:
    """Tell the VLE's postback URL how the job ended: the job status as JSON, POSTed with the
    same guards as fetches. A failed delivery is tried again by the outbox, at most
    POSTBACK_ATTEMPTS times."""
    key = _postback_key(job_id)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.postback_url:
        jobs.job_done(key=key)
        return
    body = json.dumps(selectors.import_job_body(job)).encode()
    try:
        http_request(
            "POST",
            job.postback_url,
            body=body,
            headers={"Content-Type": "application/json"},
            max_bytes=POSTBACK_MAX_BYTES,
        )
    except FetchError as error:
        logger.warning("Postback of import job %s failed: %s", job.pk, error)
        state = jobs.job_state(key=key)
        if state is None or state.attempts >= POSTBACK_ATTEMPTS:
            jobs.job_done(key=key)
        else:
            jobs.job_failed(key=key, error=error)
        return
    jobs.job_done(key=key)


def import_jobs_purge() -> int:
    """Forget jobs finished longer ago than they are kept. Returns how many."""
    limit = timezone.now() - timedelta(days=settings.COURSE_IMPORT_JOB_KEEP_DAYS)
    deleted, _ = ImportJob.objects.filter(finished_at__lt=limit).delete()
    return deleted


# --- courses and versions -------------------------------------------------------------------


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete a course with its versions, files, settings, tags and statements."""
    names = [
        _storage_name(file.version, file.path)
        for file in CourseFile.objects.filter(version__course=course).select_related("version")
    ]
    course.delete()
    _storage_delete_after_commit(names)


@transaction.atomic
def course_version_delete(*, version: CourseVersion) -> None:
    """Delete one version; deleting the last one deletes the course."""
    course = Course.objects.select_for_update().get(pk=version.course_id)
    if not course.versions.exclude(pk=version.pk).exists():
        course_delete(course=course)
        return
    names = [_storage_name(version, file.path) for file in version.files.all()]
    version.delete()
    course.save(update_fields=["updated_at"])
    _storage_delete_after_commit(names)


@transaction.atomic
def course_title_set(*, course: Course, title: str) -> None:
    """Rename the course (its versions keep the titles they were imported with)."""
    course.title = title
    course.save(update_fields=["title", "updated_at"])


# --- tags -----------------------------------------------------------------------------------


def _tags_clean(tags: list[str], field: str = "tags") -> list[str]:
    clean = []
    for tag in tags:
        tag = tag.strip()
        if not tag or len(tag) > 255:
            raise _message(field, "A tag has 1 to 255 characters.")
        clean.append(tag)
    return list(dict.fromkeys(clean))


def _tags_add(course: Course, tags: list[str]) -> None:
    CourseTag.objects.bulk_create(
        [CourseTag(course=course, name=tag) for tag in _tags_clean(tags)], ignore_conflicts=True
    )


@transaction.atomic
def course_tags_set(*, course: Course, tags: list[str]) -> None:
    """Replace the course's tags."""
    clean = _tags_clean(tags)
    course.tags.exclude(name__in=clean).delete()
    _tags_add(course, clean)
    course.save(update_fields=["updated_at"])


@transaction.atomic
def course_tags_remove(*, course: Course, tags: list[str]) -> None:
    """Remove these tags from the course (absent ones are no error)."""
    course.tags.filter(name__in=tags).delete()
    course.save(update_fields=["updated_at"])


@transaction.atomic
def course_tags_batch(*, vle: VLE, course_ids: list[str], tags: list[str]) -> None:
    """Add the tags to every course named; any unknown course id is a 404 and nothing changes."""
    ids = list(dict.fromkeys(course_ids))
    courses = list(Course.objects.filter(vle=vle, course_id__in=ids))
    missing = set(ids) - {course.course_id for course in courses}
    if missing:
        raise NotFound(f"Course '{sorted(missing)[0]}' was not found.")
    clean = _tags_clean(tags)
    CourseTag.objects.bulk_create(
        [CourseTag(course=course, name=tag) for course in courses for tag in clean],
        ignore_conflicts=True,
    )
    Course.objects.filter(pk__in=[course.pk for course in courses]).update(
        updated_at=timezone.now()
    )


# --- configuration --------------------------------------------------------------------------


@transaction.atomic
def course_settings_set(
    *, course: Course, version: CourseVersion | None, items: list[dict[str, Any]]
) -> None:
    """Set values at the course level (`version` None) or a version's. A value equal to what
    the level would inherit anyway is only stored when `explicit` is true."""
    cleaned = []
    for index, item in enumerate(items):
        try:
            value = setting_clean(item["settingId"], item["value"])
        except SettingError as error:
            raise _message(f"settings[{index}]", str(error)) from error
        cleaned.append((item["settingId"], value, bool(item.get("explicit"))))
    inherited = {
        item["id"]: item["effectiveValue"]
        for _setting, item in selectors.settings_effective(course=course, version=None)
    }
    for setting_id, value, explicit in cleaned:
        rows = CourseSetting.objects.filter(course=course, version=version, setting_id=setting_id)
        parent_value = inherited[setting_id] if version else setting_get(setting_id).default
        if value == parent_value and not explicit:
            rows.delete()
        elif not rows.update(value=value, updated_at=timezone.now()):
            CourseSetting.objects.create(
                course=course, version=version, setting_id=setting_id, value=value
            )
    course.save(update_fields=["updated_at"])


@transaction.atomic
def course_setting_delete(
    *, course: Course, version: CourseVersion | None, setting_id: str
) -> None:
    """Clear a value at this level: the setting falls back to the level above or its default."""
    try:
        setting_get(setting_id)
    except SettingError as error:
        raise _message("settingId", str(error)) from error
    CourseSetting.objects.filter(course=course, version=version, setting_id=setting_id).delete()


# --- assets ---------------------------------------------------------------------------------

ASSET_POLICIES = ("reject", "strict", "lax")


@transaction.atomic
def course_asset_store(
    *, version: CourseVersion, destination: str, content: IO[bytes], policy: str = "lax"
) -> str:
    """Store a file in the version's folder at `destination`: `reject` refuses to replace an
    existing file, `strict` refuses to add a new one, `lax` does either. Returns the path."""
    path = asset_path_check(destination)
    if policy not in ASSET_POLICIES:
        raise _message("updateAssetPolicy", f"Use one of {', '.join(ASSET_POLICIES)}.")
    existing = CourseFile.objects.select_for_update().filter(version=version, path=path).first()
    if existing is not None and policy == "reject":
        raise _message("destination", f"'{path}' already exists in this version.")
    if existing is None and policy == "strict":
        raise _message("destination", f"'{path}' does not exist in this version.")
    name = _storage_name(version, path)
    if existing is not None:
        default_storage.delete(name)
    stored = default_storage.save(name, File(content, name=posixpath.basename(path)))
    if stored != name:
        default_storage.delete(stored)
        raise _message("destination", f"'{path}' could not be stored under its name.")
    size = default_storage.size(stored)
    CourseFile.objects.update_or_create(version=version, path=path, defaults={"size": size})
    CourseVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now())
    Course.objects.filter(pk=version.course_id).update(updated_at=timezone.now())
    return path


@transaction.atomic
def course_asset_delete(*, version: CourseVersion, relative_path: str) -> None:
    """Remove one stored file of a version (a 404 when it has none at that path)."""
    path = asset_path_check(relative_path)
    deleted, _ = CourseFile.objects.filter(version=version, path=path).delete()
    if not deleted:
        raise NotFound(f"'{path}' is not in this version.")
    CourseVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now())
    _storage_delete_after_commit([_storage_name(version, path)])


def course_zip_build(*, version: CourseVersion) -> IO[bytes]:
    """The version's files as a zip in a temporary file (rewound; the caller closes it)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in version.files.all():
            with (
                default_storage.open(_storage_name(version, file.path), "rb") as source,
                archive.open(file.path, "w", force_zip64=True) as entry,
            ):
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    entry.write(chunk)
    target.seek(0)
    return target


def course_asset_open(*, version: CourseVersion, relative_path: str) -> IO[bytes]:
    """A stored file of the version, opened for reading (a 404 when it has none there)."""
    path = asset_path_check(relative_path)
    if not CourseFile.objects.filter(version=version, path=path).exists():
        raise NotFound(f"'{path}' is not in this version.")
    return default_storage.open(_storage_name(version, path), "rb")


def course_asset_fetch(*, url: str) -> IO[bytes]:
    """Download an asset from a URL (guarded like fetch imports); the caller closes it."""
    try:
        return http_request("GET", url, max_bytes=settings.COURSE_ASSET_MAX_BYTES).file
    except FetchError as error:
        raise _message("fetchUrl", str(error)) from error


# --- statements -----------------------------------------------------------------------------


def statement_record(
    *, course: Course, version: CourseVersion | None, statement: dict, learner_id: str = ""
) -> Statement:
    """Keep one xAPI statement of a course, filling in `id`, `timestamp`, `stored` and
    `version` as an LRS does. The statement must have an actor, a verb id and an object."""
    now = timezone.now()
    body = dict(statement)
    statement_id = uuid.UUID(str(body.get("id") or uuid.uuid4()))
    body["id"] = str(statement_id)
    body.setdefault("timestamp", selectors.wire_datetime(now))
    body["stored"] = selectors.wire_datetime(now)
    body.setdefault("version", "1.0.0")
    actor = body.get("actor") or {}
    target = body.get("object") or {}
    verb = (body.get("verb") or {}).get("id", "")
    if not verb or not isinstance(actor, dict) or not isinstance(target, dict):
        raise _message("statement", "A statement needs an actor, a verb id and an object.")
    registration = (body.get("context") or {}).get("registration")
    account_name = (actor.get("account") or {}).get("name", "")
    timestamp = selectors.parse_time(str(body["timestamp"])) or now
    return Statement.objects.create(
        id=statement_id,
        course=course,
        version=version,
        learner_id=learner_id or account_name or actor.get("mbox", ""),
        actor=actor,
        verb=verb,
        activity_id=target.get("id", ""),
        registration=_uuid_or_none(registration),
        statement=body,
        timestamp=timestamp,
        stored=now,
    )


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
