"""Reads of the VLE app that need more than a filter: which instruments watch a learner in an
activity, which courses a caller sees and with which course roles, learner consent summaries
for lists, and a user's current activities."""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from institution.models import Institution, InstitutionUser, Instructor, Learner
from institution.selectors import (
    consent_status,
    current_informed_consent,
    learner_send,
    with_learner_details,
)
from tesla.precompiled import Lookup
from tesla.services import NOT_GIVEN
from vle.models import Activity, ActivityInstrument, Course

LEARNER = "LEARNER"
INSTRUCTOR = "INSTRUCTOR"


def activity_learner_instruments(
    *,
    activity: Activity,
    learner: Learner,
    rows: list[ActivityInstrument] | None = None,
    now=None,
) -> list[ActivityInstrument]:
    """The activity instruments that watch this learner.

    Active primary rows (no `alternative_to`) apply, except those whose instrument the
    learner's SEND disables; each of those is replaced by its active alternatives. Inactive
    primaries contribute nothing, not even their alternatives.

    `rows` is the activity's configuration when the caller has it loaded already (a page of
    activities with it prefetched); otherwise it is read here.
    """
    disabled = set(learner_send(learner, now)["send"]["disabled_instruments"])
    if rows is None:
        rows = _CONFIGURATION_OF.all(activity_id=activity.pk)
        for row in rows:
            row.activity = activity
    rows = sorted(rows, key=lambda row: row.pk)
    resolved = []
    for row in rows:
        if row.alternative_to_id is not None or not row.active:
            continue
        if row.instrument_id not in disabled:
            resolved.append(row)
            continue
        resolved.extend(
            alternative
            for alternative in rows
            if alternative.alternative_to_id == row.pk and alternative.active
        )
    return resolved


# An activity's instruments with their catalogue rows: read whenever a session opens and for
# every sample a learner sends, so its SQL is compiled once.
_CONFIGURATION_OF = Lookup(
    ActivityInstrument,
    lambda activity_id: ActivityInstrument.objects.filter(activity_id=activity_id).select_related(
        "instrument"
    ),
    activity_id=-1,
)


# Courses and course roles ------------------------------------------------------------------


def _is_learner_of(course_ref: str, person_pk: int | None) -> Exists:
    return Exists(
        Course.learners.through.objects.filter(course_id=OuterRef(course_ref), learner_id=person_pk)
    )


def _is_instructor_of(course_ref: str, person_pk: int | None) -> Exists:
    return Exists(
        Course.instructors.through.objects.filter(
            course_id=OuterRef(course_ref), instructor_id=person_pk
        )
    )


def courses_of_institution(
    *, institution: Institution, person: InstitutionUser | None, own_only: bool
) -> QuerySet[Course]:
    """The institution's courses, each annotated with whether `person` is one of its learners
    (`is_learner`) or instructors (`is_instructor`). With `own_only`, just those courses."""
    pk = person.pk if person is not None else None
    courses = (
        Course.objects.filter(vle__institution=institution)
        .select_related("vle__institution")
        .annotate(is_learner=_is_learner_of("pk", pk), is_instructor=_is_instructor_of("pk", pk))
    )
    if own_only:
        courses = courses.filter(Q(is_learner=True) | Q(is_instructor=True))
    return courses


def course_user_roles(course: Course) -> list[str]:
    """LEARNER and/or INSTRUCTOR, from the annotations of `courses_of_institution`."""
    roles = []
    if getattr(course, "is_learner", False):
        roles.append(LEARNER)
    if getattr(course, "is_instructor", False):
        roles.append(INSTRUCTOR)
    return roles


def course_roles_of(*, course: Course, person: InstitutionUser | None) -> set[str]:
    """The person's roles in one course: LEARNER and/or INSTRUCTOR (one query)."""
    if person is None:
        return set()
    flags = (
        Course.objects.filter(pk=course.pk)
        .annotate(
            is_learner=_is_learner_of("pk", person.pk),
            is_instructor=_is_instructor_of("pk", person.pk),
        )
        .values("is_learner", "is_instructor")
        .first()
    ) or {}
    return {
        role
        for role, held in (
            (LEARNER, flags.get("is_learner")),
            (INSTRUCTOR, flags.get("is_instructor")),
        )
        if held
    }


def learner_consent(learner: Learner, current: Any = NOT_GIVEN, now=None) -> dict | None:
    """The consent a learner accepted, `{version, status}`, or None without one. `current` is
    the institution's current consent when the caller looked it up already (None: it has
    none)."""
    accepted = learner.consent if learner.consent_id is not None else None
    if accepted is None:
        return None
    if current is NOT_GIVEN:
        current = current_informed_consent(learner.institution_user.institution_id, now)
    return {
        "version": accepted.version,
        "status": consent_status(accepted, current, now or timezone.now()),
    }


def course_learners(*, course: Course) -> QuerySet[Learner]:
    """The course's learners with what their list rows show, in a fixed number of queries."""
    return with_learner_details(Learner.objects.filter(courses=course))


def course_instructors(*, course: Course) -> QuerySet[Instructor]:
    """The course's instructors with the person their rows show."""
    return Instructor.objects.filter(courses=course).select_related("institution_user__user")


def user_current_activities(
    *, institution: Institution, person: InstitutionUser, now=None
) -> QuerySet[Activity]:
    """Enabled activities of the institution's courses where `person` is a learner or an
    instructor and whose start/end window (open when null) contains now. Each activity is
    annotated with `person_is_learner`/`person_is_instructor` for its course and comes with
    its course, VLE and configuration loaded."""
    now = now or timezone.now()
    return (
        Activity.objects.filter(course__vle__institution=institution, enabled=True)
        .filter(Q(start__isnull=True) | Q(start__lte=now), Q(end__isnull=True) | Q(end__gte=now))
        .annotate(
            person_is_learner=_is_learner_of("course_id", person.pk),
            person_is_instructor=_is_instructor_of("course_id", person.pk),
        )
        .filter(Q(person_is_learner=True) | Q(person_is_instructor=True))
        .select_related("course__vle__institution")
        .prefetch_related(
            Prefetch(
                "configuration",
                queryset=ActivityInstrument.objects.select_related("instrument").order_by("id"),
            )
        )
    )


def learner_instruments_of_page(
    *, activities: list[Activity], learner: Learner | None, now=None
) -> dict[int, list[ActivityInstrument]]:
    """For each activity of a page (from `user_current_activities`) the instruments that
    watch `learner` there (`activity_learner_instruments`), or [] where they are not one of
    its learners. Costs one query for the learner's SEND, whatever the page size."""
    resolved: dict[int, list[ActivityInstrument]] = {}
    if learner is not None:
        # learner_send() reads learner.send_assignments.all(): load them once for the page.
        learner = with_learner_details(Learner.objects.filter(pk=learner.pk)).first()
    for activity in activities:
        if learner is None or not getattr(activity, "person_is_learner", False):
            resolved[activity.pk] = []
            continue
        resolved[activity.pk] = activity_learner_instruments(
            activity=activity, learner=learner, rows=list(activity.configuration.all()), now=now
        )
    return resolved
