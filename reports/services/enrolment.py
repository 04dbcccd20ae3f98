"""Enrolment models: how far each provider's model of a learner is built.

Providers build the models themselves from the learner's enrolment samples
(`reports.services.samples`); this server keeps their state (percentage 0..1, whether the
model can analyse yet, the samples it holds), the model file (uploaded by the provider through
a signed link, read back through another) and a lock so two tasks of a provider never update
the same model at once (anchor-core §1.9, §2.6).
"""

import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from institution.models import Learner
from reports.models import (
    Enrolment,
    EnrolmentSample,
    Provider,
    ReportActivityInstrument,
    Request,
)
from reports.services.samples import enrolment_work_settle
from reports.services.work import report_work_enqueue
from tesla.errors import ApplicationError, Forbidden
from tesla.rows import row_upsert
from tesla.services import model_update

LOCK_TTL = timedelta(hours=5)


def enrolment_model_name(enrolment: Enrolment) -> str:
    """Where a learner's model with a provider is stored:
    `{inst}/models/{learner uuid}/{provider id}/model.json`."""
    learner = enrolment.learner
    return (
        f"{learner.institution_user.institution_id}/models/{learner.learner_id}/"
        f"{enrolment.provider_id}/model.json"
    )


class EnrolmentNotLocked(ApplicationError):
    """Unlocking a model nobody holds: 406, as the providers' original server answered."""

    status_code = 406


def _locked_by_other(enrolment: Enrolment, task_id, now) -> bool:
    return (
        enrolment.locked_by is not None
        and enrolment.locked_at is not None
        and enrolment.locked_by != task_id
        and now - enrolment.locked_at < LOCK_TTL
    )


def _reports_changed(*, learner: Learner, provider: Provider) -> None:
    """Queue the learner's reports that show this provider's instrument: their enrolment
    column follows the model's percentage."""
    if provider.instrument_id is None:
        return
    activity_ids = ReportActivityInstrument.objects.filter(
        report__learner=learner, instrument_id=provider.instrument_id
    ).values_list("report__activity_id", flat=True)
    for activity_id in sorted(set(activity_ids)):
        report_work_enqueue(learner_id=learner.pk, activity_id=activity_id)


def provider_enrolment_open(
    *, provider: Provider, learner_id: uuid.UUID, task_id: uuid.UUID
) -> Enrolment:
    """Get or create the model of the learner (by public UUID, any institution: providers
    serve them all) with this provider (0 %, cannot analyse) and lock it for `task_id`. An
    unknown learner is refused (ValidationError on `learner_id`); so is a lock younger than
    five hours held by another task (on `task_id`); an older one is considered abandoned and
    taken over."""
    learner = Learner.objects.filter(learner_id=learner_id).first()
    if learner is None:
        raise ValidationError({"learner_id": ["Unknown learner."]})
    now = timezone.now()
    with transaction.atomic():
        # Lock the model's row only: the learner and provider rows are referenced by every
        # sample intake, and locking them too made intakes and provider answers deadlock.
        row_upsert(Enrolment, keys={"learner": learner, "provider": provider})
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider", "learner__institution_user")
            .get(learner=learner, provider=provider)
        )
        if _locked_by_other(enrolment, task_id, now):
            raise ValidationError({"task_id": ["Model is locked by another task."]})
        enrolment.locked_at, enrolment.locked_by = now, task_id
        enrolment.save(update_fields=["locked_at", "locked_by", "updated_at"])
    return enrolment


def provider_enrolment_store(
    *,
    enrolment: Enrolment,
    task_id: uuid.UUID | None = None,
    percentage: float | None = None,
    can_analyse: bool | None = None,
    used_samples: list[int] | None = None,
) -> Enrolment:
    """Store the model's new state (percentage 0..1, can_analyse, the samples it holds, and
    the model file the provider uploaded) and release the lock. Refused (ValidationError on
    `task_id`) while another task holds a fresh lock; `used_samples` must be samples of the
    learner (ValidationError otherwise)."""
    now = timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider", "learner__institution_user")
            .get(pk=enrolment.pk)
        )
        if _locked_by_other(enrolment, task_id, now):
            raise ValidationError({"task_id": ["Model is locked by another task."]})
        changes: dict[str, Any] = {"locked_at": None, "locked_by": None}
        if percentage is not None:
            changes["percentage"] = percentage
        if can_analyse is not None:
            changes["can_analyse"] = can_analyse
        if used_samples is not None:
            samples = list(
                EnrolmentSample.objects.filter(learner=enrolment.learner, pk__in=used_samples)
            )
            if len(samples) != len(set(used_samples)):
                raise ValidationError({"used_samples": ["Unknown samples of this learner."]})
            changes["model_samples"] = samples
        name = enrolment_model_name(enrolment)
        if enrolment.model.storage.exists(name):
            changes["model"] = name
        model_update(instance=enrolment, data=changes)
        _reports_changed(learner=enrolment.learner, provider=enrolment.provider)
        enrolment_work_settle(provider=enrolment.provider, learner=enrolment.learner)
    return enrolment


def provider_enrolment_unlock(*, enrolment: Enrolment, token: uuid.UUID) -> Enrolment:
    """Release a lock with the task id that holds it: a model nobody holds is refused (406),
    one another task holds too (Forbidden)."""
    if enrolment.locked_by is None or enrolment.locked_at is None:
        raise EnrolmentNotLocked("Model is not locked.")
    if enrolment.locked_by != token:
        raise Forbidden("The model is locked by another task.")
    enrolment.locked_at = enrolment.locked_by = None
    enrolment.save(update_fields=["locked_at", "locked_by", "updated_at"])
    enrolment_work_settle(provider=enrolment.provider, learner=enrolment.learner)
    return enrolment


def provider_enrolment_delete(*, enrolment: Enrolment) -> None:
    """Forget a learner's model with this provider, with its file."""
    learner, provider = enrolment.learner, enrolment.provider
    if enrolment.model:
        enrolment.model.delete(save=False)
    enrolment.delete()
    _reports_changed(learner=learner, provider=provider)


def learner_enrolments_prune(*, learner: Learner) -> int:
    """Delete the learner's models whose instrument no request of the learner ever used
    (data minimisation: a model nobody verifies against). Returns how many were deleted."""
    used = set(
        Request.objects.filter(learner=learner).values_list("instruments", flat=True).distinct()
    )
    unused = list(
        Enrolment.objects.filter(learner=learner).exclude(provider__instrument_id__in=used)
    )
    for enrolment in unused:
        if enrolment.model:
            enrolment.model.delete(save=False)
    Enrolment.objects.filter(pk__in=[enrolment.pk for enrolment in unused]).delete()
    return len(unused)
