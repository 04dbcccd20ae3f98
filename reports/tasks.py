"""Celery tasks of the reports app (found by `app.autodiscover_tasks()`)."""

from celery import shared_task

from reports.services.notifications import provider_notifications_dispatch


@shared_task(name="reports.tasks.provider_notifications_send", ignore_result=True)
def provider_notifications_send() -> int:
    """Beat task (every 30 s): publish `provider_notify` for the providers' due
    notifications."""
    return provider_notifications_dispatch()
