"""Report building as outbox jobs: which learners' activity reports are stale, and building them.

Writers call `report_work_enqueue` inside their transaction. It records a job in the outbox
(`tesla.jobs`) that commits with the data that made the report stale; after the commit the
Celery task `reports.build_report` builds it (in-process without a broker, on a worker with
one). If the process dies in between, or the build fails, the job stays and is sent again
(`jobs_resend`, every 30 s on beat; `manage.py process_report_work` builds every pending one at
once). A report is always rebuilt from all of the learner's data in the activity, so building
twice is harmless and building late gives the same answer as building at once.
"""

import logging

from celery import shared_task
from django.db import transaction

from tesla.jobs import job_enqueue, job_failed
from tesla.models import Job

logger = logging.getLogger(__name__)

BUILD_TASK = "reports.build_report"


def report_work_key(*, learner_id: int, activity_id: int) -> str:
    return f"report:{learner_id}:{activity_id}"


def report_work_enqueue(*, learner_id: int, activity_id: int | None) -> None:
    """Record that the learner's report on the activity is stale; it is built after commit."""
    if activity_id is None:
        return
    job_enqueue(
        task=BUILD_TASK,
        args=[learner_id, activity_id],
        key=report_work_key(learner_id=learner_id, activity_id=activity_id),
    )


def report_work_pending():
    """The outbox rows of reports still to build."""
    return Job.objects.filter(task=BUILD_TASK)


def report_work_process(*, learner_id: int, activity_id: int) -> bool:
    """Build one stale report and forget its job. Returns True when a report was built.

    The job row is locked for the build (another worker skips it rather than building the same
    report) and deleted only if nobody asked again meanwhile (its version is unchanged); a
    failure leaves the job with its error for the next attempt."""
    from institution.models import Learner
    from reports.services.building import report_activity_build
    from vle.models import Activity

    key = report_work_key(learner_id=learner_id, activity_id=activity_id)
    try:
        with transaction.atomic():
            job = Job.objects.select_for_update(skip_locked=True).filter(key=key).first()
            if job is None:
                return False
            learner = Learner.objects.filter(pk=learner_id).first()
            activity = Activity.objects.filter(pk=activity_id).first()
            if learner is not None and activity is not None:
                report_activity_build(learner=learner, activity=activity)
            Job.objects.filter(pk=job.pk, version=job.version).delete()
        return True
    except Exception as error:  # any failure must leave the job for a retry
        logger.exception("Report of learner %s on activity %s failed", learner_id, activity_id)
        job_failed(key=key, error=error)
        return False


@shared_task(name=BUILD_TASK, ignore_result=True)
def build_report(learner_id: int, activity_id: int) -> bool:
    return report_work_process(learner_id=learner_id, activity_id=activity_id)


def report_work_drain(*, limit: int | None = None) -> tuple[int, int]:
    """Build every pending report now (oldest first, at most `limit`). Returns (built,
    failed)."""
    queued = report_work_pending().order_by("id").values_list("args", "key")
    if limit is not None:
        queued = queued[:limit]
    built = failed = 0
    for (learner_id, activity_id), key in list(queued):
        if report_work_process(learner_id=learner_id, activity_id=activity_id):
            built += 1
        elif Job.objects.filter(key=key).exists():
            failed += 1
    return built, failed
