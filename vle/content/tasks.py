"""Background work of the Course Service, run by the project's job engine (tesla.jobs)."""

from celery import shared_task

from vle.content import services


@shared_task(name=services.IMPORT_TASK, ignore_result=True)
def import_job_run(job_id: str) -> None:
    """Import one queued package; finishes its outbox job whatever the outcome."""
    services.import_job_run(job_id=job_id)


@shared_task(name=services.POSTBACK_TASK, ignore_result=True)
def import_job_postback(job_id: str) -> None:
    """POST a finished job's status to its postbackUrl (retried by the outbox)."""
    services.import_job_postback(job_id=job_id)


@shared_task(name="content.import_jobs_purge", ignore_result=True)
def import_jobs_purge() -> int:
    """Forget import jobs older than their week (beat, hourly)."""
    return services.import_jobs_purge()
