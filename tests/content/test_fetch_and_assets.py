"""Fetch imports, media references, postbacks and assets: guarded server-side requests."""

import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.content import packages
from tests.content.conftest import COURSES
from tests.content.httpserver import Site
from vle.content.models import Course, CourseFile


@pytest.fixture
def site():
    server = Site()
    yield server
    server.close()


@pytest.fixture
def loopback_allowed(settings):
    settings.COURSE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def fetch(app, django_capture_on_commit_callbacks):
    def run(body, path="importJobs", **query):
        params = "&".join(f"{k}={v}" for k, v in {"courseId": "f", **query}.items())
        with django_capture_on_commit_callbacks(execute=True):
            response = app.post(f"{COURSES}/{path}?{params}", body, format="json")
        if response.status_code != 200:
            return response, None
        return response, app.get(f"{COURSES}/importJobs/{response.json()['result']}").json()

    return run


@pytest.mark.django_db
def test_a_fetch_import_from_an_allowed_network(site, fetch, loopback_allowed):
    site.routes["/pkg.zip"] = (200, {"Content-Type": "application/zip"}, packages.scorm12_package())

    _, job = fetch({"url": f"{site.base}/pkg.zip"})

    assert job["status"] == "COMPLETE", job
    assert job["importResult"]["course"]["courseLearningStandard"] == "SCORM12"


@pytest.mark.django_db
def test_loopback_and_private_addresses_are_refused_by_default(site, fetch):
    site.routes["/pkg.zip"] = (200, {}, packages.scorm12_package())

    literal, _ = fetch({"url": f"{site.base}/pkg.zip"})
    assert literal.status_code == 400
    assert "loopback" in literal.json()["message"]
    for url in ("http://10.1.2.3/x.zip", "http://169.254.169.254/latest", "http://[::1]/x"):
        response, _ = fetch({"url": url})
        assert response.status_code == 400, url
    # A name that resolves to loopback is refused when the job resolves it.
    _, job = fetch({"url": f"http://localhost:{site.server.server_port}/pkg.zip"})
    assert job["status"] == "ERROR"
    assert "not fetched" in job["message"]
    assert not Course.objects.exists()


@pytest.mark.parametrize("url", ["ftp://example.org/x.zip", "file:///etc/passwd", "no-scheme"])
@pytest.mark.django_db
def test_only_http_and_https_are_fetched(fetch, url):
    response, _ = fetch({"url": url})

    assert response.status_code == 400
    assert "http" in response.json()["message"]


@pytest.mark.django_db
def test_redirects_are_checked_again(site, fetch, loopback_allowed):
    site.routes["/hop"] = (302, {"Location": "http://10.0.0.7/pkg.zip"}, b"")

    _, job = fetch({"url": f"{site.base}/hop"})

    assert job["status"] == "ERROR"
    assert "10.0.0.7" in job["message"]


@pytest.mark.django_db
def test_fetched_size_is_capped(site, fetch, loopback_allowed, settings):
    settings.COURSE_UPLOAD_MAX_BYTES = 1000
    site.routes["/pkg.zip"] = (200, {}, packages.scorm12_package() + b"\0" * 2000)

    _, job = fetch({"url": f"{site.base}/pkg.zip"})

    assert job["status"] == "ERROR"
    assert "larger than 1000 bytes" in job["message"]


@pytest.mark.django_db
def test_a_postback_reports_the_finished_job(site, fetch, loopback_allowed):
    site.routes["/pkg.zip"] = (200, {}, packages.scorm12_package())

    _, job = fetch({"url": f"{site.base}/pkg.zip"}, postbackUrl=f"{site.base}/done")

    assert job["status"] == "COMPLETE"
    assert [path for path, _ in site.posts] == ["/done"]
    posted = json.loads(site.posts[0][1])
    assert posted["jobId"] == job["jobId"]
    assert posted["status"] == "COMPLETE"


@pytest.mark.django_db
def test_no_upload_fetch_and_media_reference(site, fetch, loopback_allowed):
    site.routes["/pkg.zip"] = (200, {}, packages.cmi5_package())
    _, job = fetch({"fetchRequest": {"url": f"{site.base}/pkg.zip"}}, path="importJobs/noUpload")
    assert job["importResult"]["course"]["courseLearningStandard"] == "CMI5"

    reference = {
        "mediaFileReferenceRequest": {
            "url": "https://media.example.org/talk.mp4",
            "contentType": "video/mp4",
            "mediaFileMetadata": {"title": "A talk"},
        }
    }
    _, job = fetch(reference, path="importJobs/noUpload", courseId="talk")
    assert job["status"] == "COMPLETE", job
    course = job["importResult"]["course"]
    assert course["title"] == "A talk"
    assert course["rootActivity"]["children"][0]["href"] == "https://media.example.org/talk.mp4"

    connector = {"connectorReferenceRequest": {"connectorId": "x"}}
    response, _ = fetch(connector, path="importJobs/noUpload", courseId="c")
    assert response.status_code == 400
    assert "connectors" in response.json()["message"]


@pytest.mark.django_db
def test_a_pdf_upload_is_a_media_course(app, upload):
    pdf = b"%PDF-1.4\n%%EOF\n"
    _, job = upload(
        app,
        "pdf",
        pdf,
        filename="guide.pdf",
        headers={"HTTP_UPLOADEDCONTENTTYPE": "application/pdf"},
    )

    assert job["status"] == "COMPLETE", job
    assert job["importResult"]["course"]["rootActivity"]["children"][0]["href"] == "guide.pdf"
    version = Course.objects.get(course_id="pdf").versions.get()
    with default_storage.open(f"{version.storage_folder}/guide.pdf") as stored:
        assert stored.read() == pdf


@pytest.fixture
def golf(app, upload):
    upload(app, "golf", packages.scorm12_package())
    return Course.objects.get(course_id="golf")


def put_asset(app, destination, data=b"new", policy=None, version=""):
    path = f"{COURSES}/golf{version}/asset/upload"
    if policy:
        path += f"?updateAssetPolicy={policy}"
    return app.post(
        path,
        {"destination": destination, "file": SimpleUploadedFile("f.txt", data)},
        format="multipart",
    )


@pytest.mark.django_db
def test_asset_upload_policies(app, golf):
    version = golf.versions.get()

    created = put_asset(app, "/Etiquette/Course.html", b"<p>hi</p>")
    assert created.status_code == 200, created.content
    assert created.json() == {"filename": "Course.html", "destination": "Etiquette/Course.html"}
    with default_storage.open(f"{version.storage_folder}/Etiquette/Course.html") as stored:
        assert stored.read() == b"<p>hi</p>"

    assert put_asset(app, "index.html", policy="reject").status_code == 400
    assert put_asset(app, "brand-new.html", policy="strict").status_code == 400
    replaced = put_asset(app, "index.html", b"replaced", policy="strict", version="/versions/0")
    assert replaced.status_code == 200
    with default_storage.open(f"{version.storage_folder}/index.html") as stored:
        assert stored.read() == b"replaced"
    assert CourseFile.objects.get(version=version, path="index.html").size == len(b"replaced")
    assert put_asset(app, "x.html", policy="sideways").status_code == 400


@pytest.mark.parametrize("destination", ["../escape.html", "a/../../b.html", "", "dir/"])
@pytest.mark.django_db
def test_asset_paths_cannot_escape(app, golf, settings, destination):
    response = put_asset(app, destination)

    assert response.status_code == 400
    assert "destination" in response.json()["message"]
    assert not (settings.MEDIA_ROOT / "escape.html").exists()


@pytest.mark.django_db
def test_asset_import_from_a_url(app, golf, site, loopback_allowed):
    site.routes["/logo.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG fake")

    response = app.post(
        f"{COURSES}/golf/asset?updateAssetPolicy=reject",
        {"fetchUrl": f"{site.base}/logo.png", "destination": "img/logo.png"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["destination"] == "img/logo.png"
    version = golf.versions.get()
    with default_storage.open(f"{version.storage_folder}/img/logo.png") as stored:
        assert stored.read() == b"\x89PNG fake"


@pytest.mark.django_db
def test_asset_import_is_guarded_like_fetch_imports(app, golf):
    response = app.post(
        f"{COURSES}/golf/asset",
        {"fetchUrl": "http://127.0.0.1:9/x.png", "destination": "x.png"},
        format="json",
    )

    assert response.status_code == 400
    assert "fetchUrl" in response.json()["message"]


@pytest.mark.parametrize(
    "answers",
    [["93.184.216.34", "10.0.0.1"], ["::ffff:127.0.0.1"], ["fe80::1"], ["100.64.0.1"]],
)
def test_every_address_a_name_resolves_to_must_be_public(monkeypatch, settings, answers):
    import socket

    from vle.content import fetch as guarded

    settings.COURSE_FETCH_ALLOWED_NETWORKS = []

    def resolve(host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(guarded.FetchError, match="not fetched"):
        guarded.http_request("GET", "http://content.example.org/x.zip", max_bytes=10)


@pytest.mark.django_db
def test_a_decimal_loopback_host_is_refused(fetch):
    _, job = fetch({"url": "http://2130706433/pkg.zip"})

    assert job["status"] == "ERROR"
    assert "127.0.0.1" in job["message"]


@pytest.mark.django_db
def test_asset_download_delete_list_and_zip(app, golf, django_capture_on_commit_callbacks):
    import io
    import zipfile

    version = golf.versions.get()
    listed = app.get(f"{COURSES}/golf/asset/list").json()["files"]
    assert {item["path"] for item in listed} == {"imsmanifest.xml", "index.html", "notes.html"}
    assert all(item["modified"].endswith("Z") for item in listed)

    download = app.get(f"{COURSES}/golf/asset", {"relativePath": "index.html"})
    assert download.status_code == 200
    assert download["Content-Type"] == "text/html"
    assert b"".join(download.streaming_content) == packages.PAGE
    assert app.get(f"{COURSES}/golf/asset", {"relativePath": "../x"}).status_code == 400
    assert app.get(f"{COURSES}/golf/asset", {"relativePath": "nope.html"}).status_code == 404

    archive = app.get(f"{COURSES}/golf/versions/0/zip")
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert sorted(names) == ["imsmanifest.xml", "index.html", "notes.html"]

    with django_capture_on_commit_callbacks(execute=True):
        response = app.delete(f"{COURSES}/golf/asset?relativePath=notes.html")
    assert response.status_code == 204
    assert not default_storage.exists(f"{version.storage_folder}/notes.html")
    assert app.delete(f"{COURSES}/golf/asset?relativePath=notes.html").status_code == 404


@pytest.mark.django_db
def test_a_failed_postback_stays_in_the_outbox_until_it_gives_up(app, upload, loopback_allowed):
    from tesla.models import Job
    from vle.content import services

    _, job = upload(app, "pb", b"not a zip", postbackUrl="http://127.0.0.1:9/hook")

    assert job["status"] == "ERROR"
    pending = Job.objects.get(key=f"content.postback:{job['jobId']}")
    assert "failed" in pending.last_error.lower()
    Job.objects.filter(pk=pending.pk).update(attempts=services.POSTBACK_ATTEMPTS)
    services.import_job_postback(job_id=job["jobId"])
    assert not Job.objects.filter(pk=pending.pk).exists()
