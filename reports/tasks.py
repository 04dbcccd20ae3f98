"""The reports app's Celery tasks (found by `app.autodiscover_tasks()`): building stale
reports and dispatching the providers' due notifications. The provider tasks
(`tesla_ce.tasks...`) run on the providers' own workers; this server only publishes them
(`reports.services.dispatch`)."""

from celery import shared_task

from reports.services.notifications import provider_notifications_dispatch
from reports.services.work import build_report

__all__ = ["build_report", "provider_notifications_send"]


@shared_task(name="reports.tasks.provider_notifications_send", ignore_result=True)
def provider_notifications_send() -> int:
    """Beat task (every 30 s): publish `provider_notify` for the providers' due
    notifications."""
    return provider_notifications_dispatch()
