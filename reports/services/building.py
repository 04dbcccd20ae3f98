"""Building learners' activity reports from verification data.

`reports_activity_build` recomputes, from scratch, the numbers one learner's report on one
activity shows: one row per instrument (levels rule 4 of `reports.services.levels`), one row
per assessment session (rule 5) and the report's levels (rule 6). It reads only those
learners' requests in that activity, in a fixed number of queries whatever their number (a
rebuild passes chunks of learners, the work queue one), so building costs time linear in the
learner's requests and a full rebuild of an activity is linear in its requests.

The report's JSON summary and the audit trails are not stored: they are assembled from the
same rows when read (`reports.selectors.report_summary`, `report_instrument_audit`), so they
can never disagree with the data. `histograms_rebuild` recounts histograms from stored
results for `rebuild_reports`.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, F, FloatField, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Floor, Greatest, Least
from django.utils import timezone

from institution.models import Learner
from reports.models import (
    Alert,
    Enrolment,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    Provider,
    ReportActivity,
    ReportActivityInstrument,
    ReportActivitySession,
    Request,
    RequestProviderResult,
    RequestResult,
    RequestStatus,
    ResultStatus,
)
from reports.services import levels
from vle.models import Activity, AssessmentSession, Instrument
from vle.selectors import activity_learner_instruments

LEVEL_FIELDS = ("identity_level", "content_level", "integrity_level")
BULK_BATCH = 200


def instrument_covers(instrument: Instrument) -> tuple[bool, bool, bool]:
    """Which report dimensions an instrument speaks to: identity, content, integrity."""
    return (
        instrument.identity,
        instrument.originality or instrument.authorship,
        instrument.integrity,
    )


def _set_levels(row, values: levels.Levels) -> None:
    for name, value in zip(LEVEL_FIELDS, values, strict=True):
        setattr(row, name, value)


NUMBERS = (
    *LEVEL_FIELDS,
    "result",
    "confidence",
    "enrolment",
    "total_requests",
    "valid_requests",
    "pending_requests",
    "processed_requests",
    "closed_at",
)


def _numbers(row) -> tuple:
    """What a build may change in a report row (for skipping unchanged rows)."""
    return tuple(getattr(row, name, None) for name in NUMBERS)


def _save_new_reports(*, activity: Activity, reports: list[ReportActivity]) -> None:
    """Insert new reports (their rows refer to them). If a concurrent build inserted one of
    them first, take over that row instead: the levels computed here are written anyway."""
    if not reports:
        return
    try:
        with transaction.atomic():
            ReportActivity.objects.bulk_create(reports, batch_size=BULK_BATCH)
    except IntegrityError:
        for report in reports:
            stored, _ = ReportActivity.objects.get_or_create(
                learner_id=report.learner_id, activity=activity
            )
            report.pk, report.created_at = stored.pk, stored.created_at
            report._state.adding = False
        ReportActivity.objects.bulk_update(reports, [*LEVEL_FIELDS, "updated_at"])


def report_activity_build(*, learner: Learner, activity: Activity) -> ReportActivity | None:
    """(Re)build the learner's report on the activity from all their verification data.
    Without any data (requests, sessions, alerts) and no report yet, nothing is created."""
    return reports_activity_build(activity=activity, learners=[learner]).get(learner.pk)


def reports_activity_build(
    *, activity: Activity, learners: list[Learner]
) -> dict[int, ReportActivity]:
    """Build the reports of several learners of one activity with the same number of queries
    as one (rebuilds pass chunks of learners; the work queue passes one). Returns the reports
    by learner id; learners without any data and without a report get none."""
    now = timezone.now()
    learner_ids = [learner.pk for learner in learners]
    mine = {"activity": activity, "learner_id__in": learner_ids}
    theirs = {"request__activity": activity, "request__learner_id__in": learner_ids}

    requests: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in (
        Request.objects.filter(**mine)
        .order_by("id")
        .values("id", "learner_id", "session_id", "status")
    ):
        requests[row["learner_id"]][row["id"]] = row
    results: dict[int, list[dict]] = defaultdict(list)
    for row in (
        RequestResult.objects.filter(**theirs)
        .order_by("request_id", "instrument_id")
        .values(
            "request_id",
            "instrument_id",
            "status",
            "result",
            "code",
            learner=F("request__learner_id"),
        )
    ):
        results[row["learner"]].append(row)
    # Which providers answered each learner (for the enrolment column).
    answered: dict[int, set[int]] = defaultdict(set)
    for learner_id, provider_id in (
        RequestProviderResult.objects.filter(**theirs)
        .values_list("request__learner_id", "provider_id")
        .distinct()
    ):
        answered[learner_id].add(provider_id)
    instruments = Instrument.objects.in_bulk(
        {row["instrument_id"] for rows in results.values() for row in rows}
    )
    providers = Provider.objects.in_bulk(set().union(*answered.values()))
    enrolments = {
        (row.learner_id, row.provider_id): row
        for row in Enrolment.objects.filter(
            learner_id__in=learner_ids, provider_id__in=list(providers)
        )
    }
    sessions: dict[int, list[AssessmentSession]] = defaultdict(list)
    for session in AssessmentSession.objects.filter(**mine).order_by("id"):
        sessions[session.learner_id].append(session)
    alerts: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Alert.objects.filter(**mine)
        .order_by("raised_at", "id")
        .values("learner_id", "session_id", "level")
    ):
        alerts[row["learner_id"]].append(row)

    reports = {report.learner_id: report for report in ReportActivity.objects.filter(**mine)}
    existing_rows = {
        (row.report_id, row.instrument_id): row
        for row in ReportActivityInstrument.objects.filter(report__in=list(reports.values()))
    }
    existing_sessions = {
        row.session_id: row
        for row in ReportActivitySession.objects.filter(report__in=list(reports.values()))
    }
    # Only rows whose numbers change are written (a rebuild of unchanged data writes nothing).
    before = {
        id(row): _numbers(row)
        for row in [*reports.values(), *existing_rows.values(), *existing_sessions.values()]
    }
    for pk in learner_ids:
        if pk not in reports and (requests[pk] or sessions[pk] or alerts[pk]):
            reports[pk] = ReportActivity(learner_id=pk, activity=activity, created_at=now)

    rows_to_create, rows_to_update = [], []
    sessions_to_create, sessions_to_update = [], []
    by_learner = {learner.pk: learner for learner in learners}
    for learner_id, report in reports.items():
        learner_results = results[learner_id]
        learner_requests = requests[learner_id]

        # Instrument rows (levels rule 4).
        results_by_instrument = defaultdict(list)
        for row in learner_results:
            results_by_instrument[row["instrument_id"]].append(row)
        instrument_levels = []
        for instrument_id in sorted(results_by_instrument):
            instrument = instruments[instrument_id]
            rows = results_by_instrument[instrument_id]
            used_providers = sorted(
                pk for pk in answered[learner_id] if providers[pk].instrument_id == instrument_id
            )
            percentages = [
                float(enrolments[(learner_id, pk)].percentage)
                for pk in used_providers
                if (learner_id, pk) in enrolments
            ]
            computed = levels.instrument_report(
                [levels.RequestOutcome(row["status"], row["result"], row["code"]) for row in rows],
                covers=instrument_covers(instrument),
                requires_enrolment=instrument.requires_enrolment,
                enrolment=min(percentages) if percentages else None,
            )
            instrument_levels.append(computed.levels)
            row = existing_rows.pop((report.pk, instrument_id), None)
            if row is None:
                row = ReportActivityInstrument(report=report, instrument=instrument, created_at=now)
                rows_to_create.append(row)
            else:
                rows_to_update.append(row)
            row.result = computed.result
            row.confidence = computed.confidence
            row.enrolment = computed.enrolment
            _set_levels(row, computed.levels)
            row.updated_at = now

        # Session rows (levels rule 5). Which dimensions the learner's instruments cover is
        # only needed when there are sessions (it costs a query or two per learner).
        session_levels = []
        if sessions[learner_id]:
            resolved = activity_learner_instruments(
                activity=activity, learner=by_learner[learner_id]
            )
            learner_covers = tuple(
                any(instrument_covers(item.instrument)[index] for item in resolved)
                for index in range(3)
            )
        for session in sessions[learner_id]:
            session_requests = [
                item for item in learner_requests.values() if item["session_id"] == session.pk
            ]
            session_alerts = [
                alert for alert in alerts[learner_id] if alert["session_id"] == session.pk
            ]
            values = levels.session_levels(
                [alert["level"] for alert in session_alerts], covers=learner_covers
            )
            session_levels.append(values)
            row = existing_sessions.pop(session.pk, None)
            if row is None:
                row = ReportActivitySession(report=report, session=session, created_at=now)
                sessions_to_create.append(row)
            else:
                row.report = report
                sessions_to_update.append(row)
            row.total_requests = len(session_requests)
            row.valid_requests = sum(
                1 for item in session_requests if item["status"] == RequestStatus.PROCESSED
            )
            row.pending_requests = sum(
                1 for item in session_requests if item["status"] < RequestStatus.PROCESSED
            )
            row.processed_requests = row.total_requests - row.pending_requests
            row.closed_at = session.closed_at
            _set_levels(row, values)
            row.updated_at = now

        # The activity report (levels rule 6).
        _set_levels(report, levels.activity_levels(instrument_levels, session_levels))
        report.updated_at = now

    _save_new_reports(
        activity=activity, reports=[report for report in reports.values() if report.pk is None]
    )
    changed = [
        report
        for report in reports.values()
        if id(report) in before and before[id(report)] != _numbers(report)
    ]
    ReportActivity.objects.bulk_update(
        changed, [*LEVEL_FIELDS, "updated_at"], batch_size=BULK_BATCH
    )
    ReportActivityInstrument.objects.bulk_create(rows_to_create, batch_size=BULK_BATCH)
    ReportActivityInstrument.objects.bulk_update(
        [row for row in rows_to_update if before[id(row)] != _numbers(row)],
        ["result", "confidence", "enrolment", *LEVEL_FIELDS, "updated_at"],
        batch_size=BULK_BATCH,
    )
    if existing_rows:
        # Instruments whose requests are gone (deleted data) leave the report.
        ReportActivityInstrument.objects.filter(
            pk__in=[row.pk for row in existing_rows.values()]
        ).delete()
    ReportActivitySession.objects.bulk_create(sessions_to_create, batch_size=BULK_BATCH)
    ReportActivitySession.objects.bulk_update(
        [row for row in sessions_to_update if before[id(row)] != _numbers(row)],
        [
            "report",
            "total_requests",
            "valid_requests",
            "pending_requests",
            "processed_requests",
            "closed_at",
            *LEVEL_FIELDS,
            "updated_at",
        ],
        batch_size=BULK_BATCH,
    )
    return reports


def _bin_expression():
    """The histogram bin of a 0..1 result, in SQL: min(max(floor(result * 10), 0), 9)."""
    tenth = Floor(F("result") * Value(10.0), output_field=FloatField())
    return Cast(
        Greatest(Least(tenth, Value(9.0)), Value(0.0), output_field=FloatField()),
        IntegerField(),
    )


def _recount(model, keys: list[str], queryset: QuerySet, scope: Q) -> None:
    """Replace the histograms of `model` within `scope` by counts of `queryset` (processed
    results, annotated with their bin) grouped by `keys`."""
    counts = defaultdict(lambda: [0] * 10)
    for row in (
        queryset.annotate(bin=_bin_expression()).values(*keys, "bin").annotate(n=Count("pk"))
    ):
        counts[tuple(row[key] for key in keys)][int(row["bin"])] += row["n"]
    model.objects.filter(scope).delete()
    model.objects.bulk_create(
        model(
            **dict(zip([f"{key}_id" for key in keys], key_values, strict=True)),
            **{f"b{index}": value for index, value in enumerate(bins)},
        )
        for key_values, bins in counts.items()
    )


def histograms_rebuild(*, activity_ids: list[int], learner_ids: list[int]) -> None:
    """Recount the histograms of these activities and these learners from stored results."""
    processed = Q(status=ResultStatus.PROCESSED)
    summaries = RequestResult.objects.filter(processed)
    answers = RequestProviderResult.objects.filter(processed, provider__isnull=False)
    for start in range(0, len(activity_ids), 500):
        chunk = activity_ids[start : start + 500]
        _recount(
            HistogramActivityInstrument,
            ["activity", "instrument"],
            summaries.filter(request__activity_id__in=chunk).annotate(
                activity=F("request__activity_id")
            ),
            Q(activity_id__in=chunk),
        )
        _recount(
            HistogramActivityProvider,
            ["activity", "provider"],
            answers.filter(request__activity_id__in=chunk).annotate(
                activity=F("request__activity_id")
            ),
            Q(activity_id__in=chunk),
        )
    for start in range(0, len(learner_ids), 500):
        chunk = learner_ids[start : start + 500]
        _recount(
            HistogramLearnerInstrument,
            ["learner", "instrument"],
            summaries.filter(request__learner_id__in=chunk).annotate(
                learner=F("request__learner_id")
            ),
            Q(learner_id__in=chunk),
        )
        _recount(
            HistogramLearnerProvider,
            ["learner", "provider"],
            answers.filter(request__learner_id__in=chunk).annotate(
                learner=F("request__learner_id")
            ),
            Q(learner_id__in=chunk),
        )
