"""Upgrading keeps pending work: report builds queued in the old `ReportWork` table move to
the outbox (migration 0005)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tesla.models import Job

BEFORE = [("reports", "0004_request_data_key_length")]


@pytest.mark.django_db(transaction=True)
def test_queued_report_builds_survive_the_move_to_the_outbox(institution, course, activity):
    from tests import factories

    account = factories.user(institution, learner=True)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    learner = old.get_model("institution", "Learner").objects.get(
        institution_user__user_id=account.pk
    )
    old.get_model("reports", "ReportWork").objects.create(
        learner_id=learner.pk, activity_id=activity.pk
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # up to date again
    job = Job.objects.get()
    assert (job.task, job.args, job.key, job.queue) == (
        "reports.build_report",
        [learner.pk, activity.pk],
        f"report:{learner.pk}:{activity.pk}",
        "",
    )
