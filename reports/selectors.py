"""Reads about verification and reports that need more than a filter."""

import json
from collections import defaultdict
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from institution.models import Learner
from reports.models import (
    Alert,
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    HistogramActivityInstrument,
    HistogramLearnerInstrument,
    Provider,
    ReportActivity,
    ReportActivityInstrument,
    Request,
    RequestProviderResult,
    RequestResult,
    ResultStatus,
    SampleStatus,
)
from reports.services import levels
from tesla.db import json_rows
from tesla.precompiled import Lookup
from tesla.signing import signed_sample_url
from vle.models import Activity, Instrument
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

    Percentages are fractions 0..1. `pending` lists, per validating provider, what the valid
    samples no model holds yet will contribute (`pending_contributions`: their mean, at most
    1); `not_validated` lists, per provider, how many samples still wait for its validation
    (`not_validated_count`: their mean). Instruments with only pending samples appear too."""
    per_instrument: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in _MODELS_OF_LEARNER.all(learner_id=learner.pk):
        if enrolment.provider.instrument_id is not None:
            per_instrument[enrolment.provider.instrument_id].append(enrolment)
    validations = EnrolmentSampleValidation.objects.filter(
        sample__learner=learner, provider__enabled=True, provider__instrument__isnull=False
    ).values(provider_key=F("provider_id"), instrument_id=F("provider__instrument_id"))
    pending = defaultdict(list)
    for row in (
        validations.filter(status=SampleStatus.VALID, sample__models__isnull=True)
        .annotate(pending_contribution=Coalesce(Sum("contribution"), 0.0))
        .order_by("provider_key")
    ):
        pending[row["instrument_id"]].append(
            {"provider_id": row["provider_key"], **_without(row, "provider_key")}
        )
    waiting = defaultdict(list)
    for row in (
        validations.filter(
            status__in=[SampleStatus.VALIDATING, SampleStatus.WAITING_EXTERNAL_SERVICE]
        )
        .annotate(count=Count("sample_id", distinct=True))
        .order_by("provider_key")
    ):
        waiting[row["instrument_id"]].append(
            {"provider_id": row["provider_key"], **_without(row, "provider_key")}
        )
    status = []
    for instrument_id in sorted(set(per_instrument) | set(pending) | set(waiting)):
        rows = per_instrument.get(instrument_id, [])
        entry = _status_entry(instrument_id)
        if rows:
            entry.update(
                {
                    "percentage__min": float(min(row.percentage for row in rows)),
                    "percentage__max": float(max(row.percentage for row in rows)),
                    "can_analyse__min": all(row.can_analyse for row in rows),
                    "can_analyse__max": any(row.can_analyse for row in rows),
                }
            )
        contributions = [row["pending_contribution"] for row in pending[instrument_id]]
        counts = [row["count"] for row in waiting[instrument_id]]
        entry.update(
            {
                "pending": pending[instrument_id],
                "pending_contributions": min(1.0, sum(contributions) / len(contributions))
                if contributions
                else 0.0,
                "not_validated": waiting[instrument_id],
                "not_validated_count": int(sum(counts) / len(counts)) if counts else 0,
            }
        )
        status.append(entry)
    return status


# The models that count for a learner's enrolment (read whenever a session opens: compiled once).
_MODELS_OF_LEARNER = Lookup(
    Enrolment,
    lambda learner_id: Enrolment.objects.filter(
        learner_id=learner_id, provider__enabled=True, provider__instrument__isnull=False
    ).select_related("provider"),
    learner_id=-1,
)


def _without(row: dict, *keys: str) -> dict:
    return {key: value for key, value in row.items() if key not in keys}


def learner_missing_enrolments(
    *, learner: Learner, activity: Activity, watching: list | None = None
) -> dict:
    """Whether the learner lacks an enrolment model the activity needs (anchor-core §1.9).

    `{"missing_enrolments": bool, "instruments": {instrument_id: status entry}, "activity_id",
    "learner_id"}`. Only an enabled activity can miss anything. Among the instruments that
    watch the learner (SEND alternatives applied; `watching` when the caller has them from
    `activity_learner_instruments`), one that requires enrolment is missing when no enabled
    provider holds a model able to analyse; missing ones get a zeroed entry, and instruments
    with a model appear with their status too."""
    if not activity.enabled:
        watching = []
    elif watching is None:
        watching = activity_learner_instruments(activity=activity, learner=learner)
    # The learner's enrolment status is read only when some instrument watches them.
    status = (
        {entry["instrument_id"]: entry for entry in learner_enrolment_status(learner=learner)}
        if watching
        else {}
    )
    instruments: dict[int, dict] = {}
    missing = False
    for row in watching:
        entry = status.get(row.instrument_id)
        if row.instrument.requires_enrolment and (entry is None or not entry["can_analyse__max"]):
            missing = True
            entry = entry or _status_entry(row.instrument_id)
        if entry is not None:
            instruments[row.instrument_id] = entry
    return {
        "missing_enrolments": missing,
        "instruments": instruments,
        # Integer primary keys, as the original sent them (the Moodle plugin reads them).
        "activity_id": activity.pk,
        "learner_id": learner.pk,
    }


# What a report list row shows of each instrument row (`json_rows` of `activity_reports`).
REPORT_ROW_DETAIL = {
    "instrument": "instrument__name",
    "enrolment": "enrolment",
    "confidence": "confidence",
    "result": "result",
    "identity_level": "identity_level",
    "content_level": "content_level",
    "integrity_level": "integrity_level",
    "instrument_id": "instrument_id",
}


def activity_reports(*, activity: Activity, rows_inline: bool = False) -> QuerySet[ReportActivity]:
    """The learners' reports on an activity with learner identity and their instrument rows
    (with their instrument), in a fixed number of queries. With `rows_inline` the instrument
    rows come inside the same query, as `detail_rows` (what list rows show of them); otherwise
    they are prefetched as `detail`."""
    reports = ReportActivity.objects.filter(activity=activity).select_related(
        "learner__institution_user__user", "activity"
    )
    if rows_inline:
        return reports.annotate(
            detail_rows=json_rows(
                ReportActivityInstrument.objects.all(), "report", **REPORT_ROW_DETAIL
            )
        )
    return reports.prefetch_related(
        Prefetch(
            "detail",
            queryset=ReportActivityInstrument.objects.select_related("instrument").order_by(
                "instrument_id"
            ),
        )
    )


def activity_report_instruments(*, activity: Activity) -> list[Instrument]:
    """The instruments some report of the activity has a row for, by id (the CSV export's
    columns)."""
    return list(
        Instrument.objects.filter(
            pk__in=ReportActivityInstrument.objects.filter(report__activity=activity).values(
                "instrument_id"
            )
        ).order_by("id")
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
        if provider.instrument_id is not None:
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


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def report_summary(*, report: ReportActivity) -> dict:
    """The report's JSON summary (anchor-core §7.2), assembled from stored rows:
    `{sessions: [{id, counts, created_at, closed_at, levels, data: {session_id, instruments
    (those with data), alerts, data: {instrument_id: {total, valid, confidence 0..1, result
    0..1, code (level), requests: JSON text of [[created_at, result], ...]}}}}], documents:
    [{id, instruments, results: {instrument_id: {status, result}}, created_at}]}` (documents =
    requests sent outside an assessment session)."""
    requests = {
        row["id"]: row
        for row in Request.objects.filter(
            learner_id=report.learner_id, activity_id=report.activity_id
        )
        .order_by("id")
        .values("id", "session_id", "created_at")
    }
    results = list(
        RequestResult.objects.filter(request_id__in=list(requests))
        .order_by("request_id", "instrument_id")
        .values("request_id", "instrument_id", "status", "result", "code")
    )
    alerts = list(
        Alert.objects.filter(learner_id=report.learner_id, activity_id=report.activity_id)
        .order_by("raised_at", "id")
        .values("id", "session_id", "level", "message_code", "raised_at", "data")
    )
    session_rows = list(report.sessions.select_related("session").order_by("session_id"))
    sessions = []
    for row in session_rows:
        session_requests = {
            pk: item for pk, item in requests.items() if item["session_id"] == row.session_id
        }
        per_instrument = defaultdict(list)
        for result in results:
            if result["request_id"] in session_requests:
                per_instrument[result["instrument_id"]].append(result)
        data = {}
        for instrument_id, rows in sorted(per_instrument.items()):
            processed = [item for item in rows if item["status"] == ResultStatus.PROCESSED]
            data[str(instrument_id)] = {
                "total": len(rows),
                "valid": len(processed),
                "confidence": len(processed) / len(rows),
                "result": (
                    sum(item["result"] for item in processed) / len(processed) if processed else 0.0
                ),
                "code": (
                    levels.level_of_code(max(item["code"] for item in processed))
                    if processed
                    else levels.LEVEL_PENDING
                ),
                # A JSON string inside the JSON, as the original sent it: the dashboard
                # parses it again before drawing the series.
                "requests": json.dumps(
                    [
                        [_iso(session_requests[item["request_id"]]["created_at"]), item["result"]]
                        for item in processed
                    ]
                ),
            }
        sessions.append(
            {
                "id": row.session_id,
                "total_requests": row.total_requests,
                "pending_requests": row.pending_requests,
                "valid_requests": row.valid_requests,
                "processed_requests": row.processed_requests,
                "created_at": _iso(row.session.started_at),
                "closed_at": _iso(row.session.closed_at),
                "identity_level": row.identity_level,
                "content_level": row.content_level,
                "integrity_level": row.integrity_level,
                "data": {
                    "session_id": row.session_id,
                    # Only instruments with data: the dashboard reads `data[id]` for each.
                    "instruments": [int(key) for key in data],
                    "alerts": [
                        {
                            "id": alert["id"],
                            "level": alert["level"],
                            "message_code": alert["message_code"],
                            "raised_at": _iso(alert["raised_at"]),
                            "data": alert["data"],
                        }
                        for alert in alerts
                        if alert["session_id"] == row.session_id
                    ],
                    "data": data,
                },
            }
        )
    results_by_request: dict[int, dict[str, dict]] = defaultdict(dict)
    for result in results:
        results_by_request[result["request_id"]][str(result["instrument_id"])] = {
            "status": result["status"],
            "result": result["result"],
        }
    documents = [
        {
            "id": pk,
            "instruments": sorted(int(key) for key in results_by_request[pk]),
            "results": results_by_request[pk],
            "created_at": _iso(item["created_at"]),
        }
        for pk, item in requests.items()
        if item["session_id"] is None
    ]
    return {"sessions": sessions, "documents": documents}


def report_instrument_audit(*, row: ReportActivityInstrument, http_request=None) -> dict:
    """The audit trail behind one instrument of a report (anchor-core §7.5, for every
    instrument): its providers with the learner's enrolment, per request the instrument
    result, every provider's answer with the provider's own audit data (an object, `{}` when
    it sent none) and `data`, a signed link that shows the sample itself (the dashboard puts it
    in an `<img src>`), and `enrolment_samples` by id: the learner's samples the providers'
    models were built from, each with such a link (every provider lists its own ids)."""
    report = row.report
    requests = {
        item["id"]: item
        for item in Request.objects.filter(
            learner_id=report.learner_id,
            activity_id=report.activity_id,
            results__instrument_id=row.instrument_id,
        )
        .order_by("id")
        .values("id", "created_at", "session_id", "status", "error_message", "metadata", "data")
    }
    results = list(
        RequestResult.objects.filter(
            request_id__in=list(requests), instrument_id=row.instrument_id
        ).order_by("request_id")
    )
    answers = defaultdict(list)
    provider_ids = set()
    for answer in RequestProviderResult.objects.filter(
        request_id__in=list(requests), provider__instrument_id=row.instrument_id
    ).order_by("request_id", "provider_id"):
        answers[answer.request_id].append(answer)
        provider_ids.add(answer.provider_id)
    providers = Provider.objects.in_bulk(provider_ids)
    # The samples each model was built from: only the report learner's, whatever a provider
    # stored, with their instruments, in two queries whatever their number.
    model_samples = Prefetch(
        "model_samples",
        queryset=EnrolmentSample.objects.filter(learner_id=report.learner_id)
        .order_by("id")
        .prefetch_related(Prefetch("instruments", queryset=Instrument.objects.only("id"))),
    )
    enrolments = {
        enrolment.provider_id: enrolment
        for enrolment in Enrolment.objects.filter(
            learner_id=report.learner_id, provider_id__in=provider_ids
        ).prefetch_related(model_samples)
    }
    samples = {
        sample.pk: sample
        for enrolment in enrolments.values()
        for sample in enrolment.model_samples.all()
    }
    return {
        "providers": {
            str(pk): {
                "id": pk,
                "acronym": provider.acronym,
                "name": provider.name,
                "enrolment_percentage": (
                    float(enrolments[pk].percentage) if pk in enrolments else None
                ),
                "enrolment_samples": (
                    [sample.pk for sample in enrolments[pk].model_samples.all()]
                    if pk in enrolments
                    else []
                ),
                "can_analyse": enrolments[pk].can_analyse if pk in enrolments else None,
            }
            for pk, provider in sorted(providers.items())
        },
        "requests": {
            str(result.request_id): {
                "id": result.request_id,
                "created_at": _iso(requests[result.request_id]["created_at"]),
                "session": requests[result.request_id]["session_id"],
                "request_status": requests[result.request_id]["status"],
                "error_message": requests[result.request_id]["error_message"],
                "metadata": requests[result.request_id]["metadata"],
                "data": _sample_link(requests[result.request_id], http_request),
                "status": result.status,
                "result": result.result,
                "code": result.code,
                "error_message_res": result.error_message,
                "message_code": result.message_code,
                "results": {
                    str(answer.provider_id): {
                        "status": answer.status,
                        "result": answer.result,
                        "code": answer.code,
                        "error_message": answer.error_message,
                        "audit": answer.audit if answer.audit is not None else {},
                    }
                    for answer in answers[result.request_id]
                },
            }
            for result in results
        },
        "enrolment_samples": {
            str(pk): _enrolment_sample(sample, http_request)
            for pk, sample in sorted(samples.items())
        },
    }


def _enrolment_sample(sample: EnrolmentSample, http_request) -> dict:
    """An enrolment sample as the audit page reads it: `data` is a signed, expiring link that
    shows the sample itself (an `<img src>`), named after its stored file."""
    return {
        "id": sample.pk,
        "status": sample.status,
        "instruments": sorted(instrument.pk for instrument in sample.instruments.all()),
        "data": signed_sample_url(
            sample.data.name, filename=PurePosixPath(sample.data.name).name, request=http_request
        ),
        "error_message": sample.error_message,
        "created_at": _iso(sample.created_at),
        "updated_at": _iso(sample.updated_at),
    }


def _sample_link(request_row: Mapping[str, Any], http_request) -> str | None:
    if not request_row["data"]:
        return None
    metadata = request_row["metadata"] if isinstance(request_row["metadata"], dict) else {}
    filename = metadata.get("filename") or f"request-{request_row['id']}"
    return signed_sample_url(request_row["data"], filename=filename, request=http_request)
