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
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, models, transaction
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
    ResultStatus,
)
from reports.services import compute, levels
from vle.models import Activity, AssessmentSession, Instrument
from vle.selectors import activity_learner_instruments

LEVEL_FIELDS = ("identity_level", "content_level", "integrity_level")
BULK_BATCH = 200


def instrument_covers(instrument: Instrument) -> compute.Covers:
    """Which report dimensions an instrument speaks to: identity, content, integrity."""
    return (
        instrument.identity,
        instrument.originality or instrument.authorship,
        instrument.integrity,
    )


# What a build may change in a report row (rows whose numbers stay are not written).
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
INSTRUMENT_COLUMNS = ["result", "confidence", "enrolment", *LEVEL_FIELDS, "updated_at"]
SESSION_COLUMNS = [
    "report",
    "total_requests",
    "valid_requests",
    "pending_requests",
    "processed_requests",
    "closed_at",
    *LEVEL_FIELDS,
    "updated_at",
]


def _numbers(row: models.Model) -> tuple:
    return tuple(getattr(row, name, None) for name in NUMBERS)


def _set_levels(row: models.Model, values: levels.Levels) -> None:
    for name, value in zip(LEVEL_FIELDS, values, strict=True):
        setattr(row, name, value)


@dataclass
class _Loaded:
    """The build's input: each learner's facts, and the instruments and sessions their rows
    point to."""

    facts: dict[int, compute.LearnerFacts]
    instruments: dict[int, Instrument]
    sessions: dict[int, AssessmentSession]
    with_data: set[int]  # learners with requests, sessions or alerts


@dataclass
class _Stored:
    """The learners' stored reports and rows; `before` holds their numbers as loaded."""

    reports: dict[int, ReportActivity]
    instrument_rows: dict[tuple[int | None, int], ReportActivityInstrument]
    session_rows: dict[int, ReportActivitySession]
    before: dict[int, tuple] = field(default_factory=dict)

    def changed(self, row: models.Model) -> bool:
        return self.before.get(id(row)) != _numbers(row)


def _load_facts(*, activity: Activity, learners: list[Learner]) -> _Loaded:
    """Read the learners' verification data in the activity, in a fixed number of queries
    (plus one or two per learner with sessions, for what their instruments cover)."""
    learner_ids = [learner.pk for learner in learners]
    mine = {"activity": activity, "learner_id__in": learner_ids}
    theirs = {"request__activity": activity, "request__learner_id__in": learner_ids}

    requests: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
    for learner_id, session_id, status in (
        Request.objects.filter(**mine)
        .order_by("id")
        .values_list("learner_id", "session_id", "status")
    ):
        requests[learner_id].append((session_id, status))
    outcomes: dict[int, dict[int, list[levels.RequestOutcome]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for learner_id, instrument_id, status, result, code in (
        RequestResult.objects.filter(**theirs)
        .order_by("request_id", "instrument_id")
        .values_list("request__learner_id", "instrument_id", "status", "result", "code")
    ):
        outcomes[learner_id][instrument_id].append(levels.RequestOutcome(status, result, code))
    instruments = Instrument.objects.in_bulk(
        {pk for by_instrument in outcomes.values() for pk in by_instrument}
    )
    models = _models_by_instrument(activity=activity, learner_ids=learner_ids)
    sessions: dict[int, list[AssessmentSession]] = defaultdict(list)
    for session in AssessmentSession.objects.filter(**mine).order_by("id"):
        sessions[session.learner_id].append(session)
    alerts: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
    for learner_id, session_id, level in (
        Alert.objects.filter(**mine)
        .order_by("raised_at", "id")
        .values_list("learner_id", "session_id", "level")
    ):
        alerts[learner_id].append((session_id, level))

    facts = {}
    for learner in learners:
        pk = learner.pk
        facts[pk] = compute.LearnerFacts(
            outcomes=outcomes[pk],
            enrolments=models[pk],
            sessions=[
                compute.SessionFacts(
                    session.pk,
                    closed_at=session.closed_at,
                    request_statuses=[s for sid, s in requests[pk] if sid == session.pk],
                    alert_levels=[level for sid, level in alerts[pk] if sid == session.pk],
                )
                for session in sessions[pk]
            ],
            covers=_learner_covers(activity=activity, learner=learner)
            if sessions[pk]
            else (False, False, False),
        )
    return _Loaded(
        facts=facts,
        instruments=instruments,
        sessions={session.pk: session for rows in sessions.values() for session in rows},
        with_data={pk for pk in learner_ids if requests[pk] or sessions[pk] or alerts[pk]},
    )


def _models_by_instrument(
    *, activity: Activity, learner_ids: list[int]
) -> dict[int, dict[int, list[float]]]:
    """Per learner and instrument, how far (0..1) the learner's models with the providers
    that answered their requests in the activity are built."""
    answered: dict[int, set[int]] = defaultdict(set)
    for learner_id, provider_id in (
        RequestProviderResult.objects.filter(
            request__activity=activity, request__learner_id__in=learner_ids
        )
        .values_list("request__learner_id", "provider_id")
        .distinct()
    ):
        answered[learner_id].add(provider_id)
    providers = Provider.objects.in_bulk(set().union(*answered.values()))
    built = {
        (row.learner_id, row.provider_id): float(row.percentage)
        for row in Enrolment.objects.filter(
            learner_id__in=learner_ids, provider_id__in=list(providers)
        )
    }
    models: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for learner_id, provider_id in sorted(built):
        instrument_id = providers[provider_id].instrument_id
        if instrument_id is not None and provider_id in answered[learner_id]:
            models[learner_id][instrument_id].append(built[(learner_id, provider_id)])
    return models


def _learner_covers(*, activity: Activity, learner: Learner) -> compute.Covers:
    """The dimensions the learner's instruments in the activity cover together (SEND
    alternatives resolved)."""
    covers = [
        instrument_covers(row.instrument)
        for row in activity_learner_instruments(activity=activity, learner=learner)
    ]
    return (
        any(row[0] for row in covers),
        any(row[1] for row in covers),
        any(row[2] for row in covers),
    )


def _load_stored(*, activity: Activity, learner_ids: list[int]) -> _Stored:
    reports = {
        report.learner_id: report
        for report in ReportActivity.objects.filter(activity=activity, learner_id__in=learner_ids)
    }
    stored = _Stored(
        reports=reports,
        instrument_rows={
            (row.report_id, row.instrument_id): row
            for row in ReportActivityInstrument.objects.filter(report__in=list(reports.values()))
        },
        session_rows={
            row.session_id: row
            for row in ReportActivitySession.objects.filter(report__in=list(reports.values()))
        },
    )
    stored.before = {
        id(row): _numbers(row)
        for row in [
            *stored.reports.values(),
            *stored.instrument_rows.values(),
            *stored.session_rows.values(),
        ]
    }
    return stored


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


@dataclass
class _Writes:
    """The rows a build creates and the stored rows it touches."""

    instruments_new: list[ReportActivityInstrument] = field(default_factory=list)
    instruments_seen: list[ReportActivityInstrument] = field(default_factory=list)
    sessions_new: list[ReportActivitySession] = field(default_factory=list)
    sessions_seen: list[ReportActivitySession] = field(default_factory=list)


def _apply(
    *,
    report: ReportActivity,
    computed: compute.LearnerReport,
    loaded: _Loaded,
    stored: _Stored,
    writes: _Writes,
    now: datetime,
) -> None:
    """Set a learner's computed numbers on their report and its rows (new rows are made;
    the stored rows used are taken out of `stored`, so what is left there is stale)."""
    for instrument_id, values in computed.instruments.items():
        row = stored.instrument_rows.pop((report.pk, instrument_id), None)
        if row is None:
            row = ReportActivityInstrument(
                report=report, instrument=loaded.instruments[instrument_id], created_at=now
            )
            writes.instruments_new.append(row)
        else:
            writes.instruments_seen.append(row)
        row.result, row.confidence, row.enrolment = (
            values.result,
            values.confidence,
            values.enrolment,
        )
        _set_levels(row, values.levels)
        row.updated_at = now
    for counts in computed.sessions:
        session_row = stored.session_rows.pop(counts.session_id, None)
        if session_row is None:
            session_row = ReportActivitySession(
                report=report, session=loaded.sessions[counts.session_id], created_at=now
            )
            writes.sessions_new.append(session_row)
        else:
            session_row.report = report
            writes.sessions_seen.append(session_row)
        session_row.total_requests = counts.total_requests
        session_row.valid_requests = counts.valid_requests
        session_row.pending_requests = counts.pending_requests
        session_row.processed_requests = counts.processed_requests
        session_row.closed_at = counts.closed_at
        _set_levels(session_row, counts.levels)
        session_row.updated_at = now
    _set_levels(report, computed.levels)
    report.updated_at = now


def _save(*, activity: Activity, stored: _Stored, writes: _Writes) -> None:
    """Write what changed: new reports and rows, stored ones whose numbers moved; drop the
    instrument rows no request stands behind any more (deleted data)."""
    reports = stored.reports.values()
    _save_new_reports(
        activity=activity, reports=[report for report in reports if report.pk is None]
    )
    ReportActivity.objects.bulk_update(
        [report for report in reports if id(report) in stored.before and stored.changed(report)],
        [*LEVEL_FIELDS, "updated_at"],
        batch_size=BULK_BATCH,
    )
    ReportActivityInstrument.objects.bulk_create(writes.instruments_new, batch_size=BULK_BATCH)
    ReportActivityInstrument.objects.bulk_update(
        [row for row in writes.instruments_seen if stored.changed(row)],
        INSTRUMENT_COLUMNS,
        batch_size=BULK_BATCH,
    )
    if stored.instrument_rows:
        ReportActivityInstrument.objects.filter(
            pk__in=[row.pk for row in stored.instrument_rows.values()]
        ).delete()
    ReportActivitySession.objects.bulk_create(writes.sessions_new, batch_size=BULK_BATCH)
    ReportActivitySession.objects.bulk_update(
        [row for row in writes.sessions_seen if stored.changed(row)],
        SESSION_COLUMNS,
        batch_size=BULK_BATCH,
    )


def report_activity_build(*, learner: Learner, activity: Activity) -> ReportActivity | None:
    """(Re)build the learner's report on the activity from all their verification data.
    Without any data (requests, sessions, alerts) and no report yet, nothing is created."""
    return reports_activity_build(activity=activity, learners=[learner]).get(learner.pk)


def reports_activity_build(
    *, activity: Activity, learners: list[Learner]
) -> dict[int, ReportActivity]:
    """Build the reports of several learners of one activity with the same number of queries
    as one (rebuilds pass chunks of learners; the work queue passes one): load their data,
    compute each report (`reports.services.compute`), save what changed. Returns the reports
    by learner id; learners without any data and without a report get none."""
    now = timezone.now()
    loaded = _load_facts(activity=activity, learners=learners)
    stored = _load_stored(activity=activity, learner_ids=[learner.pk for learner in learners])
    for learner in learners:
        if learner.pk in loaded.with_data and learner.pk not in stored.reports:
            stored.reports[learner.pk] = ReportActivity(
                learner_id=learner.pk, activity=activity, created_at=now
            )
    writes = _Writes()
    traits = {
        pk: compute.InstrumentTraits(instrument_covers(row), row.requires_enrolment)
        for pk, row in loaded.instruments.items()
    }
    for learner_id, report in stored.reports.items():
        computed = compute.learner_report(loaded.facts[learner_id], traits)
        _apply(
            report=report, computed=computed, loaded=loaded, stored=stored, writes=writes, now=now
        )
    _save(activity=activity, stored=stored, writes=writes)
    return stored.reports


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
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * 10)
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


# Per scope (activity or learner), its instrument histograms (counting processed instrument
# summaries) and its provider histograms (counting processed provider answers).
HISTOGRAMS_OF = {
    "activity": (HistogramActivityInstrument, HistogramActivityProvider),
    "learner": (HistogramLearnerInstrument, HistogramLearnerProvider),
}
REBUILD_CHUNK = 500


def histograms_rebuild(*, activity_ids: list[int], learner_ids: list[int]) -> None:
    """Recount the histograms of these activities and these learners from stored results."""
    processed = Q(status=ResultStatus.PROCESSED)
    summaries = RequestResult.objects.filter(processed)
    answers = RequestProviderResult.objects.filter(processed, provider__isnull=False)
    for scope, ids in (("activity", activity_ids), ("learner", learner_ids)):
        by_instrument, by_provider = HISTOGRAMS_OF[scope]
        for start in range(0, len(ids), REBUILD_CHUNK):
            chunk = ids[start : start + REBUILD_CHUNK]
            within = {f"request__{scope}_id__in": chunk}
            owner = {scope: F(f"request__{scope}_id")}
            for model, rows, kind in (
                (by_instrument, summaries, "instrument"),
                (by_provider, answers, "provider"),
            ):
                _recount(
                    model,
                    [scope, kind],
                    rows.filter(**within).annotate(**owner),
                    Q(**{f"{scope}_id__in": chunk}),
                )
