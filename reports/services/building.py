"""Building a learner's activity report from verification data.

`report_activity_build` recomputes, from scratch, everything one learner's report on one
activity shows: one row per instrument (levels rule 4), one row per assessment session (rule
5), the report's levels (rule 6), its JSON summary and each instrument's audit trail. It reads
only that learner's requests in that activity (a fixed number of queries, time linear in their
number), so it can run after every provider answer and a full rebuild of an activity is
linear in its requests. `histograms_rebuild` recounts histograms from the stored results for
`rebuild_reports`.
"""

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Floor, Greatest, Least
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


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


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


def _levels_of(row) -> levels.Levels:
    return tuple(getattr(row, name) for name in LEVEL_FIELDS)


def report_activity_build(*, learner: Learner, activity: Activity) -> ReportActivity:
    """(Re)build the learner's report on the activity from all their verification data."""
    now = timezone.now()
    requests = {
        row["id"]: row
        for row in Request.objects.filter(learner=learner, activity=activity)
        .order_by("id")
        .values("id", "session_id", "status", "created_at", "metadata", "error_message")
    }
    results = list(
        RequestResult.objects.filter(request__learner=learner, request__activity=activity)
        .order_by("request_id", "instrument_id")
        .values(
            "request_id",
            "instrument_id",
            "status",
            "result",
            "code",
            "error_message",
            "message_code",
        )
    )
    answers = list(
        RequestProviderResult.objects.filter(request__learner=learner, request__activity=activity)
        .order_by("request_id", "provider_id")
        .values("request_id", "provider_id", "status", "result", "code", "audit", "error_message")
    )
    instrument_ids = {row["instrument_id"] for row in results}
    resolved = activity_learner_instruments(activity=activity, learner=learner)
    instruments = Instrument.objects.in_bulk(
        instrument_ids | {row.instrument_id for row in resolved}
    )
    providers = Provider.objects.in_bulk({row["provider_id"] for row in answers})
    enrolments = {
        row.provider_id: row
        for row in Enrolment.objects.filter(learner=learner, provider_id__in=list(providers))
    }
    sessions = list(
        AssessmentSession.objects.filter(learner=learner, activity=activity).order_by("id")
    )
    alerts = list(
        Alert.objects.filter(learner=learner, activity=activity)
        .order_by("raised_at", "id")
        .values("id", "session_id", "level", "message_code", "raised_at", "data")
    )

    report, _ = ReportActivity.objects.get_or_create(learner=learner, activity=activity)

    results_by_instrument = defaultdict(list)
    for row in results:
        results_by_instrument[row["instrument_id"]].append(row)
    answers_by_request = defaultdict(list)
    for row in answers:
        answers_by_request[row["request_id"]].append(row)

    # Instrument rows.
    existing = {row.instrument_id: row for row in report.detail.all()}
    to_create, to_update = [], []
    instrument_levels = []
    for instrument_id in sorted(instrument_ids):
        instrument = instruments[instrument_id]
        rows = results_by_instrument[instrument_id]
        used_providers = sorted(
            {
                answer["provider_id"]
                for row in rows
                for answer in answers_by_request[row["request_id"]]
                if providers[answer["provider_id"]].instrument_id == instrument_id
            }
        )
        percentages = [
            float(enrolments[pk].percentage) for pk in used_providers if pk in enrolments
        ]
        computed = levels.instrument_report(
            [levels.RequestOutcome(row["status"], row["result"], row["code"]) for row in rows],
            covers=instrument_covers(instrument),
            requires_enrolment=instrument.requires_enrolment,
            enrolment=min(percentages) if percentages else None,
        )
        instrument_levels.append(computed.levels)
        row = existing.pop(instrument_id, None)
        if row is None:
            row = ReportActivityInstrument(report=report, instrument=instrument, created_at=now)
            to_create.append(row)
        else:
            to_update.append(row)
        row.result, row.confidence, row.enrolment = (
            computed.result,
            computed.confidence,
            computed.enrolment,
        )
        _set_levels(row, computed.levels)
        row.updated_at = now
        row.audit_data = _audit(
            rows=rows,
            requests=requests,
            answers_by_request=answers_by_request,
            providers={pk: providers[pk] for pk in used_providers},
            enrolments=enrolments,
        )
    ReportActivityInstrument.objects.bulk_create(to_create)
    ReportActivityInstrument.objects.bulk_update(
        to_update,
        ["result", "confidence", "enrolment", *LEVEL_FIELDS, "audit_data", "updated_at"],
    )
    if existing:
        # Instruments whose requests are gone (deleted data) leave the report.
        ReportActivityInstrument.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()

    # Session rows.
    learner_covers = tuple(
        any(instrument_covers(row.instrument)[index] for row in resolved) for index in range(3)
    )
    existing_sessions = {row.session_id: row for row in report.sessions.all()}
    session_levels, session_items = [], []
    to_create, to_update = [], []
    for session in sessions:
        session_requests = [row for row in requests.values() if row["session_id"] == session.pk]
        session_alerts = [alert for alert in alerts if alert["session_id"] == session.pk]
        values = levels.session_levels(
            [alert["level"] for alert in session_alerts], covers=learner_covers
        )
        session_levels.append(values)
        row = existing_sessions.pop(session.pk, None)
        if row is None or row.report_id != report.pk:
            row = ReportActivitySession(report=report, session=session, created_at=now)
            to_create.append(row)
        else:
            to_update.append(row)
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
        row.data = _session_data(
            session=session,
            session_requests=session_requests,
            results=results,
            alerts=session_alerts,
            resolved_ids=[item.instrument_id for item in resolved],
        )
        session_items.append(
            {
                "id": session.pk,
                "total_requests": row.total_requests,
                "pending_requests": row.pending_requests,
                "valid_requests": row.valid_requests,
                "processed_requests": row.processed_requests,
                "created_at": _iso(session.started_at),
                "closed_at": _iso(session.closed_at),
                "identity_level": values[0],
                "content_level": values[1],
                "integrity_level": values[2],
                "data": row.data,
            }
        )
    ReportActivitySession.objects.bulk_create(to_create)
    ReportActivitySession.objects.bulk_update(
        to_update,
        [
            "total_requests",
            "valid_requests",
            "pending_requests",
            "processed_requests",
            "closed_at",
            *LEVEL_FIELDS,
            "data",
            "updated_at",
        ],
    )

    # The activity report.
    results_by_request = defaultdict(dict)
    for row in results:
        results_by_request[row["request_id"]][str(row["instrument_id"])] = {
            "status": row["status"],
            "result": row["result"],
        }
    documents = [
        {
            "id": request_id,
            "instruments": sorted(int(key) for key in results_by_request[request_id]),
            "results": results_by_request[request_id],
            "created_at": _iso(item["created_at"]),
        }
        for request_id, item in requests.items()
        if item["session_id"] is None
    ]
    _set_levels(report, levels.activity_levels(instrument_levels, session_levels))
    report.data = {"sessions": session_items, "documents": documents}
    report.save()
    return report


def _audit(*, rows, requests, answers_by_request, providers, enrolments) -> dict:
    """The audit trail of one instrument in a report: its providers and, per request, the
    instrument result and every provider's answer with the provider's own audit data."""
    return {
        "providers": {
            str(pk): {
                "id": pk,
                "acronym": provider.acronym,
                "name": provider.name,
                "enrolment_percentage": (
                    float(enrolments[pk].percentage) if pk in enrolments else None
                ),
            }
            for pk, provider in providers.items()
        },
        "requests": {
            str(row["request_id"]): {
                "id": row["request_id"],
                "created_at": _iso(requests[row["request_id"]]["created_at"]),
                "session": requests[row["request_id"]]["session_id"],
                "request_status": requests[row["request_id"]]["status"],
                "error_message": requests[row["request_id"]]["error_message"],
                "metadata": requests[row["request_id"]]["metadata"],
                "status": row["status"],
                "result": row["result"],
                "code": row["code"],
                "error_message_res": row["error_message"],
                "message_code": row["message_code"],
                "results": {
                    str(answer["provider_id"]): {
                        "status": answer["status"],
                        "result": answer["result"],
                        "code": answer["code"],
                        "error_message": answer["error_message"],
                        "audit": answer["audit"],
                    }
                    for answer in answers_by_request[row["request_id"]]
                    if answer["provider_id"] in providers
                },
            }
            for row in rows
        },
    }


def _session_data(*, session, session_requests, results, alerts, resolved_ids) -> dict:
    """The JSON summary of one assessment session: per instrument its totals, confidence,
    average result, level and the (time, result) series of that instrument only."""
    request_ids = {item["id"]: item for item in session_requests}
    per_instrument = defaultdict(list)
    for row in results:
        if row["request_id"] in request_ids:
            per_instrument[row["instrument_id"]].append(row)
    data = {}
    for instrument_id, rows in sorted(per_instrument.items()):
        processed = [row for row in rows if row["status"] == ResultStatus.PROCESSED]
        codes = [row["code"] for row in processed]
        data[str(instrument_id)] = {
            "total": len(rows),
            "valid": len(processed),
            "confidence": len(processed) / len(rows),
            "result": sum(row["result"] for row in processed) / len(processed)
            if processed
            else 0.0,
            "code": levels.level_of_code(max(codes)) if codes else levels.LEVEL_PENDING,
            "requests": [
                [_iso(request_ids[row["request_id"]]["created_at"]), row["result"]]
                for row in processed
            ],
        }
    return {
        "session_id": session.pk,
        "instruments": sorted(set(resolved_ids)),
        "alerts": [
            {
                "id": alert["id"],
                "level": alert["level"],
                "message_code": alert["message_code"],
                "raised_at": _iso(alert["raised_at"]),
                "data": alert["data"],
            }
            for alert in alerts
        ],
        "data": data,
    }


def _bin_expression():
    return Greatest(Least(Floor(F("result") * 10), 9), 0)


def _recount(model, keys: list[str], queryset: QuerySet, scope: Q) -> None:
    """Replace the histograms of `model` within `scope` by counts of `queryset` (processed
    results, annotated with their bin) grouped by `keys`."""
    counts = defaultdict(lambda: [0] * 10)
    for row in queryset.annotate(bin=_bin_expression()).values(*keys, "bin").annotate(n=Count("pk")):
        counts[tuple(row[key] for key in keys)][int(row["bin"])] += row["n"]
    model.objects.filter(scope).delete()
    model.objects.bulk_create(
        model(**dict(zip([f"{key}_id" for key in keys], key_values, strict=True)),
              **{f"b{index}": value for index, value in enumerate(bins)})
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
