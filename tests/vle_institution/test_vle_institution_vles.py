"""§2 Institution VLEs: registration with LTI settings and credentials, renewal of the secret,
validation."""

import uuid

import pytest

from tests import factories
from vle.models import VLE


def approle(api, credentials) -> int:
    return api("anonymous").post("/api/v2/auth/approle", credentials, format="json").status_code


def test_create_returns_credentials_once_and_generates_lti(api, institution, urls):
    client = api("inst_admin")
    response = client.post(
        urls.vle(), {"type": 0, "name": "Campus", "url": "https://moodle.example.org/"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    vle = VLE.objects.get(pk=body["id"])
    assert vle.institution == institution
    assert set(body["credentials"]) == {"role_id", "secret_id"}
    assert body["credentials"]["role_id"] == vle.role_id
    assert vle.check_secret_id(body["credentials"]["secret_id"])
    lti = body["lti"]
    uuid.UUID(lti["consumer_key"], version=4)
    uuid.UUID(lti["consumer_secret"], version=4)
    assert lti["consumer_key"] != lti["consumer_secret"]
    assert lti["auth_login_url"] == "https://moodle.example.org/mod/lti/auth.php"
    assert lti["auth_token_url"] == "https://moodle.example.org/mod/lti/token.php"
    assert lti["key_set_url"] == "https://moodle.example.org/mod/lti/certs.php"
    assert vle.lti == lti
    # Never shown again.
    assert client.get(urls.vle(vle.pk)).json()["credentials"] is None
    assert all(item["credentials"] is None for item in client.get(urls.vle()).json()["results"])


def test_created_credentials_log_the_vle_in(api, urls):
    body = api("inst_admin").post(urls.vle(), {"type": 0, "name": "Campus"}).json()
    assert approle(api, body["credentials"]) == 200


def test_without_url_only_lti_1_1_keys(api, urls):
    lti = api("inst_admin").post(urls.vle(), {"type": 0, "name": "Campus"}).json()["lti"]
    assert set(lti) == {"consumer_key", "consumer_secret"}


def test_new_url_moves_lti_1_3_endpoints_and_keeps_the_key(api, urls):
    client = api("inst_admin")
    created = client.post(urls.vle(), {"type": 0, "name": "Campus", "url": "https://a.org"}).json()
    response = client.patch(urls.vle(created["id"]), {"url": "https://b.org"})
    assert response.status_code == 200
    lti = response.json()["lti"]
    assert lti["consumer_key"] == created["lti"]["consumer_key"]
    assert lti["auth_login_url"] == "https://b.org/mod/lti/auth.php"
    assert VLE.objects.get(pk=created["id"]).lti == lti


def test_renewed_credentials_replace_the_old_secret(api, urls):
    client = api("inst_admin")
    created = client.post(urls.vle(), {"type": 0, "name": "Campus"}).json()
    old = created["credentials"]
    response = client.post(urls.vle(created["id"], "credentials"))
    assert response.status_code == 201
    new = response.json()
    assert set(new) == {"role_id", "secret_id"}
    assert new["role_id"] == old["role_id"]
    assert new["secret_id"] != old["secret_id"]
    assert approle(api, old) == 401
    assert approle(api, new) == 200
    again = client.post(urls.vle(created["id"], "credentials")).json()
    assert approle(api, new) == 401
    assert approle(api, again) == 200


def test_credentials_of_a_vle_without_any_yet(api, urls, vle):
    response = api("inst_admin").post(urls.vle(vle.pk, "credentials"))
    assert response.status_code == 201
    assert approle(api, response.json()) == 200


def test_name_is_unique_across_institutions(api, urls, foreign_vle):
    response = api("inst_admin").post(urls.vle(), {"type": 0, "name": foreign_vle.name})
    assert response.status_code == 400
    assert "name" in response.json()


def test_put_needs_type_and_name_patch_does_not(api, urls, vle):
    client = api("inst_admin")
    response = client.put(urls.vle(vle.pk), {"url": "https://x.org"})
    assert response.status_code == 400
    assert {"type", "name"} <= set(response.json())
    response = client.patch(urls.vle(vle.pk), {"client_id": "abc"})
    assert response.status_code == 200
    vle.refresh_from_db()
    assert vle.client_id == "abc"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "MOODLE", "name": "a"}, "type"),
        ({"type": 7, "name": "a"}, "type"),
        ({"type": [0], "name": "a"}, "type"),
        ({"type": 0}, "name"),
        ({"type": 0, "name": ""}, "name"),
        ({"type": 0, "name": "x" * 251}, "name"),
        ({"type": 0, "name": {"a": 1}}, "name"),
        ({"type": 0, "name": "a", "client_id": ""}, "client_id"),
        ({"type": 0, "name": "a", "client_id": "x" * 251}, "client_id"),
        ({"type": 0, "name": "a", "url": 5}, "url"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, urls, body, field):
    response = api("inst_admin").post(urls.vle(), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not VLE.objects.filter(name="a").exists()


@pytest.mark.parametrize("raw", ["[1, 2]", "{not json", '"text"', "null"])
def test_malformed_or_non_object_bodies_are_400(api, urls, raw):
    response = api("inst_admin").post(urls.vle(), raw, content_type="application/json")
    assert response.status_code == 400


def test_institution_in_body_is_ignored(api, urls, institution, other_institution):
    response = api("inst_admin").post(
        urls.vle(), {"type": 0, "name": "Campus", "institution": other_institution.pk}
    )
    assert response.status_code == 201
    assert VLE.objects.get(pk=response.json()["id"]).institution == institution


def test_vle_of_another_institution_is_404(api, urls, foreign_vle):
    client = api("inst_admin")
    assert client.get(urls.vle(foreign_vle.pk)).status_code == 404
    assert client.patch(urls.vle(foreign_vle.pk), {"name": "x"}).status_code == 404
    assert client.post(urls.vle(foreign_vle.pk, "credentials")).status_code == 404
    assert client.delete(urls.vle(foreign_vle.pk)).status_code == 404
    assert VLE.objects.filter(pk=foreign_vle.pk, name=foreign_vle.name).exists()


def test_list_shows_only_the_institutions_vles(api, urls, vle, other_vle, foreign_vle):
    ids = {item["id"] for item in api("global_admin").get(urls.vle()).json()["results"]}
    assert ids == {vle.pk, other_vle.pk}


def test_delete_removes_the_vle_and_its_courses(api, urls, vle, course):
    assert api("inst_admin").delete(urls.vle(vle.pk)).status_code == 204
    assert not VLE.objects.filter(pk=vle.pk).exists()
    assert not type(course).objects.filter(pk=course.pk).exists()


def test_paths_without_trailing_slash_are_served(api, urls, vle):
    response = api("inst_admin").get(urls.vle(vle.pk).rstrip("/"))
    assert response.status_code == 200


def test_list_query_count_is_fixed(api, urls, institution, django_assert_max_num_queries):
    client = api("inst_admin")
    for _ in range(2):
        factories.vle(institution)
    # A page that shows the end of the list skips the count: compare two pages that do not.
    with django_assert_max_num_queries(8) as small:
        assert client.get(urls.vle(), {"limit": 1}).status_code == 200
    for _ in range(10):
        factories.vle(institution)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(urls.vle()).json()["results"]) == 10


@pytest.mark.parametrize("url", ["moodle.example.org", "ftp://x.org", "https://", "http://a b"])
def test_url_must_be_absolute_http(api, urls, url):
    response = api("inst_admin").post(urls.vle(), {"type": 0, "name": "a", "url": url})
    assert response.status_code == 400
    assert response.json()["url"] == ["Must be an absolute http or https URL."]


@pytest.mark.parametrize("url", ["http://moodle:8080", "https://lms.example.org/moodle"])
def test_container_and_path_urls_are_fine(api, urls, url):
    response = api("inst_admin").post(urls.vle(), {"type": 0, "name": "a", "url": url})
    assert response.status_code == 201
    assert response.json()["lti"]["key_set_url"] == f"{url}/mod/lti/certs.php"
