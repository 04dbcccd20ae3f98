"""The tasks this server owes to verification providers, as the original published them.

Providers are Celery workers built on the `tesla-ce-provider` SDK: each consumes its own
queue (`Provider.queue`) and registers tasks under the original server's names, so a task
published here by name lands on the provider. Every task goes through the outbox
(`tesla.jobs`): recorded with the change that calls for it, published after commit, and sent
again while the provider has not answered. The provider's answer (a result, a validation, a
stored model) marks the job done (`tesla.jobs.job_done` with the key named here).
"""

from institution.models import Learner
from reports.models import (
    EnrolmentSampleValidation,
    Provider,
    RequestProviderResult,
    ResultStatus,
    SampleStatus,
)
from tesla.jobs import job_enqueue, register_pending_check

VERIFY_REQUEST = "tesla_ce.tasks.requests.verification.verify_request"
VALIDATE_REQUEST = "tesla_ce.tasks.requests.enrolment.validate_request"
ENROL_LEARNER = "tesla_ce.tasks.requests.enrolment.enrol_learner"


def verify_key(result_id: int) -> str:
    return f"provider:verify:{result_id}"


def validate_key(validation_id: int) -> str:
    return f"provider:validate:{validation_id}"


def enrol_key(provider_id: int, learner_pk: int) -> str:
    return f"provider:enrol:{provider_id}:{learner_pk}"


def provider_verify_send(*, provider: Provider, request_id: int, result_id: int) -> None:
    """Ask the provider to verify a request: `verify_request(request_id, result_id)`."""
    job_enqueue(
        task=VERIFY_REQUEST,
        args=[request_id, result_id],
        key=verify_key(result_id),
        queue=provider.queue,
    )


def provider_validate_send(
    *, provider: Provider, learner_id: str, sample_id: int, validation_id: int
) -> None:
    """Ask the provider to validate an enrolment sample:
    `validate_request(learner_id, sample_id, validation_id)`."""
    job_enqueue(
        task=VALIDATE_REQUEST,
        args=[learner_id, sample_id, validation_id],
        key=validate_key(validation_id),
        queue=provider.queue,
    )


def provider_enrol_send(
    *, provider: Provider, learner_pk: int, learner_id: str, sample_id: int
) -> None:
    """Ask the provider to enrol the learner's new valid samples into its model:
    `enrol_learner(learner_id, sample_id)`. One job per provider and learner: the task reads
    every available sample, so asking again while one is pending only refreshes it."""
    job_enqueue(
        task=ENROL_LEARNER,
        args=[learner_id, sample_id],
        key=enrol_key(provider.pk, learner_pk),
        queue=provider.queue,
    )


# Whether a task is still owed: its row may have gone (a learner deleted) or been answered.


def _verify_pending(args: list) -> bool:
    return RequestProviderResult.objects.filter(
        pk=args[1], status__in=[ResultStatus.PENDING, ResultStatus.PROCESSING]
    ).exists()


def _validate_pending(args: list) -> bool:
    return EnrolmentSampleValidation.objects.filter(
        pk=args[2], status=SampleStatus.VALIDATING
    ).exists()


def _enrol_pending(args: list) -> bool:
    return Learner.objects.filter(learner_id=args[0]).exists()


def register() -> None:
    register_pending_check(VERIFY_REQUEST, _verify_pending)
    register_pending_check(VALIDATE_REQUEST, _validate_pending)
    register_pending_check(ENROL_LEARNER, _enrol_pending)
