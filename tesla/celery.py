"""The Celery application: the one engine for background work.

With `CELERY_BROKER_URL` set (RabbitMQ or Redis) the server publishes tasks and
`celery -A tesla worker` / `celery -A tesla beat` run them. Without it, internal tasks run
in-process (eagerly) right after the commit that asked for them, and tasks meant for external
workers (the verification providers) stay recorded in the outbox until a broker is configured.
See `tesla.jobs` for the outbox that makes sure nothing is lost."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")

app = Celery("tesla")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
