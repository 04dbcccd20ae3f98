"""A task for the outbox fault tests, imported by the real worker they start
(`celery -A tesla worker -I tests.tesla.outbox_tasks`).

It follows the rule every outbox task keeps: its effect and the end of its job commit in one
transaction, and it does nothing when its job is already done. So a worker killed mid-task
leaves neither (the broker redelivers the unacknowledged message), and a duplicate delivery
changes nothing."""

import os
import time
from pathlib import Path

from celery import shared_task
from django.db import connection, transaction

from tesla import jobs
from tesla.models import Job

EFFECT_TABLE = "outbox_fault_test_effect"


@shared_task(name="tests.outbox.record_once")
def record_once(key: str, folder: str, first_run_seconds: float) -> str:
    folder_path = Path(folder)
    with transaction.atomic():
        if not Job.objects.select_for_update(of=("self",)).filter(key=key).exists():
            (folder_path / f"skipped-{os.getpid()}-{time.time_ns()}").touch()
            return "already done"
        first = not (folder_path / "started").exists()
        (folder_path / ("started" if first else "rerun")).write_text(str(os.getpid()))
        if first:
            time.sleep(first_run_seconds)  # the test kills the worker here
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {EFFECT_TABLE} (key, pid) VALUES (%s, %s)", [key, os.getpid()]
            )
        jobs.job_done(key=key)
    return "done"
