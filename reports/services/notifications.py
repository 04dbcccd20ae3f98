"""Provider notifications: calls a provider asks to receive later.

A provider whose external service answers later (URKUND polls for its reports) posts a
notification `{key, when, info}`; from `when` on, the `provider_notify(notification_id)` task
is published on the provider's queue (the beat task `provider_notifications_send`, every 30 s),
the provider handles it and deletes the notification. Each due notification is handed to the
outbox (`tesla.jobs`) once, so it is re-sent with backoff while the provider has not deleted
it, and survives a broker outage; posting the key again takes it back from the outbox until
its new time.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from reports.models import Provider, ProviderNotification
from tesla.jobs import job_done, job_enqueue
from tesla.rows import row_upsert

PROVIDER_NOTIFY_TASK = "tesla_ce.tasks.notification.providers.provider_notify"


def _job_key(notification_id: int) -> str:
    return f"provider_notify:{notification_id}"


def provider_notification_upsert(
    *, provider: Provider, key: str, when: datetime, info
) -> tuple[ProviderNotification, bool]:
    """Create the provider's notification `key`, or update it: new time, `info` merged into
    the stored one when both are objects (replaced otherwise, as the original did). A pending
    dispatch of the old time is withdrawn. Returns the notification and whether it is new."""
    keys = {"provider": provider, "key": key}
    with transaction.atomic():
        created = not ProviderNotification.objects.filter(**keys).exists()
        row_upsert(ProviderNotification, keys=keys, defaults={"when": when, "info": info})
        notification = ProviderNotification.objects.select_for_update(
            of=("self",), no_key=True
        ).get(**keys)
        if isinstance(notification.info, dict) and isinstance(info, dict):
            info = {**notification.info, **info}
        if notification.queued:
            job_done(key=_job_key(notification.pk))
        notification.when, notification.info, notification.queued = when, info, False
        notification.save(update_fields=["when", "info", "queued", "updated_at"])
    return notification, created


def provider_notification_delete(*, notification: ProviderNotification) -> None:
    """The provider handled the notification (or gave it up): forget it and its dispatch."""
    job_done(key=_job_key(notification.pk))
    notification.delete()


def provider_notifications_dispatch(*, limit: int = 500) -> int:
    """Hand every due notification that is not yet handed over to the outbox, as a
    `provider_notify` task on its provider's queue. Safe to run in several beats at once
    (rows another run holds are skipped). Returns how many were handed over."""
    with transaction.atomic():
        due = list(
            ProviderNotification.objects.select_for_update(
                of=("self",), no_key=True, skip_locked=True
            )
            .filter(queued=False, when__lte=timezone.now())
            .select_related("provider")
            .order_by("when", "id")[:limit]
        )
        for notification in due:
            job_enqueue(
                task=PROVIDER_NOTIFY_TASK,
                args=[notification.pk],
                key=_job_key(notification.pk),
                queue=notification.provider.queue,
            )
        ProviderNotification.objects.filter(pk__in=[row.pk for row in due]).update(queued=True)
    return len(due)
