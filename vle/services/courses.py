"""Courses: the ones a VLE keeps in step with TeSLA, and the course groups of an institution
that list them.

A `vle_course_id` is unique within its VLE: a course that takes one already in use is a 409
naming it, also when a concurrent request took it first (`vle.services.unique`).
"""

from typing import Any

from django.core.exceptions import ValidationError

from institution.models import CourseGroup, Institution
from tesla.services import model_update
from vle.models import VLE, Course
from vle.services.unique import taken, write_unique

COURSE_TAKEN = "This VLE already has a course with this vle_course_id."


def course_vle_course_id_taken(
    *, vle: VLE, vle_course_id: str, course: Course | None = None
) -> bool:
    """Whether another course of the VLE already uses this VLE course id."""
    others = Course.objects.filter(vle=vle, vle_course_id=vle_course_id)
    if course is not None:
        others = others.exclude(pk=course.pk)
    return others.exists()


def _course_taken() -> Exception:
    return taken(field="vle_course_id", message=COURSE_TAKEN)


def course_create(*, vle: VLE, **values: Any) -> Course:
    """A new course of the VLE. `vle_course_id` is unique within the VLE (409 otherwise)."""
    if course_vle_course_id_taken(vle=vle, vle_course_id=values["vle_course_id"]):
        raise _course_taken()
    return write_unique(lambda: Course.objects.create(vle=vle, **values), refusal=_course_taken())


def course_update(*, course: Course, **changes: Any) -> Course:
    """Change a course's own fields (its VLE never changes); only the given fields are
    written. A new `vle_course_id` must still be unique within the VLE."""
    if "vle_course_id" in changes and course_vle_course_id_taken(
        vle=course.vle, vle_course_id=changes["vle_course_id"], course=course
    ):
        raise _course_taken()
    write_unique(lambda: model_update(instance=course, data=changes), refusal=_course_taken())
    return course


# Course groups -------------------------------------------------------------------------------


def _course_of_institution(*, institution: Institution, course_id: Any, field: str) -> Course:
    course = Course.objects.filter(vle__institution=institution, pk=course_id).first()
    if course is None:
        raise ValidationError({field: ["Course not found in this institution."]})
    return course


def group_add_course(*, group: CourseGroup, course_id: int) -> Course:
    """Put an existing course of the group's institution in the group (nothing happens when
    it is already there)."""
    course = _course_of_institution(institution=group.institution, course_id=course_id, field="id")
    group.courses.add(course)
    return course


def group_relink_course(*, group: CourseGroup, course: Course, course_id: int) -> Course:
    """Replace `course` in the group by the course `course_id` of the same institution."""
    replacement = _course_of_institution(
        institution=group.institution, course_id=course_id, field="id"
    )
    if replacement.pk != course.pk:
        group.courses.remove(course)
        group.courses.add(replacement)
    return replacement


def group_remove_course(*, group: CourseGroup, course: Course) -> None:
    """Take the course out of the group; the course itself stays."""
    group.courses.remove(course)
