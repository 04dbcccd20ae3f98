"""Signed links download stored files without credentials, and only while valid."""

import time
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tesla.signing import signed_file_url


@pytest.fixture
def stored(db):
    return default_storage.save("private/evidence.json", ContentFile(b'{"a": 1}'))


def test_a_signed_link_downloads_the_file_without_a_token(client, stored):
    url = signed_file_url(stored, filename="evidence.json", content_type="application/json")
    assert url.startswith("http://127.0.0.1:8000/api/v2/files/")
    assert url.endswith("/evidence.json")
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert b"".join(response.streaming_content) == b'{"a": 1}'


def test_an_edited_link_is_a_json_404(client, stored):
    url = signed_file_url(stored, filename="evidence.json").removeprefix("http://127.0.0.1:8000")
    token = url.split("/")[4]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    response = client.get(forged)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_expired_link_is_410(client, stored):
    url = signed_file_url(stored, filename="e.json", max_age=5).removeprefix(
        "http://127.0.0.1:8000"
    )
    with mock.patch("tesla.signing.time.time", return_value=time.time() + 6):
        response = client.get(url)
    assert response.status_code == 410


def test_a_link_to_a_deleted_file_is_404(client, stored):
    url = signed_file_url(stored, filename="e.json").removeprefix("http://127.0.0.1:8000")
    default_storage.delete(stored)
    assert client.get(url).status_code == 404


def test_a_link_only_reads(client, stored):
    url = signed_file_url(stored, filename="e.json").removeprefix("http://127.0.0.1:8000")
    assert client.post(url).status_code == 405
