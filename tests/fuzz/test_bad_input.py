"""Input that once made the server answer 500, found by schema-driven fuzzing.

Each case is a request a client can send; the server must answer a 4xx JSON error that names
the field, never a 500. The body parsers reject NUL characters (PostgreSQL refuses them in
`text` and `jsonb` columns) and JSON nested too deeply (Python's decoder overflows its stack).
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Provider
from tesla.parsers import contains_nul
from tests import factories
from vle.models import Instrument

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Null characters are not allowed."
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.fixture
def fr_provider():
    return factories.provider(1)


# JSON nested too deeply ---------------------------------------------------------------------
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    "persona, method, url",
    [
        ("inst_admin", "post", "/api/v2/institution/{institution}/group/"),
        ("global_admin", "patch", "/api/v2/admin/instrument/1/"),
        ("anonymous", "post", "/api/v2/auth/login"),
        ("anonymous", "post", "/api/v2/auth/approle"),
        ("vle", "post", "/api/v2/vle/{vle}/course/"),
    ],
)
def test_json_nested_too_deeply_is_a_400(api, institution, vle, persona, method, url, body):
    url = url.format(institution=institution.pk, vle=vle.pk)

    response = getattr(api(persona), method)(url, body, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


# NUL characters in JSON fields ----------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    ["a\x00b", ["a\x00b"], {"key": "a\x00b"}, {"key\x00": 1}, {"deep": [{"er": "\x00"}]}],
    ids=["string", "list", "dict-value", "dict-key", "nested"],
)
def test_nul_in_a_provider_json_field_is_a_400_naming_it(api, fr_provider, value):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"

    response = api("global_admin").patch(url, {"options": value}, format="json")

    assert response.status_code == 400
    assert response.json() == {"options": [NUL_MESSAGE]}
    fr_provider.refresh_from_db()
    assert fr_provider.options is None


def test_nul_in_a_provider_options_schema_is_a_400_naming_it(api, fr_provider):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"

    response = api("global_admin").patch(url, {"options_schema": {"type": "a\x00"}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"options_schema": [NUL_MESSAGE]}


def test_nul_in_an_instrument_options_schema_is_a_400_naming_it(api):
    response = api("global_admin").patch(
        "/api/v2/admin/instrument/1/", {"options_schema": {"title\x00": "x"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"options_schema": [NUL_MESSAGE]}
    assert Instrument.objects.get(pk=1).options_schema != {"title\x00": "x"}


def test_every_field_holding_a_nul_is_named(api, fr_provider):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"

    response = api("global_admin").patch(
        url, {"name": "ok", "options": "\x00", "options_schema": ["\x00"]}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"options", "options_schema"}
    assert Provider.objects.get(pk=fr_provider.pk).name != "ok"


def test_nul_in_a_key_of_the_body_is_a_400(api, institution):
    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/",
        json.dumps({"name": "g", "bad\u0000key": 1}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"badkey": [NUL_MESSAGE]}


@pytest.mark.parametrize("body", ['["\\u0000"]', '"\\u0000"'], ids=["list", "string"])
def test_nul_in_a_body_that_is_not_an_object_is_a_400(api, institution, body):
    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [NUL_MESSAGE]}


def test_nul_in_a_login_body_is_a_400_naming_the_field(api):
    response = api("anonymous").post(
        "/api/v2/auth/login", {"email": "a\x00@example.org", "password": "x"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"email": [NUL_MESSAGE]}


# NUL characters in forms and uploads --------------------------------------------------------
def test_nul_in_a_form_field_is_a_400_naming_it(api, fr_provider):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"

    response = api("global_admin").patch(
        url, "options=a%00b", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json() == {"options": [NUL_MESSAGE]}


def test_nul_in_a_multipart_field_is_a_400_naming_it(api, fr_provider):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"

    response = api("global_admin").patch(url, {"options": "a\x00b"}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"options": [NUL_MESSAGE]}


def test_an_uploaded_file_name_with_a_nul_is_cleaned_not_refused(api, institution):
    """Django drops unprintable characters from upload names; other fields are checked."""
    upload = SimpleUploadedFile("consent\x00.pdf", b"%PDF-1.4", content_type="application/pdf")

    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/",
        {"name": "g\x00", "attachment": upload},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"name": [NUL_MESSAGE]}


def test_a_multipart_body_without_boundary_is_a_400(api, institution):
    response = api("inst_admin").post(
        f"/api/v2/institution/{institution.pk}/group/",
        b"name=g",
        content_type="multipart/form-data",
    )

    assert response.status_code == 400


# The check itself ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("plain", False),
        ("a\x00", True),
        ({"a": ["b", {"c": 1}]}, False),
        ({"a": ["b", {"c": "\x00"}]}, True),
        ({"\x00": 1}, True),
        ((1, 2.5, None, True), False),
    ],
)
def test_contains_nul_looks_at_every_string_key_and_file_name(value, expected):
    assert contains_nul(value) is expected


def test_deep_json_on_a_consent_document_is_a_400(api, institution):
    from django.utils import timezone

    from institution.models import InformedConsent

    consent = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now()
    )
    url = f"/api/v2/institution/{institution.pk}/ic/{consent.pk}/document/"

    response = api("legal_admin").post(
        url, "[" * 50_000 + "]" * 50_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


# Lone surrogates (a valid JSON escape that no database can store) ----------------------------
LONE_SURROGATE = '"\\ud800"'


def test_a_lone_surrogate_in_provider_options_is_a_400_naming_it(api, fr_provider):
    url = f"/api/v2/admin/instrument/1/provider/{fr_provider.pk}/"
    body = '{"options": {"k": ' + LONE_SURROGATE + "}}"

    response = api("global_admin").patch(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"options": ["Unpaired surrogate characters are not allowed."]}
    fr_provider.refresh_from_db()
    assert fr_provider.options is None


@pytest.mark.parametrize(
    "persona, url, field",
    [
        ("inst_admin", "/api/v2/institution/{institution}/group/", "name"),
        ("anonymous", "/api/v2/auth/login", "email"),
        ("vle", "/api/v2/vle/{vle}/course/", "description"),
    ],
)
def test_a_lone_surrogate_anywhere_is_a_400(api, institution, vle, persona, url, field):
    url = url.format(institution=institution.pk, vle=vle.pk)
    body = "{" + f'"{field}": {LONE_SURROGATE}' + "}"

    response = api(persona).post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
