"""Item 8 of the security pass: every body is capped, multipart included, before it is read."""

import http.client
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from scripts import live_server

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


@pytest.fixture
def gunicorn(tmp_path):
    """The server as deployed. (Django's development server drains unread bodies, gunicorn
    drops them with the connection.)"""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true"}
    with live_server.gunicorn(env, workers=1) as port:
        yield port


def send_headers_only(port, path, content_type, length):
    """Declare a `length`-byte body, send only its first bytes, and wait for the answer: a
    server that read the body before answering would hang here."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    connection.send(b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n')
    started = time.monotonic()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body, time.monotonic() - started


def test_an_anonymous_60_mb_multipart_login_is_413_at_once(gunicorn):
    response, body, elapsed = send_headers_only(
        gunicorn, "/api/v2/auth/login", "multipart/form-data; boundary=x", 60 * MB
    )
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert b"too large" in body
    # "Within seconds": the answer does not wait for the 60 MB (a loaded CI machine may
    # take a few seconds for anything).
    assert elapsed < 10


@pytest.mark.django_db
def test_a_30_mb_body_to_a_json_endpoint_is_413(api, institution):
    body = b'{"name": "' + b"a" * (30 * MB) + b'"}'
    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


@pytest.mark.django_db
def test_bodies_under_the_cap_are_served(api, institution):
    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/", {"name": "g"}, format="json"
    )
    assert response.status_code == 201


def test_the_cap_follows_the_attachment_limit():
    # An attachment of ATTACHMENT_MAX_BYTES travels as base64 inside JSON, so the body cap
    # leaves room for that and no more.
    assert settings.ATTACHMENT_MAX_BYTES * 4 / 3 < settings.REQUEST_BODY_MAX_BYTES
    assert settings.REQUEST_BODY_MAX_BYTES < 30 * MB


def test_the_docker_proxy_applies_the_same_cap():
    import re

    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    compose = (ROOT / "docker-compose.yml").read_text()
    app_cap = int(re.search(r'REQUEST_BODY_MAX_BYTES: "(\d+)"', compose).group(1))
    assert app_cap == settings.REQUEST_BODY_MAX_BYTES
    # nginx rounds up to whole mebibytes: it lets through at most one more MiB than the app.
    assert app_cap <= megabytes * MB < app_cap + MB
