"""Reads about verification and reports that need more than a filter."""

from collections import defaultdict

from django.db.models import Prefetch, QuerySet

from institution.models import Learner
from reports.models import (
    Alert,
    Enrolment,
    HistogramActivityInstrument,
    HistogramLearnerInstrument,
    Provider,
    ReportActivity,
    ReportActivityInstrument,
)
from vle.models import Activity
from vle.selectors import activity_learner_instruments


def _status_entry(instrument_id: int) -> dict:
    """An instrument without any enrolment model yet."""
    return {
        "instrument_id": instrument_id,
        "percentage__min": 0.0,
        "percentage__max": 0.0,
        "can_analyse__min": False,
        "can_analyse__max": False,
        "pending": [],
        "pending_contributions": 0.0,
        "not_validated": [],
        "not_validated_count": 0,
    }


def learner_enrolment_status(*, learner: Learner) -> list[dict]:
    """The learner's enrolment per instrument, aggregated over the models that the enabled
    providers of each instrument hold (anchor-core §1.9 `Learner.enrolment_status`).

    Percentages are fractions 0..1. Enrolment samples are not stored by this server (providers
    report their model's percentage directly), so `pending`, `not_validated` and their counts
    are always empty/zero; the keys stay for clients that read them."""
    per_instrument: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in Enrolment.objects.filter(
        learner=learner, provider__enabled=True, provider__instrument__isnull=False
    ).select_related("provider"):
        per_instrument[enrolment.provider.instrument_id].append(enrolment)
    status = []
    for instrument_id in sorted(per_instrument):
        rows = per_instrument[instrument_id]
        entry = _status_entry(instrument_id)
        entry.update(
            {
                "percentage__min": float(min(row.percentage for row in rows)),
                "percentage__max": float(max(row.percentage for row in rows)),
                "can_analyse__min": all(row.can_analyse for row in rows),
                "can_analyse__max": any(row.can_analyse for row in rows),
            }
        )
        status.append(entry)
    return status


def learner_missing_enrolments(*, learner: Learner, activity: Activity) -> dict:
    """Whether the learner lacks an enrolment model the activity needs (anchor-core §1.9).

    `{"missing_enrolments": bool, "instruments": {instrument_id: status entry}, "activity_id",
    "learner_id"}`. Only an enabled activity can miss anything. Among the instruments that
    watch the learner (SEND alternatives applied), one that requires enrolment is missing when
    no enabled provider holds a model able to analyse; missing ones get a zeroed entry, and
    instruments with a model appear with their status too."""
    instruments: dict[int, dict] = {}
    missing = False
    if activity.enabled:
        status = {entry["instrument_id"]: entry for entry in learner_enrolment_status(learner=learner)}
        for row in activity_learner_instruments(activity=activity, learner=learner):
            entry = status.get(row.instrument_id)
            if row.instrument.requires_enrolment and (
                entry is None or not entry["can_analyse__max"]
            ):
                missing = True
                entry = entry or _status_entry(row.instrument_id)
            if entry is not None:
                instruments[row.instrument_id] = entry
    return {
        "missing_enrolments": missing,
        "instruments": instruments,
        "activity_id": activity.pk,
        "learner_id": str(learner.learner_id),
    }


def activity_reports(*, activity: Activity) -> QuerySet[ReportActivity]:
    """The learners' reports on an activity, ready for a list: learner identity and the
    instrument rows (with their instrument) fetched in a fixed number of queries."""
    return (
        ReportActivity.objects.filter(activity=activity)
        .select_related("learner__institution_user__user", "activity")
        .prefetch_related(
            Prefetch(
                "detail",
                queryset=ReportActivityInstrument.objects.select_related("instrument").order_by(
                    "instrument_id"
                ),
            )
        )
    )


def report_context(*, report: ReportActivity) -> dict:
    """What a report's detail view needs beyond its rows, in a fixed number of queries:
    per instrument its learner and activity histograms (of *this* activity), its first enabled
    provider's thresholds and polarity, and whether the learner raised alerts."""
    instrument_ids = [row.instrument_id for row in report.detail.all()]
    learner_histograms = {
        row.instrument_id: row.bins
        for row in HistogramLearnerInstrument.objects.filter(
            learner_id=report.learner_id, instrument_id__in=instrument_ids
        )
    }
    activity_histograms = {
        row.instrument_id: row.bins
        for row in HistogramActivityInstrument.objects.filter(
            activity_id=report.activity_id, instrument_id__in=instrument_ids
        )
    }
    providers: dict[int, Provider] = {}
    for provider in Provider.objects.filter(instrument_id__in=instrument_ids).order_by(
        "-enabled", "id"
    ):
        providers.setdefault(provider.instrument_id, provider)
    has_alerts = Alert.objects.filter(
        learner_id=report.learner_id, activity_id=report.activity_id, level__gte=Alert.Level.WARNING
    ).exists()
    return {
        "learner_histograms": learner_histograms,
        "activity_histograms": activity_histograms,
        "providers": providers,
        "has_alerts": has_alerts,
    }
