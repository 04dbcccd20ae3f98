"""The outbox against a real RabbitMQ (127.0.0.1:5672, guest/guest) and real Celery workers:
work created while the broker is down is delivered once it is back, and a worker killed in the
middle of a task loses nothing and does nothing twice.

Skipped when no broker answers locally; with CI=true a missing broker fails the run instead."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone
from kombu import Connection

from reports.models import ProviderNotification
from reports.services.notifications import PROVIDER_NOTIFY_TASK, provider_notifications_dispatch
from tesla import jobs
from tesla.models import Job
from tests import factories
from tests.concurrency import requires_postgresql
from tests.tesla.outbox_tasks import EFFECT_TABLE

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
ROOT = Path(django_settings.BASE_DIR)


def _broker_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


if not _broker_answers() and os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
    pytest.skip("no RabbitMQ on 127.0.0.1:5672 (CI runs these)", allow_module_level=True)

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def celery_app(broker_url: str) -> Celery:
    """The server's Celery configuration, on the given broker."""
    app = Celery("tesla-outbox-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    return app


@contextmanager
def broker(monkeypatch, settings, url: str):
    settings.CELERY_BROKER_URL = url
    app = celery_app(url)
    monkeypatch.setattr(jobs, "app", app)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def queue_name():
    name = f"outbox_test_{uuid.uuid4().hex[:10]}"
    yield name
    with Connection(BROKER_URL) as conn:
        channel = conn.channel()
        channel.queue_delete(name)
        channel.exchange_delete(name)


def take_messages(queue: str) -> list:
    taken = []
    with Connection(BROKER_URL) as conn:
        channel = conn.channel()
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            taken.append(message)
    return taken


def test_work_created_while_the_broker_is_down_is_delivered_once_it_is_back(
    monkeypatch, settings, queue_name
):
    provider = factories.provider(2, queue=queue_name)
    notification = ProviderNotification.objects.create(
        provider=provider, key="poll", when=timezone.now()
    )
    down = f"amqp://guest:guest@127.0.0.1:{closed_port()}//"
    with broker(monkeypatch, settings, down):
        started = time.monotonic()
        assert provider_notifications_dispatch() == 1  # commits, then publishing fails
        assert time.monotonic() - started < 15  # the caller is not held up by the outage
    job = Job.objects.get()
    assert (job.task, job.args, job.queue) == (PROVIDER_NOTIFY_TASK, [notification.pk], queue_name)
    assert job.attempts == 1 and job.last_error

    with broker(monkeypatch, settings, BROKER_URL):
        assert jobs.jobs_resend() == 0  # not due yet: sent again at its retry time
        Job.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert jobs.jobs_resend() == 1
    messages = take_messages(queue_name)
    assert len(messages) == 1
    assert messages[0].headers["task"] == PROVIDER_NOTIFY_TASK
    args, kwargs, _ = json.loads(messages[0].body)
    assert (args, kwargs) == ([notification.pk], {})
    assert Job.objects.get().attempts == 2  # pending until the provider deletes it


# A worker killed mid-task -----------------------------------------------------------------


@pytest.fixture
def effect_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {EFFECT_TABLE} (key text NOT NULL, pid integer)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EFFECT_TABLE}")


def effects(key: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {EFFECT_TABLE} WHERE key = %s", [key])
        return cursor.fetchone()[0]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "tesla.settings",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tesla",
        "worker",
        "-Q",
        queue,
        "-I",
        "tests.tesla.outbox_tasks",
        "--concurrency",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
        "--hostname",
        f"{queue}-{uuid.uuid4().hex[:6]}@%h",
    ]
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )


def wait_for(condition, what: str, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def stop(worker: subprocess.Popen, sig=signal.SIGTERM):
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=30)


def test_a_worker_killed_mid_task_loses_nothing_and_does_nothing_twice(
    monkeypatch, settings, queue_name, effect_table, tmp_path
):
    log = tmp_path / "worker.log"
    key = f"outbox-test:{queue_name}"
    first = start_worker(queue_name, log)
    second = None
    try:
        with broker(monkeypatch, settings, BROKER_URL):
            with transaction.atomic():
                jobs.job_enqueue(
                    task="tests.outbox.record_once",
                    args=[key, str(tmp_path), 60],
                    key=key,
                    queue=queue_name,
                )
            wait_for(lambda: (tmp_path / "started").exists(), "the task to start", log)
            os.killpg(first.pid, signal.SIGKILL)  # the whole worker, mid-task
            first.wait(timeout=30)
            assert effects(key) == 0
            assert Job.objects.filter(key=key).exists()  # still owed

            second = start_worker(queue_name, log)
            wait_for(lambda: not Job.objects.filter(key=key).exists(), "the rerun", log)
            # Redelivered by the broker (no beat runs here) to the new worker.
            rerun_pid = (tmp_path / "rerun").read_text()
            assert rerun_pid != (tmp_path / "started").read_text()
            assert effects(key) == 1

            # A duplicate delivery of the same task (a resend racing the rerun) does nothing.
            jobs.app.send_task(
                "tests.outbox.record_once", args=[key, str(tmp_path), 60], queue=queue_name
            )
            wait_for(lambda: any(tmp_path.glob("skipped-*")), "the duplicate", log)
            assert effects(key) == 1
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
