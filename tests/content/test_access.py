"""Who may call the Course Service: VLE credentials (basic or token), with scopes, and only on
their own courses."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.content import packages
from tests.content.conftest import COURSES
from vle.content.models import Course, CourseVersion

OPERATIONS = [
    ("get", "/api/v2/courses"),
    ("get", "/api/v2/courses/{c}"),
    ("delete", "/api/v2/courses/{c}"),
    ("put", "/api/v2/courses/{c}/title"),
    ("get", "/api/v2/courses/{c}/versions"),
    ("get", "/api/v2/courses/{c}/versions/0"),
    ("delete", "/api/v2/courses/{c}/versions/0"),
    ("get", "/api/v2/courses/{c}/configuration"),
    ("post", "/api/v2/courses/{c}/configuration"),
    ("delete", "/api/v2/courses/{c}/configuration/PlayerShowNavBar"),
    ("get", "/api/v2/courses/{c}/versions/0/configuration"),
    ("post", "/api/v2/courses/{c}/versions/0/configuration"),
    ("delete", "/api/v2/courses/{c}/versions/0/configuration/PlayerShowNavBar"),
    ("get", "/api/v2/courses/{c}/tags"),
    ("put", "/api/v2/courses/{c}/tags"),
    ("delete", "/api/v2/courses/{c}/tags"),
    ("get", "/api/v2/courses/{c}/xAPIStatements"),
    ("get", "/api/v2/courses/{c}/versions/0/xAPIStatements"),
    ("post", "/api/v2/courses/{c}/asset"),
    ("get", "/api/v2/courses/{c}/asset?relativePath=index.html"),
    ("delete", "/api/v2/courses/{c}/asset?relativePath=index.html"),
    ("get", "/api/v2/courses/{c}/asset/list"),
    ("get", "/api/v2/courses/{c}/zip"),
    ("get", "/api/v2/courses/{c}/versions/0/asset/list"),
    ("get", "/api/v2/courses/{c}/versions/0/zip"),
    ("post", "/api/v2/courses/{c}/asset/upload"),
    ("post", "/api/v2/courses/{c}/versions/0/asset"),
    ("post", "/api/v2/courses/{c}/versions/0/asset/upload"),
    ("get", "/api/v2/courses/importJobs/{job}"),
    ("post", "/api/v2/courses/importJobs"),
    ("post", "/api/v2/courses/importJobs/upload"),
    ("post", "/api/v2/courses/importJobs/noUpload"),
    ("put", "/api/v2/courses/tags"),
]
COURSE_OPS = [op for op in OPERATIONS if "{c}" in op[1]]


@pytest.fixture
def owned(vle):
    course = Course.objects.create(vle=vle, course_id="mine", title="Mine")
    CourseVersion.objects.create(course=course, version=0, storage_folder="content/mine")
    return course


def call(client, method, path, **values):
    url = path.format(c="mine", job="00000000-0000-0000-0000-000000000000", **values)
    return getattr(client, method)(url, {}, format="json")


@pytest.mark.parametrize("method, path", OPERATIONS)
@pytest.mark.django_db
def test_anonymous_callers_get_401_json(owned, method, path):
    response = call(APIClient(), method, path)

    assert response.status_code == 401
    assert "message" in response.json()
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("method, path", COURSE_OPS)
@pytest.mark.parametrize("persona", ["foreign_app", "sibling_app"])
@pytest.mark.django_db
def test_another_vles_course_is_404(request, owned, persona, method, path):
    response = call(request.getfixturevalue(persona), method, path)

    assert response.status_code == 404, response.content
    assert Course.objects.filter(pk=owned.pk).exists()


@pytest.mark.parametrize("persona", ["inst_admin", "global_admin", "provider", "learner_token"])
@pytest.mark.django_db
def test_people_and_providers_are_not_applications(api, owned, persona):
    response = api(persona).get(COURSES)

    assert response.status_code == 403
    assert "VLE" in response.json()["message"]


@pytest.mark.django_db
def test_a_vle_access_token_works_like_its_credentials(owned, vle):
    client = factories.client_for(vle)

    assert client.get(f"{COURSES}/mine").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Basic Og==", "Basic !!!", "Basic " + base64.b64encode(b"nobody:wrong").decode(), "Bearer x"],
)
@pytest.mark.django_db
def test_bad_credentials_are_401(owned, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(COURSES)
    assert response.status_code == 401
    assert "message" in response.json()


def token(app, *scopes, seconds=None):
    body = {"permissions": {"scopes": list(scopes)}}
    if seconds is not None:
        body["expiry"] = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
    response = app.post("/api/v2/appManagement/token", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["result"]


def bearer(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client


@pytest.mark.django_db
def test_token_scopes_are_honoured(app, owned):
    reader = bearer(token(app, "read:course"))
    writer = bearer(token(app, "write"))
    deleter = bearer(token(app, "delete:course"))

    assert reader.get(f"{COURSES}/mine").status_code == 200
    assert reader.put(f"{COURSES}/mine/title", {"title": "x"}, format="json").status_code == 403
    assert writer.get(f"{COURSES}/mine").status_code == 403
    assert writer.put(f"{COURSES}/mine/title", {"title": "x"}, format="json").status_code == 204
    assert writer.delete(f"{COURSES}/mine").status_code == 403
    assert reader.delete(f"{COURSES}/mine").status_code == 403
    assert deleter.delete(f"{COURSES}/mine").status_code == 204
    # A token cannot mint tokens.
    body = {"permissions": {"scopes": ["write"]}}
    assert reader.post("/api/v2/appManagement/token", body, format="json").status_code == 403


@pytest.mark.django_db
def test_oauth_form_tokens_and_expiry(app, owned):
    response = app.post(
        "/api/v2/oauth/authenticate/application/token",
        {"scope": "read:course write:course", "expiration": "60"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] == 60
    assert body["token_type"] == "bearer"
    assert bearer(body["access_token"]).get(COURSES).status_code == 200

    expired = bearer(token(app, "read", seconds=1))
    import time

    time.sleep(2.1)
    assert expired.get(COURSES).status_code == 401
    past = {"permissions": {"scopes": ["read"]}, "expiry": "2000-01-01T00:00:00Z"}
    assert app.post("/api/v2/appManagement/token", past, format="json").status_code == 400
    unknown = {"permissions": {"scopes": ["root access!"]}}
    assert app.post("/api/v2/appManagement/token", unknown, format="json").status_code == 400


@pytest.mark.django_db
def test_a_token_of_a_deleted_vle_stops_working(app, owned, vle):
    client = bearer(token(app, "read"))
    vle.delete()

    assert client.get(COURSES).status_code == 401


@pytest.mark.django_db
def test_import_jobs_of_another_vle_are_404(app, foreign_app, upload):
    _, job = upload(app, "golf", packages.scorm12_package())

    assert foreign_app.get(f"{COURSES}/importJobs/{job['jobId']}").status_code == 404
    assert foreign_app.get(f"{COURSES}/importJobs/not-a-uuid").status_code == 404
    # The same course id is free for another application.
    _, theirs = upload(foreign_app, "golf", packages.scorm12_package())
    assert theirs["status"] == "COMPLETE"
    assert Course.objects.filter(course_id="golf").count() == 2


@pytest.mark.django_db
def test_the_client_style_double_slash_path_is_served(app, owned):
    assert app.get("/api/v2//courses/mine").status_code == 200
