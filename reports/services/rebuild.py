"""Rebuilding reports from scratch (`manage.py rebuild_reports`)."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from institution.models import Learner
from reports.models import Request
from reports.services.building import histograms_rebuild, reports_activity_build
from reports.services.work import report_work_key
from tesla.models import Job
from vle.models import Activity, AssessmentSession

# Learners built together: one set of queries per chunk instead of per learner.
CHUNK = 200


def rebuild_scope(
    *,
    institution_id: int | None = None,
    course_id: int | None = None,
    activity_id: int | None = None,
    user_id: int | None = None,
) -> tuple[QuerySet[Activity], list[tuple[int, int]]]:
    """The activities in scope and the (learner, activity) pairs to build: every learner with
    verification data (requests or assessment sessions) in those activities, or only `user_id`."""
    activities = Activity.objects.all()
    if institution_id is not None:
        activities = activities.filter(course__vle__institution_id=institution_id)
    if course_id is not None:
        activities = activities.filter(course_id=course_id)
    if activity_id is not None:
        activities = activities.filter(pk=activity_id)
    activity_ids = list(activities.values_list("pk", flat=True))
    requests = Request.objects.filter(activity_id__in=activity_ids)
    sessions = AssessmentSession.objects.filter(activity_id__in=activity_ids)
    if user_id is not None:
        requests = requests.filter(learner_id=user_id)
        sessions = sessions.filter(learner_id=user_id)
    pairs = set(requests.values_list("learner_id", "activity_id").distinct())
    pairs |= set(sessions.values_list("learner_id", "activity_id").distinct())
    return activities, sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def reports_rebuild(
    *,
    institution_id: int | None = None,
    course_id: int | None = None,
    activity_id: int | None = None,
    user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, list[tuple[int, int, str]]]:
    """Recount the histograms of the scope, then rebuild every report in it, one transaction
    per report (a failure is reported and the rest goes on). Pending work for a rebuilt
    report is dropped unless it was queued again during the build.
    Returns (reports built, [(learner id, activity id, error)])."""
    activities, pairs = rebuild_scope(
        institution_id=institution_id,
        course_id=course_id,
        activity_id=activity_id,
        user_id=user_id,
    )
    learner_ids = sorted({learner_id for learner_id, _ in pairs})
    with transaction.atomic():
        histograms_rebuild(
            activity_ids=list(activities.values_list("pk", flat=True)) if user_id is None else [],
            learner_ids=learner_ids,
        )
    built, errors = 0, []
    total = len(pairs)
    if progress:
        progress(0, total)
    by_activity: dict[int, list[int]] = {}
    for learner_id, pair_activity_id in pairs:
        by_activity.setdefault(pair_activity_id, []).append(learner_id)
    done = 0
    for pair_activity_id, activity_learner_ids in by_activity.items():
        activity = Activity.objects.get(pk=pair_activity_id)
        for start in range(0, len(activity_learner_ids), CHUNK):
            chunk = activity_learner_ids[start : start + CHUNK]
            learners = list(
                Learner.objects.filter(pk__in=chunk).prefetch_related("send_assignments__category")
            )
            try:
                _build_chunk(activity=activity, learners=learners)
                built += len(learners)
            except Exception:  # retry one by one to isolate the failure
                for learner in learners:
                    try:
                        _build_chunk(activity=activity, learners=[learner])
                        built += 1
                    except Exception as error:  # report it and go on
                        errors.append((learner.pk, pair_activity_id, repr(error)))
            done += len(chunk)
            if progress:
                progress(done, total)
    return built, errors


def _build_chunk(*, activity: Activity, learners: list[Learner]) -> None:
    """Build some learners' reports in one transaction and drop their pending work, unless
    new work was queued during the build."""
    with transaction.atomic():
        keys = [
            report_work_key(learner_id=learner.pk, activity_id=activity.pk) for learner in learners
        ]
        versions = dict(Job.objects.filter(key__in=keys).values_list("key", "version"))
        reports_activity_build(activity=activity, learners=learners)
        for key, version in versions.items():
            Job.objects.filter(key=key, version=version).delete()
