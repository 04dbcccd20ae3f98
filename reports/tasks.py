"""The reports app's Celery tasks (found by `app.autodiscover_tasks()`): building stale
reports. The provider tasks (`tesla_ce.tasks...`) run on the providers' own workers; this
server only publishes them (`reports.services.dispatch`)."""

from reports.services.work import build_report

__all__ = ["build_report"]
