"""The URL parents of the VLE app, declared once; every view nested under them, in any app,
takes its chain from here.

- Institution tree (/api/v2/institution/{i}/...): a course of the institution, which grants
  the caller's course roles (COURSE_INSTRUCTOR, COURSE_LEARNER); an activity of that course;
  a course group.
- VLE tree (/api/v2/vle/{v}/...): the caller's own VLE, one of its courses, one of their
  activities.
- Global admin tree (/api/v2/admin/instrument/{i}/...): an instrument of the catalogue.
"""

from django.db.models import Exists, OuterRef, QuerySet

from institution.models import CourseGroup, InformedConsent
from institution.parents import INSTITUTION
from tesla.db import json_rows
from tesla.permissions import COURSE_INSTRUCTOR, COURSE_LEARNER
from tesla.principals import caller_module, institution_user_of, module_of
from tesla.viewsets import Parent
from vle import selectors
from vle.models import VLE, Activity, Course, Instrument

# Institution tree ---------------------------------------------------------------------------


def course_roles(request, obj, parents) -> set[str]:
    """For `Parent.grants`: COURSE_INSTRUCTOR / COURSE_LEARNER when the caller teaches or
    takes the URL's course (one query, asked only when the caller's other roles do not
    decide, so never for the institution admins allowed wherever a course role is)."""
    held = selectors.course_roles_of(course=parents["course"], person=institution_user_of(request))
    return {
        course_role
        for role, course_role in (
            (selectors.INSTRUCTOR, COURSE_INSTRUCTOR),
            (selectors.LEARNER, COURSE_LEARNER),
        )
        if role in held
    }


COURSE = Parent(
    "course",
    "course_pk",
    lambda request, p: Course.objects.filter(vle__institution=p["institution"]).select_related(
        "vle"
    ),
    grants=course_roles,
    compiled=True,
)
ACTIVITY = Parent(
    "activity",
    "activity_pk",
    lambda request, p: Activity.objects.filter(course=p["course"]),
    compiled=True,
)
GROUP = Parent(
    "group",
    "group_pk",
    lambda request, p: CourseGroup.objects.filter(institution=p["institution"]).select_related(
        "institution"
    ),
)

INSTITUTION_COURSE_PARENTS = (INSTITUTION, COURSE)
INSTITUTION_ACTIVITY_PARENTS = (INSTITUTION, COURSE, ACTIVITY)
GROUP_PARENTS = (INSTITUTION, GROUP)

# VLE tree -----------------------------------------------------------------------------------


def vles_of_caller(request, parents=None) -> QuerySet[VLE]:
    """The caller's own VLE (nothing for any other caller)."""
    module = module_of(request, "vle")
    return VLE.objects.filter(pk=module.pk if module is not None else None).select_related(
        "institution"
    )


# Built once (annotate() resolves a copy of it for each query), not on every request.
HAS_ENABLED_ACTIVITY = Exists(Activity.objects.filter(course_id=OuterRef("pk"), enabled=True))


def with_enabled_flag(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Courses with `has_enabled_activity`, the `enabled` of their representation (also where
    they are nested as an activity's parent)."""
    return courses.annotate(has_enabled_activity=HAS_ENABLED_ACTIVITY)


VLE_PARENT = Parent("vle", "vle_pk", vles_of_caller, known=caller_module("vle"))
# Through the VLE's related managers: each course's `vle` is the VLE the token loaded (with its
# institution), and each activity's course the course found, so nothing is joined again.
VLE_COURSE = Parent(
    "course",
    "course_pk",
    lambda request, p: with_enabled_flag(p["vle"].courses.all()),
    compiled=True,
)
VLE_ACTIVITY = Parent(
    "activity",
    "activity_pk",
    lambda request, p: p["course"].activities.filter(vle=p["vle"]),
    compiled=True,
)


def with_consent_versions(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Courses with `consent_versions`: their institution's informed consent versions, as JSON
    rows, so a list that judges each learner's consent against the current version needs no
    query of its own for it (`CurrentConsentContext`)."""
    return courses.annotate(
        consent_versions=json_rows(
            InformedConsent.objects.all(),
            "institution__vles__courses",
            id="id",
            version="version",
            valid_from="valid_from",
        )
    )


VLE_COURSE_WITH_CONSENTS = Parent(
    "course",
    "course_pk",
    lambda request, p: with_consent_versions(VLE_COURSE.queryset(request, p)),
    compiled=True,
)

VLE_PARENTS = (VLE_PARENT,)
COURSE_PARENTS = (VLE_PARENT, VLE_COURSE)
# The course's learners: the course comes with its institution's consent versions.
COURSE_LEARNER_PARENTS = (VLE_PARENT, VLE_COURSE_WITH_CONSENTS)
ACTIVITY_PARENTS = (VLE_PARENT, VLE_COURSE, VLE_ACTIVITY)

# Global admin tree --------------------------------------------------------------------------

INSTRUMENT_PARENTS = (
    Parent("instrument", "instrument_pk", lambda request, p: Instrument.objects.all()),
)
