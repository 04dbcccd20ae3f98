"""Behaviour every endpoint shares: paths, errors, body caps, health, schema."""

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from tesla.middleware import TolerantPathMiddleware


@pytest.mark.parametrize(
    "given, served",
    [
        ("/api/v2/auth/login", "/api/v2/auth/login"),
        ("/api/v2/auth/login/", "/api/v2/auth/login"),
        ("//api/v2/auth/login", "/api/v2/auth/login"),
        ("/api/v2//auth/login", "/api/v2/auth/login"),
        ("/elsewhere/nothing", "/elsewhere/nothing"),
    ],
)
def test_paths_are_served_as_clients_spell_them(given, served):
    request = RequestFactory().post("/")
    request.path_info = given
    seen = []
    TolerantPathMiddleware(lambda r: seen.append(r.path_info))(request)

    assert seen == [served]


@pytest.mark.django_db
def test_health_answers_when_the_database_does():
    response = APIClient().get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_schema_and_docs_are_served():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = APIClient().get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/v2/auth/approle" in schema.json()["paths"]
    assert docs.status_code == 200


@pytest.mark.django_db
def test_json_bodies_over_the_cap_are_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"email": "x@example.org", "password": "p" * 5000}

    response = APIClient().post("/api/v2/auth/login", body, format="json")

    assert response.status_code == 413
    assert "detail" in response.json()


class Failing(APIView):
    authentication_classes = []
    permission_classes = []
    error: Exception

    def get(self, request):
        raise self.error


@pytest.mark.parametrize(
    "error, status",
    [
        (IntegrityError("duplicate key"), 409),
        (ProtectedError("in use", set()), 409),
    ],
)
def test_database_conflicts_are_409_json(error, status):
    view = type("View", (Failing,), {"error": error}).as_view()

    response = view(APIRequestFactory().get("/"))

    assert response.status_code == status
    assert "detail" in response.data


def test_django_validation_errors_are_400_by_field():
    from django.core.exceptions import ValidationError

    view = type("View", (Failing,), {"error": ValidationError({"version": ["Bad."]})}).as_view()

    response = view(APIRequestFactory().get("/"))

    assert response.status_code == 400
    assert response.data == {"version": ["Bad."]}


def test_unhandled_errors_are_not_swallowed():
    view = type("View", (Failing,), {"error": RuntimeError("bug")}).as_view()

    with pytest.raises(RuntimeError):
        view(APIRequestFactory().get("/"))


def test_responses_default_to_json():
    class Hello(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            return Response({"hello": "world"})

    response = Hello.as_view()(APIRequestFactory().get("/", HTTP_ACCEPT="*/*"))
    response.render()

    assert response["Content-Type"].startswith("application/json")
