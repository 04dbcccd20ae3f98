"""Course versions for preview tests, stored the way an import leaves them: rows for the
course, version and files, and the files in Django's storage under the version's folder."""

import itertools
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from vle.content.models import Course, CourseFile, CourseVersion

_seq = itertools.count(1)


def stored_version(
    vle,
    *,
    standard: str,
    files: dict[str, bytes | str],
    root_activity: dict | None = None,
    launch_path: str = "index.html",
    course: Course | None = None,
    xapi_activity_id: str = "",
) -> CourseVersion:
    """A version of `course` (or of a new course of `vle`) holding `files`."""
    n = next(_seq)
    if course is None:
        course = Course.objects.create(vle=vle, course_id=f"course-{n}", title=f"Course {n}")
    number = course.versions.count()
    version = CourseVersion.objects.create(
        course=course,
        version=number,
        title=course.title,
        learning_standard=standard,
        launch_path=launch_path,
        root_activity=root_activity
        or {
            "activityType": "AGGREGATION",
            "title": course.title,
            "children": [{"activityType": "SCO", "itemIdentifier": "item-1", "href": launch_path}],
        },
        storage_folder=f"content/test/{uuid.uuid4().hex}",
        xapi_activity_id=xapi_activity_id,
    )
    for path, data in files.items():
        raw = data.encode() if isinstance(data, str) else data
        default_storage.save(f"{version.storage_folder}/{path}", ContentFile(raw))
        CourseFile.objects.create(version=version, path=path, size=len(raw))
    return version
