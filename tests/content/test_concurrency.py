"""Two imports of the same new course at the same moment (PostgreSQL: real row locks)."""

import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections

from tests.content import packages
from vle.content import services
from vle.content.models import Course, ImportJob


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")


def staged_job(vle, course_id: str, may_create: bool) -> ImportJob:
    job = ImportJob(
        vle=vle,
        course_id=course_id,
        source=ImportJob.Source.UPLOAD,
        may_create_new_version=may_create,
        content_type="application/zip",
    )
    job.upload_name = default_storage.save(
        f"content/staging/{job.pk}/package", ContentFile(packages.scorm12_package())
    )
    job.save()
    return job


def run_together(jobs: list[ImportJob]) -> None:
    barrier = threading.Barrier(len(jobs))

    def work(job):
        try:
            barrier.wait()
            services.import_job_run(job_id=str(job.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_a_new_course_make_versions_0_and_1(postgresql_only, vle):
    jobs = [staged_job(vle, "race", may_create=True) for _ in range(2)]

    run_together(jobs)

    statuses = [ImportJob.objects.get(pk=job.pk).status for job in jobs]
    assert statuses == ["COMPLETE", "COMPLETE"]
    course = Course.objects.get(course_id="race")
    assert sorted(course.versions.values_list("version", flat=True)) == [0, 1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_imports_without_new_versions_make_one_course(postgresql_only, vle):
    jobs = [staged_job(vle, "once", may_create=False) for _ in range(2)]

    run_together(jobs)

    finished = sorted(ImportJob.objects.get(pk=job.pk).status for job in jobs)
    assert finished == ["COMPLETE", "ERROR"]
    assert Course.objects.get(course_id="once").versions.count() == 1
    failed = ImportJob.objects.get(status="ERROR")
    assert "mayCreateNewVersion" in failed.message
