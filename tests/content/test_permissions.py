"""Permission matrix of the Course Service (/api/v2/courses..., the application tokens): our
VLE's application (`app`, HTTP basic credentials) reaches its courses; another application of
our institution or of another one finds no such course (404); user tokens are not
applications (403); no credentials, 401. Routes without a course in the URL (the course list,
imports, batch tags, tokens) serve every application its own. The rule is `tests.matrix`'s."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.content import packages
from tests.content.httpserver import Site
from tests.matrix import CONTENT, GLOBAL, Case, Fixtures, check, kw, params
from vle.content.models import ImportJob

pytestmark = pytest.mark.django_db

APPS = {"app", "sibling_app", "foreign_app"}
PERSONAS = ["app", "sibling_app", "foreign_app", "anonymous", "inst_admin", "global_admin"]
GOLF = kw(course_id="golf")
VERSION = kw(course_id="golf", version_id=lambda w: "0")
NAV_BAR = {"settings": [{"settingId": "PlayerShowNavBar", "value": "false"}]}


def course(name, method, url_name, ok=200, kwargs=GOLF, body=None, **values):
    """A route of our course `golf` (two versions, 0 and 1): only our application."""
    data = body if body is None or callable(body) else (lambda w, body=body: body)
    return Case(name, method, url_name, CONTENT, {"app"}, ok, kwargs, data, **values)


def own(name, method, url_name, ok=200, body=None, **values):
    """A route without a course in the URL: each application acts on its own."""
    data = body if body is None or callable(body) else (lambda w, body=body: body)
    return Case(name, method, url_name, GLOBAL, APPS, ok, body=data, **values)


def asset_upload(world):
    return {"destination": "extra.html", "file": SimpleUploadedFile("f.html", packages.PAGE)}


def package_upload(world):
    return {"file": SimpleUploadedFile("p.zip", packages.scorm12_package(), "application/zip")}


def configured(scope, kwargs):
    """A step that sets PlayerShowNavBar on the course or version, so there is one to delete."""

    def prepare(world):
        url = reverse(f"content-{scope}-configuration", kwargs=kwargs(world))
        assert world.app.post(url, NAV_BAR, format="json").status_code == 204

    return prepare


CASES = [
    own(
        "token",
        "post",
        "content-token",
        body={"permissions": {"scopes": ["read:course"]}},
    ),
    own(
        "oauth token",
        "post",
        "content-oauth-token",
        body={"scope": "read:course", "expiration": "60"},
        format="multipart",
    ),
    own("courses", "get", "content-courses"),
    own(
        "import fetch",
        "post",
        "content-import-fetch",
        body={"url": "https://content.example.org/p.zip", "contentType": "application/zip"},
        query="courseId=fetched",
    ),
    own(
        "import no upload",
        "post",
        "content-import-no-upload",
        body={
            "fetchRequest": {
                "url": "https://content.example.org/p.zip",
                "contentType": "application/zip",
            }
        },
        query="courseId=fetched",
    ),
    own(
        "import upload",
        "post",
        "content-import-upload",
        body=package_upload,
        query="courseId=uploaded",
        format="multipart",
    ),
    Case(
        "import job",
        "get",
        "content-import-job",
        CONTENT,
        {"app"},
        kwargs=kw(job_id=lambda w: str(ImportJob.objects.filter(vle=w.vle).latest("pk").pk)),
    ),
    course(
        "tags batch",
        "put",
        "content-tags-batch",
        204,
        kwargs=kw(),
        body={"ids": ["golf"], "tags": ["x"]},
    ),
    course("course", "get", "content-course"),
    course("course delete", "delete", "content-course", 204),
    course("title", "put", "content-course-title", 204, body={"title": "Renamed"}),
    course("tags", "get", "content-course-tags"),
    course("tags put", "put", "content-course-tags", 204, body={"tags": ["a"]}),
    course("tags delete", "delete", "content-course-tags", 204, body={"tags": ["a"]}),
    course("preview", "post", "content-preview", body={"expiry": 120}),
    course("versions", "get", "content-versions"),
    course("version", "get", "content-version", kwargs=VERSION),
    course("version delete", "delete", "content-version", 204, kwargs=VERSION),
    course("version preview", "post", "content-version-preview", kwargs=VERSION, body={}),
]
for scope, kwargs in (("course", GOLF), ("version", VERSION)):
    CASES += [
        course(f"{scope} configuration", "get", f"content-{scope}-configuration", kwargs=kwargs),
        course(
            f"{scope} configuration post",
            "post",
            f"content-{scope}-configuration",
            204,
            kwargs=kwargs,
            body=NAV_BAR,
        ),
        course(
            f"{scope} setting delete",
            "delete",
            f"content-{scope}-setting",
            204,
            kwargs=lambda w, kwargs=kwargs: {**kwargs(w), "setting_id": "PlayerShowNavBar"},
            prepare=configured(scope, kwargs),
        ),
        course(f"{scope} statements", "get", f"content-{scope}-statements", kwargs=kwargs),
        course(
            f"{scope} asset",
            "get",
            f"content-{scope}-asset",
            kwargs=kwargs,
            query="relativePath=index.html",
        ),
        course(
            f"{scope} asset delete",
            "delete",
            f"content-{scope}-asset",
            204,
            kwargs=kwargs,
            query="relativePath=notes.html",
        ),
        course(
            f"{scope} asset import",
            "post",
            f"content-{scope}-asset",
            kwargs=kwargs,
            body=lambda w: {"fetchUrl": f"{w.logo_site.base}/logo.png", "destination": "logo.png"},
        ),
        course(
            f"{scope} asset upload",
            "post",
            f"content-{scope}-asset-upload",
            kwargs=kwargs,
            body=asset_upload,
            format="multipart",
        ),
        course(f"{scope} files", "get", f"content-{scope}-files", kwargs=kwargs),
        course(f"{scope} zip", "get", f"content-{scope}-zip", kwargs=kwargs),
    ]


@pytest.fixture
def logo_site(settings):
    """A local web site serving /logo.png, which asset imports may fetch."""
    settings.COURSE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    site = Site()
    site.routes["/logo.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG fake")
    yield site
    site.close()


@pytest.fixture
def golf(app, upload):
    """Our application's course `golf`, with versions 0 and 1."""
    upload(app, "golf", packages.scorm12_package())
    upload(app, "golf", packages.scorm12_package(title="Again"), mayCreateNewVersion=True)
    return "golf"


@pytest.mark.parametrize(("case", "persona"), params(CASES, PERSONAS))
def test_permission_matrix(request, api, golf, case, persona):
    check(case, persona, api(persona), Fixtures(request))
