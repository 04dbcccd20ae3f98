"""Who learns and who teaches in a course: enrolling, swapping and unenrolling learners and
instructors, by the uid the institution knows them by.

One rule for both roles and both doors. The door is the `vle` argument of `course_enrol`:
- the VLE door (a VLE's plugin, on every page view, also concurrently) enrols the person with
  this uid, creating the role and, when unknown, the person first, as the institution allows
  (`vle.services.people.vle_person_for_uid`). It is idempotent: an existing role holder is
  only enrolled, their details kept.
- the institution door (an admin or an instructor of the course) enrols only someone who
  already holds the role in the institution (400 naming `uid` otherwise).
Enrolling someone already enrolled changes nothing; unenrolling leaves the person and the role.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

from institution.models import Instructor, Learner
from institution.selectors import with_learner_details
from tesla.errors import NotFound
from tesla.precompiled import Lookup
from vle import selectors
from vle.models import VLE, Course
from vle.services.people import vle_person_for_uid


@dataclass(frozen=True)
class CourseRole:
    """A role people hold in a course, and what enrolling in it touches."""

    name: str  # "learner" / "instructor", as in messages and URLs
    model: type[Model]  # the role row of an institution user
    course_members: str  # the course's relation to the role rows
    vle_creation_switch: str  # the institution flag that stops VLEs creating role rows
    of_course: Callable[..., QuerySet[Any]]  # the selector of a course's role rows

    def holders(self, *, institution_id: int) -> QuerySet[Any]:
        """The institution's role rows, with what their representation reads."""
        rows = self.model._default_manager.filter(institution_user__institution_id=institution_id)
        if self.model is Learner:
            return with_learner_details(cast("QuerySet[Learner]", rows))
        return rows.select_related("institution_user__user")

    def holder(self, *, institution_id: int, uid: str) -> Any:
        """The institution's role row with this uid, with what its representation reads, or
        None."""
        return self._holder_by_uid.first(institution_id=institution_id, uid=uid)

    @cached_property
    def _holder_by_uid(self) -> Lookup:
        # Every VLE enrol and every assessment session looks its person up: SQL compiled once.
        return Lookup(
            self.model,
            lambda institution_id, uid: (
                self.holders(institution_id=institution_id)
                .filter(institution_user__uid=uid)
                .order_by("pk")[:1]
            ),
            institution_id=-1,
            uid="\x00uid",
        )

    def members(self, course: Course) -> Any:
        """The course's role rows (a many-to-many manager)."""
        return getattr(course, self.course_members)


LEARNER = CourseRole(
    name="learner",
    model=Learner,
    course_members="learners",
    vle_creation_switch="disable_vle_learner_creation",
    of_course=selectors.course_learners,
)
INSTRUCTOR = CourseRole(
    name="instructor",
    model=Instructor,
    course_members="instructors",
    vle_creation_switch="disable_vle_instructor_creation",
    of_course=selectors.course_instructors,
)


def course_role_holder(*, course: Course, role: CourseRole, uid: str) -> Any:
    """The institution's role row (learner or instructor) with this uid, or a 400 naming
    `uid`."""
    holder = role.holder(institution_id=course.vle.institution_id, uid=uid)
    if holder is None:
        raise ValidationError({"uid": [f"No {role.name} with uid '{uid}' in this institution."]})
    return holder


def _vle_role_holder(*, role: CourseRole, vle: VLE, uid: str, **details: Any) -> Any:
    """The role row with this uid, created (with the person, when unknown) as the institution
    lets VLEs: its `disable_vle_<role>_creation` makes an unknown role holder a 404."""
    institution = vle.institution
    holder = role.holder(institution_id=institution.pk, uid=uid)
    if holder is not None:
        return holder
    if getattr(institution, role.vle_creation_switch):
        raise NotFound(f"{role.name.capitalize()} not found")
    member = vle_person_for_uid(vle=vle, uid=uid, role=role.name, **details)
    # get_or_create retries the read when a concurrent request created the row first.
    holder, _ = role.model._default_manager.get_or_create(institution_user=member)
    return holder


def course_enrol(
    *, course: Course, role: CourseRole, uid: str, vle: VLE | None = None, **details: Any
) -> Any:
    """Make the institution's person with this uid a learner or instructor (`role`) of the
    course, and return their role row.

    `vle` is the door: given, the VLE's enrol creates the role and the person when unknown
    (`details` are then first_name, last_name, email and locale); None, the institution's
    enrols only an existing role holder (400 otherwise)."""
    if vle is None:
        holder = course_role_holder(course=course, role=role, uid=uid)
    else:
        holder = _vle_role_holder(role=role, vle=vle, uid=uid, **details)
    # add() skips (and on PostgreSQL ignores conflicts on) rows that already exist.
    role.members(course).add(holder)
    return holder


def course_replace(*, course: Course, role: CourseRole, holder: Any, uid: str) -> Any:
    """Swap a learner or instructor of the course for the institution's one with this uid."""
    replacement = course_role_holder(course=course, role=role, uid=uid)
    if replacement.pk != holder.pk:
        role.members(course).remove(holder)
        role.members(course).add(replacement)
    return replacement


def course_unenrol(*, course: Course, role: CourseRole, holder: Any) -> None:
    """Remove a learner or instructor from the course; the person keeps the role elsewhere
    and a learner keeps their data (consent, SEND, reports)."""
    role.members(course).remove(holder)
