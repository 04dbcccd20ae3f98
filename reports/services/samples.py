"""Enrolment samples: from the browser plugin to the providers' models.

1. `enrolment_sample_create` (LAPI intake): the sample is stored as the plugin sent it
   (`{learner_id, data, instruments, metadata}`), with one `EnrolmentSampleValidation` per
   enabled provider of its instruments that validates samples (`allow_validation` and
   `validation_active`); each such provider is sent `validate_request(learner_id, sample_id,
   validation_id)`. A sample nobody validates is valid at once.
2. `sample_validation_record`: a provider's verdict (status, info, contribution). Once no
   validation is pending, `sample_validation_summarise` settles the sample: valid when every
   validator accepted it, else error.
3. A valid sample sends `enrol_learner(learner_id, sample_id)` to every enabled provider of its
   instruments; the provider reads the learner's available samples (valid, of its instrument,
   not in its model yet), builds its model and stores it (`reports.services.enrolment`).
"""

import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from institution.models import Learner
from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    Provider,
    SampleStatus,
)
from reports.services.dispatch import (
    enrol_key,
    provider_enrol_send,
    provider_validate_send,
    validate_key,
)
from reports.services.intake import intake_consent_check, safe_filename
from tesla.jobs import job_done
from tesla.services import model_update
from vle.models import Instrument

PENDING_VALIDATION = frozenset({SampleStatus.VALIDATING, SampleStatus.WAITING_EXTERNAL_SERVICE})


def _sample_storage_name(*, learner: Learner, metadata: dict) -> str:
    """`{inst}/enrolment/{learner uuid}/samples/{stamp}_{filename}`, as the original laid it
    out."""
    stamp = timezone.now().strftime("%Y%m%d_%H%M%S_%f")
    filename = safe_filename(metadata.get("filename"), default="request")
    institution_id = learner.institution_user.institution_id
    return f"{institution_id}/enrolment/{learner.learner_id}/samples/{stamp}_{filename}"


def enrolment_sample_create(
    *, learner: Learner, instruments: list[int], data: str, metadata: dict
) -> EnrolmentSample:
    """Store an enrolment sample of a consenting learner and start its validation.

    Refuses (ValidationError naming the field) a learner without valid informed consent and
    instruments that are unknown or switched off. Must run inside a transaction: the sample,
    its validations and the provider tasks commit together."""
    intake_consent_check(learner=learner)
    requested = list(dict.fromkeys(instruments))
    known = set(
        Instrument.objects.filter(pk__in=requested, enabled=True).values_list("pk", flat=True)
    )
    unknown = [pk for pk in requested if pk not in known]
    if unknown:
        raise ValidationError({"instruments": [f"Unknown or disabled instruments: {unknown}."]})
    sample = EnrolmentSample(learner=learner)
    body = {
        "learner_id": str(learner.learner_id),
        "data": data,
        "instruments": requested,
        "metadata": metadata,
    }
    sample.data.save(
        _sample_storage_name(learner=learner, metadata=metadata),
        ContentFile(json.dumps(body).encode()),
        save=False,
    )
    sample.save()
    sample.instruments.set(requested)
    validators = list(
        Provider.objects.filter(
            instrument_id__in=requested, enabled=True, allow_validation=True, validation_active=True
        ).order_by("id")
    )
    validations = EnrolmentSampleValidation.objects.bulk_create(
        EnrolmentSampleValidation(sample=sample, provider=provider) for provider in validators
    )
    for validation in validations:
        provider_validate_send(
            provider=validation.provider,
            learner_id=str(learner.learner_id),
            sample_id=sample.pk,
            validation_id=validation.pk,
        )
    if not validations:
        sample_validation_summarise(sample=sample)
    return sample


def sample_validation_record(
    *, validation: EnrolmentSampleValidation, changes: dict
) -> EnrolmentSampleValidation:
    """Store a provider's verdict on a sample (any of status, error_message, message_code,
    contribution, and `validation_info` kept as a JSON file), then settle the sample when no
    validation is pending any more."""
    with transaction.atomic():
        validation = EnrolmentSampleValidation.objects.select_for_update(of=("self",)).get(
            pk=validation.pk
        )
        changes = dict(changes)
        if "validation_info" in changes:
            info = changes.pop("validation_info")
            if validation.info:
                validation.info.delete(save=False)
            if info is not None:
                validation.info.save(
                    f"{validation.sample.data.name}.validation.{validation.pk}",
                    ContentFile(json.dumps(info).encode()),
                    save=False,
                )
            changes["info"] = validation.info
        model_update(instance=validation, data=changes)
        if validation.status != SampleStatus.VALIDATING:
            job_done(key=validate_key(validation.pk))
        if validation.status not in PENDING_VALIDATION:
            sample_validation_summarise(sample=validation.sample)
    return validation


def sample_validation_summarise(*, sample: EnrolmentSample) -> None:
    """Settle a sample once none of its validations is pending: valid when all accepted it
    (then its providers are asked to enrol it), error otherwise. A settled sample stays
    settled."""
    sample = EnrolmentSample.objects.select_for_update(of=("self",)).get(pk=sample.pk)
    if sample.status != SampleStatus.VALIDATING:
        return
    statuses = list(sample.validations.values_list("status", "error_message"))
    if any(status in PENDING_VALIDATION for status, _ in statuses):
        return
    errors = [message or "" for status, message in statuses if status != SampleStatus.VALID]
    if errors:
        sample.status = SampleStatus.ERROR
        sample.error_message = "; ".join(filter(None, errors)) or "Rejected by a validator."
        sample.save(update_fields=["status", "error_message", "updated_at"])
        return
    sample.status = SampleStatus.VALID
    sample.save(update_fields=["status", "updated_at"])
    learner = sample.learner
    for provider in Provider.objects.filter(
        instrument__in=sample.instruments.all(), enabled=True
    ).order_by("id"):
        provider_enrol_send(
            provider=provider,
            learner_pk=learner.pk,
            learner_id=str(learner.learner_id),
            sample_id=sample.pk,
        )


def available_samples(*, provider: Provider, learner: Learner):
    """The learner's valid samples of the provider's instrument that its model does not hold
    yet: what its next `enrol_learner` task reads."""
    used = Enrolment.objects.filter(provider=provider, learner=learner).values("model_samples__id")
    return (
        EnrolmentSample.objects.filter(
            learner=learner, status=SampleStatus.VALID, instruments=provider.instrument_id
        )
        .exclude(pk__in=used.exclude(model_samples__id__isnull=True))
        .order_by("id")
    )


def enrolment_work_settle(*, provider: Provider, learner: Learner) -> None:
    """After a provider stored or released a learner's model: its enrol task is done once no
    available sample is left (otherwise it is sent again and picks up the rest)."""
    if not available_samples(provider=provider, learner=learner).exists():
        job_done(key=enrol_key(provider.pk, learner.pk))
