"""Reads for the institution side of the VLE app that need more than a filter: which courses a
caller sees and with which course roles, learner consent/SEND summaries for lists, and a
user's current activities.

(`vle/selectors.py` holds the reads shared with the VLE tree.)"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from institution.models import InformedConsent, Institution, InstitutionUser, Learner
from institution.selectors import consent_status, learner_ic_status
from vle.models import Activity, ActivityInstrument, Course
from vle.selectors import activity_learner_instruments

LEARNER = "LEARNER"
INSTRUCTOR = "INSTRUCTOR"


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


def learner_ic_status_for_list(learner: Learner, current: InformedConsent | None, now=None) -> str:
    """`learner_ic_status` for one row of a list, with the institution's current consent
    looked up once by the caller. `learner_ic_status` treats `current=None` as "not looked up
    yet" and would query again for every learner of an institution without a current consent;
    in that case the answer is the accepted version's status against no current version."""
    if current is None and learner.consent_id is not None:
        institution = learner.institution_user.institution
        if not institution.external_ic and learner.consent_rejected is None:
            return consent_status(learner.consent, None, now)
    return learner_ic_status(learner, current, now)


def learner_consent(learner: Learner, current: InformedConsent | None, now=None) -> dict | None:
    """The consent a learner accepted, `{version, status}`, or None without one."""
    if learner.consent_id is None:
        return None
    return {
        "version": learner.consent.version,
        "status": consent_status(learner.consent, current, now or timezone.now()),
    }


def course_learners(*, course: Course) -> QuerySet[Learner]:
    """The course's learners with what their list rows show, in a fixed number of queries."""
    return (
        Learner.objects.filter(courses=course)
        .select_related("institution_user__user", "institution_user__institution", "consent")
        .prefetch_related("send_assignments__category")
    )


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


class _PrefetchedConfiguration:
    """Stands in for `activity.configuration` with rows already loaded for a whole page, so
    `activity_learner_instruments` (which asks the manager for a fresh queryset) costs no
    query per activity. It supports exactly the calls that selector makes."""

    def __init__(self, rows: list[ActivityInstrument]):
        self._rows = rows

    def select_related(self, *fields: str) -> "_PrefetchedConfiguration":
        return self

    def order_by(self, *fields: str) -> list[ActivityInstrument]:
        return sorted(self._rows, key=lambda row: row.pk)


class _ActivityRows:
    def __init__(self, activity: Activity):
        self.pk = activity.pk
        self.configuration = _PrefetchedConfiguration(list(activity.configuration.all()))


def learner_instruments_of_page(
    *, activities: list[Activity], learner: Learner | None, now=None
) -> dict[int, list[ActivityInstrument]]:
    """For each activity of a page (from `user_current_activities`) the instruments that
    watch `learner` there (`activity_learner_instruments`), or [] where they are not one of
    its learners. Costs one query for the learner's SEND, whatever the page size."""
    resolved: dict[int, list[ActivityInstrument]] = {}
    if learner is not None:
        # learner_send() reads learner.send_assignments.all(): load them once for the page.
        learner = (
            Learner.objects.filter(pk=learner.pk)
            .prefetch_related("send_assignments__category")
            .first()
        )
    for activity in activities:
        if learner is None or not getattr(activity, "person_is_learner", False):
            resolved[activity.pk] = []
            continue
        resolved[activity.pk] = activity_learner_instruments(
            activity=_ActivityRows(activity), learner=learner, now=now
        )
    return resolved
