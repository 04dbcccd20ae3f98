"""Reads of the Course Service, always scoped to one VLE, and the wire shapes the official
client parses (camelCase names, UTC datetimes ending in `Z`, `more` only when there is more).

Paging of courses and statements is by key, not offset: a `more` token is a signed record of
the original filters plus the sort key of the last row sent, so the next page neither skips
nor repeats rows when others are added meanwhile, and a token cannot be forged or altered."""

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tesla.errors import NotFound
from vle.content.models import Course, CourseSetting, CourseVersion, ImportJob, Statement
from vle.content.settings_catalogue import CATALOGUE, Setting
from vle.models import VLE

MORE_SALT = "vle.content.more"

COURSE_ORDERS = {
    "course_id_asc": ("course_id", False),
    "course_id_desc": ("course_id", True),
    "title_asc": ("title", False),
    "title_desc": ("title", True),
    "created_asc": ("created_at", False),
    "created_desc": ("created_at", True),
    "updated_asc": ("updated_at", False),
    "updated_desc": ("updated_at", True),
}
COURSE_FILTER_FIELDS = {"course_id": "course_id", "course_title": "title"}
DATETIME_FILTERS = {"created": "created_at", "updated": "updated_at"}


def wire_datetime(value: datetime | None) -> str | None:
    """UTC ISO 8601 with milliseconds and `Z`, as SCORM Cloud writes it."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 date and time (UTC when it names no zone), or None."""
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed and timezone.is_naive(parsed) else parsed


# --- lookups --------------------------------------------------------------------------------


def course_get(*, vle: VLE, course_id: str) -> Course:
    course = Course.objects.filter(vle=vle, course_id=course_id).first()
    if course is None:
        raise NotFound(f"Course '{course_id}' was not found.")
    return course


def course_version_get(*, course: Course, version: int | None = None) -> CourseVersion:
    """One version of the course; without a number, its latest."""
    versions = course.versions.all()
    found = (
        versions.order_by("-version").first()
        if version is None
        else versions.filter(version=version).first()
    )
    if found is None:
        raise NotFound(f"Version {version} of course '{course.course_id}' was not found.")
    return found


def import_job_get(*, vle: VLE, job_id: str) -> ImportJob:
    """A job of this VLE, while it is kept (a week after it finished)."""
    kept_since = timezone.now() - timedelta(days=settings.COURSE_IMPORT_JOB_KEEP_DAYS)
    job = None
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        pk = None
    if pk is not None:
        job = (
            ImportJob.objects.filter(vle=vle, pk=pk)
            .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=kept_since))
            .first()
        )
    if job is None:
        raise NotFound(f"Import job '{job_id}' was not found.")
    return job


# --- wire shapes ----------------------------------------------------------------------------


def course_body(
    course: Course,
    version: CourseVersion,
    *,
    tags: list[str],
    include_metadata: bool = False,
    include_registration_count: bool = False,
    of_version: bool = False,
) -> dict:
    """The spec's CourseSchema of a course as of `version` (its latest, unless `of_version`)."""
    stamps = version if of_version else course
    body = {
        "id": course.course_id,
        "title": version.title if of_version else (course.title or version.title),
        "xapiActivityId": version.xapi_activity_id or None,
        "created": wire_datetime(stamps.created_at),
        "updated": wire_datetime(stamps.updated_at),
        "version": version.version,
        "activityId": version.root_activity.get("externalIdentifier") or None,
        "courseLearningStandard": version.learning_standard,
        "tags": tags,
        "dispatched": False,
        "rootActivity": version.root_activity,
    }
    if include_registration_count:
        body["registrationCount"] = 0
    if include_metadata:
        body["metadata"] = {"keywords": [], **version.metadata}
    return {key: value for key, value in body.items() if value is not None}


def import_job_body(job: ImportJob) -> dict:
    """The spec's ImportJobResultSchema. While running, `message` tells how far it got."""
    body = {"jobId": str(job.pk), "status": job.status, "progress": job.progress}
    if job.status == ImportJob.Status.RUNNING:
        body["message"] = job.stage or "Waiting to start."
    elif job.message:
        body["message"] = job.message
    if job.result is not None:
        body["importResult"] = job.result
    elif job.status == ImportJob.Status.ERROR:
        body["importResult"] = {"parserWarnings": job.parser_warnings}
    return body


# --- courses list ---------------------------------------------------------------------------


@dataclass
class MoreToken:
    """The base of a dataclass of list filters that travels, signed, as a `more` paging
    token."""

    DATETIMES = ("since", "until")

    def dumps(self) -> str:
        data = {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in asdict(self).items()
        }
        return signing.dumps(data, salt=f"{MORE_SALT}.{type(self).__name__}", compress=True)

    @classmethod
    def loads(cls, token: str) -> Self:
        invalid = ValidationError({"more": ["This paging token is not valid."]})
        try:
            data = signing.loads(token, salt=f"{MORE_SALT}.{cls.__name__}")
            values = {item.name: data[item.name] for item in fields(cls)}
            for name in cls.DATETIMES:
                if values.get(name):
                    values[name] = datetime.fromisoformat(values[name])
            return cls(**values)
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise invalid from None


@dataclass
class CourseQuery(MoreToken):
    """The filters of a courses list, as carried from page to page in `more`."""

    since: datetime | None = None
    until: datetime | None = None
    datetime_filter: str = "updated"
    tags: list[str] = field(default_factory=list)
    filter: str = ""
    filter_by: str = "course_id"
    order_by: str = "created_desc"
    after: list | None = None


def _keyset(queryset: QuerySet, column: str, descending: bool, after: list | None) -> QuerySet:
    """Rows after (`column`, id) = `after`, in the order given."""
    if after is None:
        return queryset
    value, last_id = after
    if column.endswith("_at"):
        value = datetime.fromisoformat(value)
    beyond = "lt" if descending else "gt"
    return queryset.filter(
        Q(**{f"{column}__{beyond}": value}) | Q(**{column: value, f"id__{beyond}": last_id})
    )


def courses_list(*, vle: VLE, query: CourseQuery, page_size: int) -> tuple[list, str | None, int]:
    """One page of the VLE's courses (with their latest versions and tags preloaded), the
    `more` token of the next page (None on the last), and the total of the filtered list."""
    courses = Course.objects.filter(vle=vle)
    column = DATETIME_FILTERS[query.datetime_filter]
    if query.since:
        courses = courses.filter(**{f"{column}__gte": query.since})
    if query.until:
        courses = courses.filter(**{f"{column}__lte": query.until})
    if query.tags:
        courses = courses.filter(tags__name__in=query.tags).distinct()
    if query.filter:
        courses = courses.filter(
            **{f"{COURSE_FILTER_FIELDS[query.filter_by]}__icontains": query.filter}
        )
    total = courses.count()
    order_column, descending = COURSE_ORDERS[query.order_by]
    sign = "-" if descending else ""
    page = list(
        _keyset(courses, order_column, descending, query.after)
        .order_by(f"{sign}{order_column}", f"{sign}id")
        .annotate(
            latest_version_id=Subquery(
                CourseVersion.objects.filter(course=OuterRef("pk"))
                .order_by("-version")
                .values("id")[:1]
            )
        )
        .prefetch_related("tags")[: page_size + 1]
    )
    more = None
    if len(page) > page_size:
        page = page[:page_size]
        last = page[-1]
        value = getattr(last, order_column)
        query.after = [value.isoformat() if isinstance(value, datetime) else value, last.pk]
        more = query.dumps()
    versions = CourseVersion.objects.in_bulk([course.latest_version_id for course in page])
    return [(course, versions[course.latest_version_id]) for course in page], more, total


# --- settings -------------------------------------------------------------------------------


def settings_effective(
    *, course: Course, version: CourseVersion | None
) -> list[tuple[Setting, dict[str, Any]]]:
    """Every catalogue setting as seen at the course level (`version` None) or at a version's:
    id, effective value and where it comes from, and the value set at this very level."""
    rows = CourseSetting.objects.filter(course=course).filter(
        Q(version__isnull=True) | Q(version=version) if version else Q(version__isnull=True)
    )
    course_values: dict[str, str] = {}
    version_values: dict[str, str] = {}
    for row in rows:
        (version_values if row.version_id else course_values)[row.setting_id] = row.value
    items: list[tuple[Setting, dict[str, Any]]] = []
    for setting in CATALOGUE.values():
        own = version_values if version else course_values
        item = {"id": setting.id, "effectiveValue": setting.default}
        item["effectiveValueSource"] = "default"
        if setting.id in course_values:
            item.update(effectiveValue=course_values[setting.id], effectiveValueSource="course")
        if version and setting.id in version_values:
            item.update(effectiveValue=version_values[setting.id], effectiveValueSource="course")
        if setting.id in own:
            item["explicitValue"] = own[setting.id]
        items.append((setting, item))
    return items


# --- statements -----------------------------------------------------------------------------


@dataclass
class StatementQuery(MoreToken):
    """The filters of a statements list, as carried from page to page in `more`."""

    learner_id: str = ""
    since: datetime | None = None
    until: datetime | None = None
    after: list | None = None


def statements_list(
    *, course: Course, version: CourseVersion | None, query: StatementQuery, page_size: int
) -> tuple[list[dict], str | None]:
    """One page of a course's (or a version's) statements, newest stored first; `since` and
    `until` are inclusive bounds on `stored`."""
    statements = Statement.objects.filter(course=course)
    if version is not None:
        statements = statements.filter(version=version)
    if query.learner_id:
        statements = statements.filter(learner_id=query.learner_id)
    if query.since:
        statements = statements.filter(stored__gte=query.since)
    if query.until:
        statements = statements.filter(stored__lte=query.until)
    if query.after is not None:
        stored, last_id = query.after
        stored = datetime.fromisoformat(stored)
        statements = statements.filter(Q(stored__lt=stored) | Q(stored=stored, id__lt=last_id))
    page = list(statements.order_by("-stored", "-id")[: page_size + 1])
    more = None
    if len(page) > page_size:
        page = page[:page_size]
        query.after = [page[-1].stored.isoformat(), str(page[-1].pk)]
        more = query.dumps()
    return [statement_body(statement) for statement in page], more


OBJECT_KEYS = {
    "Activity": "objectActivity",
    "Agent": "objectAgentGroup",
    "Group": "objectAgentGroup",
    "StatementRef": "objectStatementReference",
    "SubStatement": "objectSubStatement",
}


def statement_body(statement: Statement) -> dict:
    """The statement as stored, plus the client's own key for its object (the official client
    models `object` as `objectActivity`, `objectAgentGroup`...; xAPI tools read `object`)."""
    body = dict(statement.statement)
    target = body.get("object")
    if isinstance(target, dict):
        body[OBJECT_KEYS.get(target.get("objectType") or "Activity", "objectActivity")] = target
    return body
