"""Importing packages of every standard: what the job reports and what the course becomes."""

import pytest
from django.core.files.storage import default_storage

from tests.content import packages
from tests.content.conftest import COURSES
from vle.content.models import Course, CourseFile, ImportJob


@pytest.mark.django_db
def test_a_scorm12_upload_completes_with_its_tree_and_files(app, upload):
    response, job = upload(app, "golf", packages.scorm12_package())

    assert response.json()["result"] == job["jobId"]
    assert job["status"] == "COMPLETE", job
    course = job["importResult"]["course"]
    assert course["id"] == "golf"
    assert course["version"] == 0
    assert course["courseLearningStandard"] == "SCORM12"
    assert course["title"] == "Twelve"
    assert course["created"].endswith("Z")
    sco = course["rootActivity"]["children"][0]
    assert sco["activityType"] == "SCO"
    assert sco["href"] == "index.html?lesson=1"
    assert sco["scaledPassingScore"] == "0.8"
    assert job["importResult"]["parserWarnings"] == []
    version = Course.objects.get(course_id="golf").versions.get()
    paths = set(CourseFile.objects.filter(version=version).values_list("path", flat=True))
    assert paths == {"imsmanifest.xml", "index.html", "notes.html"}
    assert default_storage.exists(f"{version.storage_folder}/index.html")


@pytest.mark.parametrize(
    "edition, standard",
    [
        ("2nd", "SCORM20042NDEDITION"),
        ("3rd", "SCORM20043RDEDITION"),
        ("4th", "SCORM20044THEDITION"),
    ],
)
@pytest.mark.django_db
def test_scorm2004_editions_keep_xml_base_query_and_parameters(app, upload, edition, standard):
    _, job = upload(app, f"c{edition}", packages.scorm2004_package(edition))

    assert job["status"] == "COMPLETE", job
    course = job["importResult"]["course"]
    assert course["courseLearningStandard"] == standard
    module = course["rootActivity"]["children"][0]
    assert module["activityType"] == "AGGREGATION"
    sco, asset = module["children"]
    assert sco["href"] == "course/content/sco/start.html?mode=review&part=2"
    assert sco["scaledPassingScore"] == "0.7"
    assert asset["activityType"] == "ASSET"
    assert asset["href"] == "course/content/glossary.html"
    assert course["metadata"]["description"] == "About golf"
    assert course["metadata"]["keywords"] == ["golf"]
    assert job["importResult"]["parserWarnings"] == []


@pytest.mark.django_db
def test_cmi5_xapi_and_aicc_packages_import(app, upload):
    _, cmi5 = upload(app, "cmi5", packages.cmi5_package())
    _, xapi = upload(app, "xapi", packages.tincan_package())
    _, aicc = upload(app, "aicc", packages.aicc_package())

    cmi5_course = cmi5["importResult"]["course"]
    assert cmi5_course["courseLearningStandard"] == "CMI5"
    assert cmi5_course["xapiActivityId"] == "https://example.org/course/c5"
    au = cmi5_course["rootActivity"]["children"][0]["children"][0]
    assert au["href"] == "au/index.html?x=1"
    assert au["scaledPassingScore"] == "0.6"
    assert cmi5["importResult"]["courseLanguages"] == ["en-US"]

    xapi_course = xapi["importResult"]["course"]
    assert xapi_course["courseLearningStandard"] == "XAPI"
    assert xapi_course["title"] == "Tin can course"
    assert xapi_course["rootActivity"]["children"][0]["href"] == "start.html"
    assert xapi["importResult"]["parserWarnings"] == ["tincan.xml starts with a byte order mark."]

    aicc_course = aicc["importResult"]["course"]
    assert aicc_course["courseLearningStandard"] == "AICC"
    assert aicc_course["title"] == "Aicc course"
    block, second = aicc_course["rootActivity"]["children"]
    assert block["title"] == "The block"
    assert block["children"][0]["href"] == "lesson1.html?a=1"
    assert block["children"][0]["scaledPassingScore"] == "0.75"
    assert second["title"] == "Second lesson"


@pytest.mark.django_db
def test_missing_files_and_missing_schemaversion_are_warnings(app, upload):
    _, job = upload(app, "w1", packages.scorm12_package(schemaversion="", href="gone.html"))

    assert job["status"] == "COMPLETE", job
    warnings = job["importResult"]["parserWarnings"]
    assert any("no schemaversion" in w for w in warnings)
    assert any("gone.html" in w for w in warnings)
    assert job["importResult"]["course"]["courseLearningStandard"] == "SCORM12"


@pytest.mark.django_db
def test_a_package_inside_one_folder_is_read_from_there(app, upload):
    data = packages.zip_bytes(
        {"golf/imsmanifest.xml": packages.scorm12_manifest(), "golf/index.html": packages.PAGE}
    )
    _, job = upload(app, "nested", data)

    assert job["status"] == "COMPLETE", job
    assert any("inside the folder 'golf'" in w for w in job["importResult"]["parserWarnings"])


@pytest.mark.django_db
def test_a_new_version_needs_may_create_new_version(app, upload):
    upload(app, "v", packages.scorm12_package(title="First"))

    refused, _ = upload(app, "v", packages.scorm12_package(title="Second"))
    assert refused.status_code == 409
    assert "mayCreateNewVersion" in refused.json()["message"]

    _, job = upload(app, "v", packages.scorm12_package(title="Second"), mayCreateNewVersion=True)
    assert job["status"] == "COMPLETE"
    assert job["importResult"]["course"]["version"] == 1
    assert job["importResult"]["course"]["title"] == "Second"
    assert Course.objects.get(course_id="v").versions.count() == 2


@pytest.mark.django_db
def test_import_tags_are_applied_to_the_course(app, upload):
    _, job = upload(app, "tagged", packages.scorm12_package(), tags="a,b c")

    assert sorted(job["importResult"]["course"]["tags"]) == ["a", "b c"]


@pytest.mark.parametrize("course_id", ["a/b", "..", "importJobs", "tags", " padded", "a\x01b"])
@pytest.mark.django_db
def test_course_ids_that_cannot_round_trip_a_path_are_refused(app, upload, course_id):
    from urllib.parse import quote

    response, _ = upload(app, quote(course_id, safe=""), packages.scorm12_package())

    assert response.status_code == 400
    assert "courseId" in response.json()["message"]
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_a_course_id_with_spaces_and_symbols_round_trips(app, upload):
    from urllib.parse import quote

    course_id = "Golf 101 & more?#%é"
    _, job = upload(app, quote(course_id, safe=""), packages.scorm12_package())

    assert job["status"] == "COMPLETE"
    response = app.get(f"{COURSES}/{quote(course_id, safe='')}")
    assert response.status_code == 200
    assert response.json()["id"] == course_id


@pytest.mark.django_db
def test_jobs_are_kept_a_week_after_they_finish(app, upload, settings):
    from datetime import timedelta

    from django.utils import timezone

    _, job = upload(app, "old", packages.scorm12_package())
    ImportJob.objects.filter(pk=job["jobId"]).update(
        finished_at=timezone.now() - timedelta(days=settings.COURSE_IMPORT_JOB_KEEP_DAYS, hours=1)
    )

    assert app.get(f"{COURSES}/importJobs/{job['jobId']}").status_code == 404
    from vle.content.services import import_jobs_purge

    assert import_jobs_purge() == 1


@pytest.mark.django_db
def test_a_queued_job_is_running_and_shows_its_progress_as_it_goes(app, upload, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vle.content import services

    # Without the commit the job is still queued: RUNNING, with a message and progress 0.
    response = app.post(
        f"{COURSES}/importJobs/upload?courseId=q",
        {"file": SimpleUploadedFile("p.zip", packages.scorm12_package())},
        format="multipart",
    )
    queued = app.get(f"{COURSES}/importJobs/{response.json()['result']}").json()
    assert queued["status"] == "RUNNING"
    assert queued["progress"] == 0
    assert isinstance(queued["message"], str)

    seen = []
    real = services._job_progress

    def spy(job, progress, stage):
        real(job, progress, stage)
        body = app.get(f"{COURSES}/importJobs/{job.pk}").json()
        seen.append((body["status"], body["progress"], body["message"]))

    monkeypatch.setattr(services, "_job_progress", spy)
    _, job = upload(app, "p", packages.scorm12_package())

    assert job["status"] == "COMPLETE"
    assert all(status == "RUNNING" for status, _, _ in seen)
    progress = [value for _, value, _ in seen]
    assert progress == sorted(progress) and progress[-1] == 95
    assert any("Extracting files" in message for _, _, message in seen)


@pytest.mark.django_db
def test_a_windows_1252_manifest_is_read_with_a_warning(app, upload):
    manifest = packages.scorm12_manifest(title="Caf\u00e9 cr\u00e8me").encode("cp1252")
    data = packages.zip_bytes({"imsmanifest.xml": manifest, "index.html": packages.PAGE})

    _, job = upload(app, "cp1252", data)

    assert job["status"] == "COMPLETE", job
    assert job["importResult"]["course"]["title"] == "Caf\u00e9 cr\u00e8me"
    assert any("Windows-1252" in w for w in job["importResult"]["parserWarnings"])


@pytest.mark.django_db
def test_a_circular_aicc_structure_fails_the_job(app, upload):
    data = packages.zip_bytes(
        {
            "c.crs": "[Course]\r\nCourse_Title=Loop\r\n",
            "c.au": '"System_ID","File_Name"\r\n"A1","a.html"\r\n',
            "c.cst": '"Block","Member"\r\n"root","B1"\r\n"B1","B2"\r\n"B2","B1"\r\n',
            "a.html": packages.PAGE,
        }
    )
    _, job = upload(app, "loop", data)

    assert job["status"] == "ERROR"
    assert "circular" in job["message"]
    assert not Course.objects.exists()


@pytest.mark.django_db
def test_an_item_pointing_to_a_missing_resource_is_a_warning(app, upload):
    extra = '<item identifier="i2" identifierref="ghost"><title>Ghost</title></item>'
    _, job = upload(app, "ghost", packages.scorm12_package(extra_items=extra))

    assert job["status"] == "COMPLETE"
    assert any("missing resource 'ghost'" in w for w in job["importResult"]["parserWarnings"])


@pytest.mark.django_db
def test_a_zip_inside_a_zip_is_unwrapped_once(app, upload, settings):
    inner = packages.scorm12_package()
    _, job = upload(app, "double", packages.zip_bytes({"export.zip": inner}))

    assert job["status"] == "COMPLETE", job
    assert any("inside a zip" in w for w in job["importResult"]["parserWarnings"])

    triple = packages.zip_bytes({"outer.zip": packages.zip_bytes({"export.zip": inner})})
    _, job = upload(app, "triple", triple)
    assert job["status"] == "ERROR"
    assert "No imsmanifest.xml" in job["message"]


@pytest.mark.django_db
def test_an_unsupported_content_type_fails_the_job(app, upload):
    _, job = upload(app, "png", b"\x89PNG", headers={"HTTP_UPLOADEDCONTENTTYPE": "image/png"})

    assert job["status"] == "ERROR"
    assert "image/png" in job["message"]
    assert not Course.objects.exists()
