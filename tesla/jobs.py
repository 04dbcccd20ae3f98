"""The outbox: background work recorded with the change that needs it, so none is lost.

`job_enqueue` writes a `Job` row inside the caller's transaction and publishes the task right
after the commit. The row stays until the work is done (`job_done`), and `jobs_resend` (a beat
task, every 30 s; also `manage.py jobs_resend`) publishes again every job whose retry time has
come: after a crash between commit and publish, a broker outage, a worker killed mid-task or a
provider that never answered. Tasks must therefore be idempotent: running one twice has the
effect of running it once.

Where a job runs:
- the server's own tasks (registered in this process, empty `queue`) go to the default queue,
  or, without a broker, run in-process right after the commit;
- tasks of external workers (the verification providers) are published by name on their
  queue; without a broker they wait in the outbox until one is configured.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tesla.celery import app
from tesla.models import Job
from tesla.rows import row_upsert

logger = logging.getLogger(__name__)

ERROR_MAX = 2000

# task name -> check(args) telling whether the work a job asks for is still wanted. Apps
# register them (`register_pending_check`) for jobs whose work can vanish or be settled
# elsewhere (a request deleted with its learner): such a job is dropped instead of sent.
PENDING_CHECKS: dict[str, Callable[[list], bool]] = {}


def register_pending_check(task: str, check: Callable[[list], bool]) -> None:
    PENDING_CHECKS[task] = check


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def _retry_delay(attempts: int) -> timedelta:
    seconds = settings.JOB_RESEND_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.JOB_RESEND_MAX_SECONDS))


def job_enqueue(*, task: str, args: list[Any], key: str, queue: str = "") -> None:
    """Record that `task(*args)` must run, and publish it once the current transaction commits.

    Asking again for pending work with the same `key` bumps its version instead of adding a
    row (and publishes again, so new data is picked up)."""
    row_upsert(
        Job,
        keys={"key": key},
        defaults={"next_attempt_at": timezone.now()},
        version=F("version") + 1,
        args=args,
        queue=queue,
        task=task,
    )
    transaction.on_commit(lambda: job_publish(key=key))


def job_done(*, key: str, version: int | None = None) -> bool:
    """The work named `key` is done: forget its job. With `version`, only if nobody asked for
    the work again since that version was read. Returns True when a row was deleted."""
    jobs = Job.objects.filter(key=key)
    if version is not None:
        jobs = jobs.filter(version=version)
    deleted, _ = jobs.delete()
    return bool(deleted)


@dataclass(frozen=True)
class JobState:
    """Where a pending job stands: its `version`, to pass back to `job_done` after the work,
    and how many times it was published (`attempts`), for tasks that give up at some point."""

    version: int
    attempts: int


def job_state(*, key: str) -> JobState | None:
    """The state of the pending job named `key`; None once it is done."""
    row = Job.objects.filter(key=key).values_list("version", "attempts").first()
    return None if row is None else JobState(*row)


def job_failed(*, key: str, error: BaseException | str) -> None:
    """Note why an attempt failed; the job stays and is sent again at its retry time."""
    Job.objects.filter(key=key).update(last_error=str(error)[:ERROR_MAX] or repr(error))


def job_publish(*, key: str) -> bool:
    """Publish one job now (it stays pending until done). Returns True when it was handed to
    the broker, or run in-process for an internal task without a broker."""
    job = Job.objects.filter(key=key).first()
    if job is None:
        return False
    check = PENDING_CHECKS.get(job.task)
    if check is not None and not check(job.args):
        job_done(key=key, version=job.version)
        return False
    internal = job.task in app.tasks and not job.queue
    if not internal and not broker_configured():
        return False
    Job.objects.filter(pk=job.pk).update(
        attempts=F("attempts") + 1, next_attempt_at=timezone.now() + _retry_delay(job.attempts + 1)
    )
    try:
        if internal:
            app.tasks[job.task].apply_async(args=job.args)
        else:
            app.send_task(job.task, args=job.args, queue=job.queue)
    except Exception as error:  # a broker outage must never break the request that committed
        logger.warning("Publishing job %s failed; it will be sent again: %r", key, error)
        job_failed(key=key, error=error)
        return False
    return True


@shared_task(name="tesla.jobs.jobs_resend", ignore_result=True)
def jobs_resend(limit: int = 500) -> int:
    """Publish again every job whose retry time has come. Returns how many were published."""
    due = list(
        Job.objects.filter(next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("key", flat=True)[:limit]
    )
    return sum(job_publish(key=key) for key in due)
