"""Pending report work: which learners' activity reports must be rebuilt, and building them.

Writers call `report_work_enqueue` inside their transaction. The row commits with the data that
made the report stale, and an on-commit hook builds the report right after the commit. If the
process dies in between (or the build fails), the row stays and `manage.py
process_report_work` (run it periodically or after a restart) builds it later. A report is
always rebuilt from all of the learner's data in the activity, so building twice is harmless
and building late gives the same answer as building at once.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F

from reports.models import ReportWork
from tesla.rows import row_upsert

logger = logging.getLogger(__name__)

ERROR_MAX = 2000


def report_work_enqueue(*, learner_id: int, activity_id: int | None) -> None:
    """Record that the learner's report on the activity is stale, and build it after commit
    (unless settings.REPORTS_BUILD_ON_COMMIT is False: then only the worker builds)."""
    if activity_id is None:
        return
    row_upsert(
        ReportWork,
        keys={"learner_id": learner_id, "activity_id": activity_id},
        version=F("version") + 1,
    )
    if settings.REPORTS_BUILD_ON_COMMIT:
        transaction.on_commit(
            lambda: report_work_process(learner_id=learner_id, activity_id=activity_id)
        )


def report_work_process(*, learner_id: int, activity_id: int) -> bool:
    """Build one queued report and drop its work row. Returns True when a report was built.

    The work row is locked for the build (another worker skips it rather than building the
    same report) and deleted only if nobody queued new work meanwhile; a failure leaves the
    row with its error and attempt count for the next run."""
    from reports.services.building import report_activity_build

    try:
        with transaction.atomic():
            row = (
                # Only the work row: a lock on the joined learner or activity would hold up
                # every sample intake of that learner until the build ends.
                ReportWork.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
                .select_related("learner", "activity")
                .filter(learner_id=learner_id, activity_id=activity_id)
                .first()
            )
            if row is None:
                return False
            report_activity_build(learner=row.learner, activity=row.activity)
            ReportWork.objects.filter(pk=row.pk, version=row.version).delete()
        return True
    except Exception as error:  # any failure must leave the row for a retry
        logger.exception("Report of learner %s on activity %s failed", learner_id, activity_id)
        ReportWork.objects.filter(learner_id=learner_id, activity_id=activity_id).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:ERROR_MAX]
        )
        return False


def report_work_drain(*, limit: int | None = None) -> tuple[int, int]:
    """Build every queued report (oldest first, at most `limit`). Returns (built, failed)."""
    queued = ReportWork.objects.order_by("id").values_list("learner_id", "activity_id")
    if limit is not None:
        queued = queued[:limit]
    built = failed = 0
    for learner_id, activity_id in list(queued):
        if report_work_process(learner_id=learner_id, activity_id=activity_id):
            built += 1
        elif ReportWork.objects.filter(learner_id=learner_id, activity_id=activity_id).exists():
            failed += 1
    return built, failed
