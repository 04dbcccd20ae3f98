"""The outbox: a job is recorded with the change that needs it, published after commit, kept
until its work is done and sent again when due, whatever happens to the broker."""

from datetime import timedelta
from unittest import mock

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from tesla import jobs
from tesla.models import Job

RAN: list[tuple] = []


@shared_task(name="tests.tesla.record_and_finish")
def record_and_finish(value, key):
    RAN.append((value, key))
    jobs.job_done(key=key)


@pytest.fixture(autouse=True)
def clear_runs():
    RAN.clear()


@pytest.mark.django_db(transaction=True)
def test_an_internal_job_runs_in_process_after_commit_without_a_broker(settings):
    settings.CELERY_BROKER_URL = ""
    with transaction.atomic():
        jobs.job_enqueue(task="tests.tesla.record_and_finish", args=[1, "k1"], key="k1")
        assert RAN == []  # nothing runs before the commit
        assert Job.objects.filter(key="k1").exists()
    assert RAN == [(1, "k1")]
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_job_and_runs_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.job_enqueue(task="tests.tesla.record_and_finish", args=[1, "k"], key="k")
        raise RuntimeError
    assert RAN == []
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_provider_tasks_wait_in_the_outbox_until_a_broker_is_configured(settings):
    settings.CELERY_BROKER_URL = ""
    with mock.patch.object(jobs.app, "send_task") as send:
        jobs.job_enqueue(task="tesla_ce.tasks.x", args=[5], key="p5", queue="provider_q")
        assert send.call_count == 0
        job = Job.objects.get(key="p5")
        assert job.attempts == 0
        settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
        assert jobs.jobs_resend() == 1
    send.assert_called_once_with("tesla_ce.tasks.x", args=[5], queue="provider_q")
    job.refresh_from_db()
    assert job.attempts == 1
    assert job.next_attempt_at > timezone.now()  # still pending, sent again later


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_keeps_the_job_and_it_is_sent_again_when_due(settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    with mock.patch.object(jobs.app, "send_task", side_effect=ConnectionError("down")):
        jobs.job_enqueue(task="tesla_ce.tasks.x", args=[7], key="p7", queue="q")
    job = Job.objects.get(key="p7")
    assert "down" in job.last_error
    assert jobs.jobs_resend() == 0  # not due yet
    Job.objects.filter(pk=job.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with mock.patch.object(jobs.app, "send_task") as send:
        assert jobs.jobs_resend() == 1
    send.assert_called_once()


@pytest.mark.django_db
def test_asking_twice_for_pending_work_keeps_one_row_and_a_stale_done_keeps_it():
    jobs.job_enqueue(task="t", args=[1], key="same", queue="q")
    seen = jobs.job_state(key="same").version
    jobs.job_enqueue(task="t", args=[1], key="same", queue="q")
    assert Job.objects.count() == 1
    assert not jobs.job_done(key="same", version=seen)  # asked again meanwhile
    assert jobs.job_done(key="same", version=jobs.job_state(key="same").version)
    assert not Job.objects.exists()


def test_retry_delay_doubles_and_is_capped(settings):
    settings.JOB_RESEND_SECONDS = 10
    settings.JOB_RESEND_MAX_SECONDS = 35
    assert [jobs._retry_delay(n).seconds for n in (1, 2, 3, 4)] == [10, 20, 35, 35]


@pytest.mark.django_db
def test_the_command_publishes_due_jobs(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    Job.objects.create(task="t", args=[], key="due", queue="q", next_attempt_at=timezone.now())
    out = StringIO()
    with mock.patch.object(jobs.app, "send_task") as send:
        call_command("jobs_resend", stdout=out)
    assert send.call_count == 1
    assert "Published 1 job(s)." in out.getvalue()
