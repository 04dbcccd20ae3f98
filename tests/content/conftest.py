"""Clients of the Course Service (a VLE with HTTP basic credentials) and a helper that
imports a package and runs its job, as the embedded job engine does after the commit."""

import base64

import pytest
from rest_framework.test import APIClient

from tests import factories

COURSES = "/api/v2/courses"


def basic_client(vle) -> APIClient:
    credentials = vle.issue_credentials()
    client = APIClient()
    raw = f"{credentials['role_id']}:{credentials['secret_id']}".encode()
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(raw).decode())
    client.vle = vle
    return client


@pytest.fixture
def app(vle):
    """Our VLE, calling with its role_id:secret_id."""
    return basic_client(vle)


@pytest.fixture
def foreign_app(other_institution):
    """A VLE of another institution."""
    return basic_client(factories.vle(other_institution))


@pytest.fixture
def sibling_app(other_vle):
    """Another VLE of our own institution: still another application."""
    return basic_client(other_vle)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(client, course_id, data, **query) -> (response of the upload, job status body).

    The job runs when the request's transaction commits, as it does without a broker."""

    def run(client, course_id, data, *, filename="package.zip", headers=None, **query):
        from django.core.files.uploadedfile import SimpleUploadedFile

        params = {"courseId": course_id, **{k: str(v) for k, v in query.items()}}
        url = f"{COURSES}/importJobs/upload?" + "&".join(f"{k}={v}" for k, v in params.items())
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {"file": SimpleUploadedFile(filename, data, content_type="application/zip")},
                format="multipart",
                **(headers or {}),
            )
        if response.status_code != 200:
            return response, None
        status = client.get(f"{COURSES}/importJobs/{response.json()['result']}")
        assert status.status_code == 200, status.content
        return response, status.json()

    return run


@pytest.fixture
def short_lived_connections(monkeypatch):
    """The live server answers each request in a new thread; with persistent connections each
    thread would keep one open and the test database could not be dropped afterwards."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
