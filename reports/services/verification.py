"""The verification pipeline between a stored request and its report.

1. `verification_request_schedule`: every instrument result of a new request gets one pending
   `RequestProviderResult` per enabled provider of the instrument, and the provider is sent
   `verify_request(request_id, result_id)` on its queue through the outbox
   (`reports.services.dispatch`); pull-style providers list their pending ones instead
   (`/api/v2/provider/{id}/request/`). Outcomes known at once are written at once: no
   enabled provider → the instrument result is Missing provider; the instrument requires
   enrolment and the learner's model with that provider cannot analyse yet → that provider's
   result is Missing enrolment.
2. `provider_result_record`: a provider answers (status, result, code, audit). Histograms move
   by the *difference* the answer makes (a result is counted once, however often it is sent);
   when no provider of the instrument is still working, the instrument summary and the request
   status are recomputed (`reports.services.levels`, rules 2-3).
3. Every change that makes a learner's activity report stale records a report job in the
   outbox in the same transaction; the report is built after commit (`reports.services.work`).

Histograms (ten bins of 0..1 results): provider histograms count processed provider answers;
instrument histograms count processed instrument summaries (one per request and instrument,
so an instrument with two providers does not count each request twice).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from reports.models import (
    Enrolment,
    Histogram,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    Provider,
    Request,
    RequestProviderResult,
    RequestResult,
    ResultCode,
    ResultStatus,
)
from reports.services import levels
from reports.services.dispatch import provider_verify_send, verify_key
from reports.services.work import report_work_enqueue
from tesla.jobs import job_done
from tesla.rows import row_upsert
from tesla.services import model_update

MISSING_ENROLMENT_CODE = "MISSING_ENROLMENT"
MISSING_PROVIDER_CODE = "MISSING_PROVIDER"
# The message code of an instrument result that could not be verified for a known reason.
MESSAGE_CODES: dict[int, str] = {
    ResultStatus.MISSING_ENROLMENT: MISSING_ENROLMENT_CODE,
    ResultStatus.MISSING_PROVIDER: MISSING_PROVIDER_CODE,
}


def histogram_move(
    model: type[Histogram], keys: dict, *, old: float | None, new: float | None
) -> None:
    """Move one result in a histogram: take `old` out of its bin (None = it was not counted)
    and put `new` in (None = it no longer counts). Nothing happens when the bin is the same."""
    old_bin = None if old is None else Histogram.bin_of(old)
    new_bin = None if new is None else Histogram.bin_of(new)
    if old_bin == new_bin:
        return
    changes: dict[str, Any] = {}
    if old_bin is not None:
        changes[f"b{old_bin}"] = F(f"b{old_bin}") - 1
    if new_bin is not None:
        changes[f"b{new_bin}"] = F(f"b{new_bin}") + 1
    row_upsert(model, keys=keys, **changes)


def _counted(status: int, result: float) -> float | None:
    return result if status == ResultStatus.PROCESSED else None


def _move_provider_histograms(
    *, request: Request, provider_id: int, old: float | None, new: float | None
) -> None:
    histogram_move(
        HistogramLearnerProvider,
        {"learner_id": request.learner_id, "provider_id": provider_id},
        old=old,
        new=new,
    )
    if request.activity_id is not None:
        histogram_move(
            HistogramActivityProvider,
            {"activity_id": request.activity_id, "provider_id": provider_id},
            old=old,
            new=new,
        )


def _move_instrument_histograms(
    *, request: Request, instrument_id: int, old: float | None, new: float | None
) -> None:
    histogram_move(
        HistogramLearnerInstrument,
        {"learner_id": request.learner_id, "instrument_id": instrument_id},
        old=old,
        new=new,
    )
    if request.activity_id is not None:
        histogram_move(
            HistogramActivityInstrument,
            {"activity_id": request.activity_id, "instrument_id": instrument_id},
            old=old,
            new=new,
        )


def verification_request_schedule(*, request: Request) -> None:
    """Hand a new request to the providers of its instruments (see the module docstring)."""
    results = list(request.results.select_related("instrument"))
    instrument_ids = [result.instrument_id for result in results]
    providers = list(
        Provider.objects.filter(instrument_id__in=instrument_ids, enabled=True).order_by("id")
    )
    ready = set(
        Enrolment.objects.filter(
            learner_id=request.learner_id, provider__in=providers, can_analyse=True
        ).values_list("provider_id", flat=True)
    )
    provider_rows = []
    for result in results:
        for provider in providers:
            if provider.instrument_id != result.instrument_id:
                continue
            missing = result.instrument.requires_enrolment and provider.pk not in ready
            provider_rows.append(
                RequestProviderResult(
                    request=request,
                    provider=provider,
                    status=ResultStatus.MISSING_ENROLMENT if missing else ResultStatus.PENDING,
                    message_code=MISSING_ENROLMENT_CODE if missing else None,
                )
            )
    RequestProviderResult.objects.bulk_create(provider_rows)
    by_pk = {provider.pk: provider for provider in providers}
    for row in provider_rows:
        if row.status == ResultStatus.PENDING:
            provider_verify_send(
                provider=by_pk[row.provider_id], request_id=request.pk, result_id=row.pk
            )
    for result in results:
        request_instrument_summarise(request=request, result=result, update_request=False)
    request_status_update(request=request)
    report_work_enqueue(learner_id=request.learner_id, activity_id=request.activity_id)


def request_instrument_summarise(
    *, request: Request, result: RequestResult, update_request: bool = True
) -> bool:
    """Recompute one instrument's summary of a request from its providers' answers (levels
    rule 2) once none is still working, and then the request's status. Returns whether the
    summary changed."""
    outcomes = [
        levels.ProviderOutcome(
            status=row.status,
            result=row.result,
            code=row.code,
            alert_below=row.provider.alert_below,
            warning_below=row.provider.warning_below,
            inverted=row.provider.inverted_polarity,
        )
        for row in RequestProviderResult.objects.filter(
            request=request, provider__instrument_id=result.instrument_id
        ).select_related("provider")
    ]
    summary = levels.request_instrument_summary(outcomes)
    if summary.status == ResultStatus.PENDING:
        if result.status in levels.UNFINISHED:
            return False
        # A provider reopened its answer (status back to pending): the summary waits again.
        summary = levels.Summary(ResultStatus.PENDING, 0.0, ResultCode.PENDING)
    before = (result.status, result.result, result.code)
    after = (summary.status, summary.result, summary.code)
    if before == after:
        return False
    _move_instrument_histograms(
        request=request,
        instrument_id=result.instrument_id,
        old=_counted(result.status, result.result),
        new=_counted(summary.status, summary.result),
    )
    result.status, result.result, result.code = after
    result.message_code = MESSAGE_CODES.get(summary.status)
    result.save(update_fields=["status", "result", "code", "message_code", "updated_at"])
    if update_request:
        request_status_update(request=request)
    return True


def request_status_update(*, request: Request) -> None:
    """Recompute a request's status from its instrument results (levels rule 3)."""
    statuses = list(request.results.values_list("status", flat=True))
    status = levels.request_status(statuses)
    message_code = (
        MISSING_ENROLMENT_CODE
        if ResultStatus.MISSING_ENROLMENT in statuses and status == levels.REQUEST_ERROR
        else None
    )
    if (request.status, request.message_code) != (status, message_code):
        request.status, request.message_code = status, message_code
        request.save(update_fields=["status", "message_code", "updated_at"])


def provider_result_status_set(
    *, provider_result: RequestProviderResult, status: int
) -> RequestProviderResult:
    """Move the status of a provider's answer alone (e.g. to Waiting external service).
    A processed answer cannot move this way (ValidationError naming `status`): only a new
    answer (status, result, code: `provider_result_record`) corrects or withdraws it."""
    return provider_result_record(
        provider_result=provider_result, changes={"status": status}, keep_processed=True
    )


def provider_result_record(
    *,
    provider_result: RequestProviderResult,
    changes: dict,
    keep_processed: bool = False,
) -> RequestProviderResult:
    """Store a provider's answer for a request (any of status, result, code, error_message,
    message_code, audit) and let it flow into histograms, summary and report. With
    `keep_processed`, a processed answer is refused (ValidationError naming `status`),
    checked on the locked row.

    The answer's row is locked first, so two concurrent answers cannot both count in a
    histogram. Only that row: locking the joined provider or request too would make every
    sample intake that references them (foreign-key checks at commit) wait on this answer, and
    the two deadlock. Then, in the order every writer follows: provider histograms, instrument
    histograms, the instrument summary, the request, the report's work row."""
    with transaction.atomic():
        row = (
            RequestProviderResult.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider", "request")
            .get(pk=provider_result.pk)
        )
        old = _counted(row.status, row.result)
        changes = dict(changes)
        if "result" in changes and changes["result"] is None:
            # An answer without a score (the SDK sends `result: null`, e.g. for unreadable
            # data) carries no information for the report: it is kept as an error.
            del changes["result"]
            if changes.get("status", row.status) == ResultStatus.PROCESSED:
                changes["status"] = ResultStatus.ERROR
        if keep_processed and row.status == ResultStatus.PROCESSED:
            raise ValidationError({"status": ["The request is already processed."]})
        model_update(instance=row, data=changes)
        if row.status not in {ResultStatus.PENDING, ResultStatus.PROCESSING}:
            # The provider has answered (or handed the work to its external service).
            job_done(key=verify_key(row.pk))
        request = row.request
        _move_provider_histograms(
            request=request,
            provider_id=row.provider_id,
            old=old,
            new=_counted(row.status, row.result),
        )
        if row.provider.instrument_id is not None:
            result = RequestResult.objects.filter(
                request=request, instrument_id=row.provider.instrument_id
            ).first()
            if result is not None:
                request_instrument_summarise(request=request, result=result)
        # Even an answer that leaves the summary alone changes the report's audit trail.
        report_work_enqueue(learner_id=request.learner_id, activity_id=request.activity_id)
    return row


def provider_requests_claim(*, provider: Provider, limit: int) -> list[int]:
    """Hand up to `limit` of the provider's pending answers (oldest first) to one pull-style
    poller, marked Processing in one transaction. Rows another poller is claiming are skipped,
    not waited for, so two replicas of a provider never get the same request. A claim whose
    answer has not come after `PROVIDER_CLAIM_SECONDS` (a poller that died) is handed out
    again. Returns the claimed answers' ids."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PROVIDER_CLAIM_SECONDS)
    with transaction.atomic():
        claimed = list(
            RequestProviderResult.objects.select_for_update(
                of=("self",), no_key=True, skip_locked=True
            )
            .filter(provider=provider)
            .filter(
                Q(status=ResultStatus.PENDING)
                | Q(status=ResultStatus.PROCESSING, updated_at__lt=stale)
            )
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        # Pending and Processing are both unfinished: summaries, histograms and reports
        # stay as they are.
        RequestProviderResult.objects.filter(pk__in=claimed).update(
            status=ResultStatus.PROCESSING, updated_at=now
        )
    return claimed
