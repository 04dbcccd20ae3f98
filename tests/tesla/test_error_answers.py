"""Item 10 of the security pass: never a 500 from input, never HTML from the API."""

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.tesla.test_every_endpoint import OPERATIONS, fill

pytestmark = pytest.mark.django_db
PATHS = sorted({path for path, _ in OPERATIONS})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/nothing-here/",
        "/api/v2/institution/1/nothing/",
        "/api/unknown",
        "/lapi/v1/nothing",
        "/lapi/v1/verification/1/not-a-uuid/x/",
        "/health/extra",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_json_404(path, method):
    response = getattr(APIClient(), method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_the_admin_site_keeps_its_html_404(global_admin):
    client = APIClient()
    client.force_login(global_admin)
    response = client.get("/admin/nothing-here/")
    assert response.status_code == 404
    assert "json" not in response["Content-Type"]


@pytest.mark.parametrize("path", PATHS)
def test_options_never_fails(api, institution, vle, course, activity, learner, path):
    """OPTIONS (what a browser's CORS preflight or a curious client sends) on every path,
    with real parents, answers JSON and never a server error."""
    member = learner.institution_user
    url = fill(
        path,
        {
            "institution_pk": institution.pk,
            "institution_id": institution.pk,
            "vle_pk": vle.pk,
            "vle_id": vle.pk,
            "course_pk": course.pk,
            "activity_pk": activity.pk,
            "learner_id": member.learner.learner_id,
        },
        default=member.pk,
    )
    for persona in ("global_admin", "learner_token", "vle"):
        response = api(persona).options(url)
        assert response.status_code < 500, (persona, response.content[:300])
        assert response["Content-Type"].startswith("application/json")


def test_options_on_the_lapi_verification_endpoint(institution, learner):
    member = learner.institution_user
    client = factories.client_for(member.learner)
    response = client.options(
        f"/lapi/v1/verification/{institution.pk}/{member.learner.learner_id}/"
    )
    assert response.status_code == 200
    assert response.json()["name"]


def generated_schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(public=True)


def test_fields_read_through_nullable_columns_are_documented_nullable():
    components = generated_schema()["components"]["schemas"]
    holders = {name: c for name, c in components.items() if "last_login" in c.get("properties", {})}
    assert len(holders) >= 5
    for name, component in holders.items():
        assert component["properties"]["last_login"].get("nullable") is True, name


def test_every_operation_documents_its_error_answers():
    for path, item in generated_schema()["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = set(operation["responses"])
            assert "503" in codes, (method, path)
            if not path.startswith("/api/v2/auth/"):
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in {"post", "put", "patch"}:
                assert {"400", "413"} <= codes, (method, path)
