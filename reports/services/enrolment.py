"""Enrolment models: how far each provider's model of a learner is built.

Providers build the models themselves; this server keeps their state (percentage 0..1 and
whether the model can analyse yet) and a lock so two tasks of a provider never update the
same model at once (anchor-core §1.9, §2.6). Enrolment *samples* and their validations are not
stored by this server, so the original's sample endpoints (available/used samples, sample
validation) do not exist here: providers report the resulting percentage directly.
"""

import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from institution.models import Learner
from reports.models import Enrolment, Provider, ReportActivityInstrument, Request
from reports.services.work import report_work_enqueue
from tesla.rows import row_upsert

LOCK_TTL = timedelta(hours=5)


class EnrolmentNotLocked(Exception):
    """Unlocking a model nobody holds."""


class EnrolmentLockMismatch(Exception):
    """Unlocking a model held by another task."""


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


def provider_enrolment_open(*, provider: Provider, learner: Learner, task_id: uuid.UUID):
    """Get or create the learner's model with this provider (0 %, cannot analyse) and lock it
    for `task_id`. A lock younger than five hours held by another task is refused
    (ValidationError on `task_id`); an older one is considered abandoned and taken over."""
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
    percentage=None,
    can_analyse: bool | None = None,
) -> Enrolment:
    """Store the model's new percentage and/or can_analyse and release the lock. Refused
    (ValidationError on `task_id`) while another task holds a fresh lock."""
    now = timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",), no_key=True)
            .select_related("provider", "learner__institution_user")
            .get(pk=enrolment.pk)
        )
        if _locked_by_other(enrolment, task_id, now):
            raise ValidationError({"task_id": ["Model is locked by another task."]})
        if percentage is not None:
            enrolment.percentage = percentage
        if can_analyse is not None:
            enrolment.can_analyse = can_analyse
        enrolment.locked_at = enrolment.locked_by = None
        enrolment.save()
        _reports_changed(learner=enrolment.learner, provider=enrolment.provider)
    return enrolment


def provider_enrolment_unlock(*, enrolment: Enrolment, token: uuid.UUID) -> Enrolment:
    """Release a lock with the task id that holds it."""
    if enrolment.locked_by is None or enrolment.locked_at is None:
        raise EnrolmentNotLocked
    if enrolment.locked_by != token:
        raise EnrolmentLockMismatch
    enrolment.locked_at = enrolment.locked_by = None
    enrolment.save(update_fields=["locked_at", "locked_by", "updated_at"])
    return enrolment


def provider_enrolment_delete(*, enrolment: Enrolment) -> None:
    """Forget a learner's model with this provider."""
    learner, provider = enrolment.learner, enrolment.provider
    enrolment.delete()
    _reports_changed(learner=learner, provider=provider)


def learner_enrolments_prune(*, learner: Learner) -> int:
    """Delete the learner's models whose instrument no request of the learner ever used
    (data minimisation: a model nobody verifies against). Returns how many were deleted."""
    used = set(
        Request.objects.filter(learner=learner).values_list("instruments", flat=True).distinct()
    )
    unused = Enrolment.objects.filter(learner=learner).exclude(provider__instrument_id__in=used)
    count, _ = unused.delete()
    return count
