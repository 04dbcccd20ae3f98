"""`tesla.rows.row_upsert`: one statement that inserts or finds a row, then changes it."""

import pytest
from django.db.models import F
from django.utils import timezone

from tesla.models import Job
from tesla.rows import row_upsert
from tests.concurrency import requires_postgresql, run_concurrently


@pytest.mark.django_db
def test_defaults_apply_only_to_a_new_row_and_changes_always():
    keys = {"key": "k"}
    row_upsert(Job, keys=keys, defaults={"task": "first", "next_attempt_at": timezone.now()})
    assert Job.objects.get().task == "first"
    changed = row_upsert(
        Job,
        keys=keys,
        defaults={"task": "ignored", "next_attempt_at": timezone.now()},
        version=F("version") + 1,
        queue="q",
    )
    job = Job.objects.get()
    assert (changed, job.task, job.version, job.queue) == (1, "first", 2, "q")
    complete = {"next_attempt_at": timezone.now()}
    assert row_upsert(Job, keys=keys, defaults=complete) == 0  # nothing to change


@pytest.mark.django_db(transaction=True)
@requires_postgresql
def test_concurrent_upserts_of_one_row_count_every_change_and_never_fail():
    def bump():
        return row_upsert(
            Job,
            keys={"key": "shared"},
            defaults={"task": "t", "next_attempt_at": timezone.now()},
            version=F("version") + 1,
        )

    assert run_concurrently([bump] * 8) == [1] * 8
    assert Job.objects.get(key="shared").version == 1 + 8
