"""The preview operations: who may ask for a link, what it opens, and how it expires."""

import base64
import time
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.content import packages
from tests.content.conftest import COURSES
from tests.content.test_real_packages import FOLDER
from tests.matrix import CONTENT, Case, Fixtures, check, kw, params
from vle.content.auth import application_token_issue
from vle.content.models import PreviewSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(app, upload):
    """A SCORM 2004 course with two versions (0 and 1)."""
    upload(app, "golf", packages.scorm2004_package())
    upload(app, "golf", packages.scorm2004_package("4th"), mayCreateNewVersion=True)
    return "golf"


def preview(client, path, body=None, **extra):
    return client.post(f"{COURSES}/{path}", body or {}, format="json", **extra)


def open_link(link: str):
    """Open a launch link as a browser would: no credentials at all."""
    return APIClient().get(urlsplit(link).path)


def test_a_vle_gets_a_link_that_opens_without_credentials(app, course):
    response = preview(app, f"{course}/preview", {"expiry": 120})

    assert response.status_code == 200
    link = response.json()["launchLink"]
    assert link.startswith("http://testserver/content/preview/")
    player = open_link(link)
    assert player.status_code == 200
    session = PreviewSession.objects.get()
    assert session.version.version == 1  # the latest
    assert b"/files/course/content/sco/start.html?mode=review" in player.content


def test_a_version_link_opens_that_version(app, course):
    response = preview(app, f"{course}/versions/0/preview")

    assert response.status_code == 200
    assert open_link(response.json()["launchLink"]).status_code == 200
    assert PreviewSession.objects.get().version.version == 0


PREVIEW = Case(
    "preview", "post", "content-preview", CONTENT, {"app"}, kwargs=kw(course_id="course")
)
VERSION_PREVIEWS = [
    Case(
        f"version {number} preview",
        "post",
        "content-version-preview",
        CONTENT,
        {"app"},
        kwargs=kw(course_id="course", version_id=lambda w, number=number: number),
    )
    for number in ("0", "1")
]
CASES = [PREVIEW, *VERSION_PREVIEWS]
PERSONAS = ["app", "sibling_app", "foreign_app", "anonymous", "inst_admin", "global_admin"]


def refused(response) -> None:
    assert "message" in response.json()
    assert "launchLink" not in response.json()


@pytest.mark.parametrize(("case", "persona"), params(CASES, PERSONAS))
def test_permission_matrix(request, api, course, case, persona):
    response = check(case, persona, api(persona), Fixtures(request))

    if response.status_code != 200:
        refused(response)


@pytest.mark.parametrize(
    "path", ["golf/versions/7/preview", "nope/preview", "nope/versions/0/preview"]
)
def test_missing_courses_and_versions_are_404(app, course, path):
    response = preview(app, path)

    assert response.status_code == 404
    refused(response)


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [(["read:course"], 200), (["read"], 200), (["write:course", "delete"], 403)],
)
def test_bearer_tokens_need_a_read_scope(vle, course, scopes, expected):
    client = APIClient()
    token = application_token_issue(vle=vle, scopes=scopes, seconds=60)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert preview(client, f"{course}/preview").status_code == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expiry": 5}, "expiry"),
        ({"expiry": 301}, "expiry"),
        ({"expiry": "soon"}, "expiry"),
        ({"redirectOnExitUrl": "javascript:alert(1)"}, "redirectOnExitUrl"),
        ({"cssUrl": "ftp://example.org/a.css"}, "cssUrl"),
        ({"culture": "en US"}, "culture"),
        ({"startSco": "no-such-item"}, "startSco"),
        ({"additionalvalues": "x"}, "additionalvalues"),
    ],
)
def test_bad_options_are_400_naming_the_field(app, course, body, field):
    response = preview(app, f"{course}/preview", body)

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}:")


def test_a_version_that_is_not_a_number_is_400(app, course):
    response = preview(app, f"{course}/versions/first/preview")
    assert response.status_code == 400
    assert "versionId" in response.json()["message"]


def test_what_the_client_sends_by_default_is_accepted(app, course):
    """Client 5.0.0 always sends expiry=120; 1.x sent LaunchLinkRequestSchema with tracking,
    a required redirectOnExitUrl and cssUrl in the query."""
    modern = preview(app, f"{course}/preview", {"expiry": 120})
    legacy = app.post(
        f"{COURSES}/{course}/preview?cssUrl=https%3A%2F%2Flms.example.org%2Fp.css",
        {"expiry": 120, "tracking": True, "redirectOnExitUrl": "closer"},
        format="json",
    )

    assert modern.status_code == legacy.status_code == 200
    page = open_link(legacy.json()["launchLink"]).content.decode()
    assert 'href="https://lms.example.org/p.css"' in page
    assert '"exit": "closer"' in page


def test_start_sco_picks_the_activity(app, course):
    response = preview(app, f"{course}/versions/0/preview", {"startSco": "sco1"})

    assert response.status_code == 200
    assert b"sco/start.html" in open_link(response.json()["launchLink"]).content


def test_the_link_expires_after_its_expiry(app, course, monkeypatch):
    link = preview(app, f"{course}/preview", {"expiry": 10}).json()["launchLink"]
    later = time.time() + 11
    monkeypatch.setattr("tesla.signing.time.time", lambda: later)

    assert open_link(link).status_code == 410
    assert not PreviewSession.objects.exists()


def test_a_forged_link_is_404(app, course):
    link = preview(app, f"{course}/preview").json()["launchLink"]
    path = urlsplit(link).path
    token = path.split("/")[3]
    forged = path.replace(token, base64.urlsafe_b64encode(b'{"v":1}').decode() + token[-40:])

    assert APIClient().get(forged).status_code == 404


def test_a_link_of_a_deleted_course_is_404(app, course):
    link = preview(app, f"{course}/preview").json()["launchLink"]
    assert app.delete(f"{COURSES}/{course}").status_code == 204
    assert open_link(link).status_code == 404


def test_the_links_of_one_vle_never_name_another_vles_version(app, course, other_institution):
    """A link is bound to the version it was made for: another VLE's identical course id
    resolves to its own version."""
    other = factories.vle(other_institution)
    from tests.content.conftest import basic_client

    other_app = basic_client(other)
    assert preview(other_app, f"{course}/preview").status_code == 404


@pytest.mark.skipif(not FOLDER.is_dir(), reason="the shared content packages are absent")
@pytest.mark.parametrize(
    ("package", "standard", "launch_type"),
    [
        ("scorm12_golf_cp_single_sco.zip", "scorm12", "text/html; charset=utf-8"),
        ("scorm2004_3rd_golf_runtime_advanced_calls.zip", "scorm2004", "text/html; charset=utf-8"),
        ("cmi5_catapult_lts_001_essentials.zip", "cmi5", "text/html; charset=utf-8"),
        ("xapi_tincan_golf_example.zip", "xapi", "text/html; charset=utf-8"),
    ],
)
def test_real_packages_preview_with_their_launch_file(app, upload, package, standard, launch_type):
    import json
    import re

    _, job = upload(app, "real", (FOLDER / package).read_bytes())
    assert job["status"] == "COMPLETE", job

    player = open_link(preview(app, "real/preview").json()["launchLink"])

    config = json.loads(
        re.search(
            r'id="preview-config" type="application/json">(.*?)</script>', player.content.decode()
        )[1]
    )
    assert config["standard"] == standard
    launch = APIClient().get(urlsplit(config["launchUrl"]).path)
    assert launch.status_code == 200
    assert launch["Content-Type"] == launch_type


def test_links_can_point_at_a_separate_preview_host(app, course, settings):
    settings.COURSE_PREVIEW_URL = "https://preview.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "preview.example.org"]

    link = preview(app, f"{course}/preview").json()["launchLink"]

    assert link.startswith("https://preview.example.org/content/preview/")
    player = APIClient().get(urlsplit(link).path, HTTP_HOST="preview.example.org", secure=True)
    assert player.status_code == 200
    assert b'"launchUrl": "/content/preview/' in player.content  # same origin as the player


def test_a_2004_sco_starts_with_its_manifest_objectives_and_passing_score(app, course):
    import json
    import re

    link = preview(app, f"{course}/versions/0/preview").json()["launchLink"]
    page = open_link(link).content.decode()

    config = json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S)[1])
    assert config["objectives"] == ["p"]
    assert config["scaledPassingScore"] == "0.7"
