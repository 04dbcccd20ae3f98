"""§8 Institution instruments (read-only, enabled ones) and the global-admin catalogue."""

import pytest

from tests.vle_institution.conftest import ADMIN_INSTRUMENTS
from vle.models import ActivityInstrument, Instrument


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# §8 ------------------------------------------------------------------------------------------


def test_only_enabled_instruments_ordered_by_acronym(api, urls):
    Instrument.objects.filter(pk__in=[1, 2, 5]).update(enabled=True)
    items = results(api("member").get(urls.instrument()))
    assert [item["acronym"] for item in items] == ["fr", "ks", "plag"]
    assert api("member").get(urls.instrument(3)).status_code == 404


def test_instrument_payload_has_options_schema_as_json(api, urls):
    Instrument.objects.filter(pk=1).update(enabled=True)
    body = api("learner").get(urls.instrument(1)).json()
    assert body["options_schema"]["properties"]["online"]["type"] == "boolean"
    assert {"name", "acronym", "queue", "requires_enrolment", "identity", "created_at"} <= set(body)


def test_instruments_are_read_only(api, urls):
    Instrument.objects.filter(pk=1).update(enabled=True)
    client = api("inst_admin")
    assert client.post(urls.instrument(), {"name": "x"}).status_code == 405
    assert client.patch(urls.instrument(1), {"name": "x"}).status_code == 405
    assert client.delete(urls.instrument(1)).status_code == 405


def test_instrument_list_query_count_is_fixed(api, urls, django_assert_max_num_queries):
    client = api("member")
    Instrument.objects.filter(pk__in=[1, 2]).update(enabled=True)
    with django_assert_max_num_queries(8) as small:
        assert len(results(client.get(urls.instrument()))) == 2
    for n in range(10):
        Instrument.objects.create(name=f"I{n}", acronym=f"i{n}", queue=f"q{n}", enabled=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(urls.instrument(), {"limit": 50}))) == 12


# Admin catalogue -----------------------------------------------------------------------------

SCHEMA = {"type": "object", "properties": {"level": {"type": "integer", "minimum": 1}}}


def test_admin_creates_an_instrument_with_a_schema(api):
    body = {"name": "Gaze", "acronym": "gz", "queue": "tesla_gz", "options_schema": SCHEMA}
    response = api("global_admin").post(ADMIN_INSTRUMENTS, body, format="json")
    assert response.status_code == 201, response.content
    instrument = Instrument.objects.get(pk=response.json()["id"])
    assert instrument.options_schema == SCHEMA
    assert instrument.enabled is False


def test_admin_lists_every_instrument_oldest_first(api):
    items = results(api("global_admin").get(ADMIN_INSTRUMENTS))
    assert [item["id"] for item in items] == [1, 2, 3, 4, 5]
    assert all(item["enabled"] is False for item in items)


@pytest.mark.parametrize(
    "schema",
    [{"type": 12}, {"properties": []}, {"minimum": "one"}, [1, 2], "text", 7],
)
def test_options_schema_must_be_a_json_schema(api, schema):
    body = {"name": "Gaze", "acronym": "gz", "queue": "tesla_gz", "options_schema": schema}
    response = api("global_admin").post(ADMIN_INSTRUMENTS, body, format="json")
    assert response.status_code == 400
    assert all(isinstance(message, str) for message in response.json()["options_schema"])
    assert not Instrument.objects.filter(acronym="gz").exists()


def test_options_schema_may_be_cleared(api):
    response = api("global_admin").patch(
        f"{ADMIN_INSTRUMENTS}1/", {"options_schema": None}, format="json"
    )
    assert response.status_code == 200
    assert Instrument.objects.get(pk=1).options_schema is None


@pytest.mark.parametrize("field, value", [("acronym", "fr"), ("queue", "tesla_fr")])
def test_acronym_and_queue_are_unique(api, field, value):
    body = {"name": "Dup", "acronym": "dup", "queue": "tesla_dup", field: value}
    response = api("global_admin").post(ADMIN_INSTRUMENTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"acronym": "a", "queue": "q"}, "name"),
        ({"name": "n", "queue": "q"}, "acronym"),
        ({"name": "n", "acronym": "x" * 31, "queue": "q"}, "acronym"),
        ({"name": "n", "acronym": "a", "queue": "q", "enabled": "maybe"}, "enabled"),
    ],
)
def test_admin_instrument_bad_input(api, body, field):
    response = api("global_admin").post(ADMIN_INSTRUMENTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_instrument_in_use_cannot_be_deleted(api, activity):
    ActivityInstrument.objects.create(activity=activity, instrument_id=2, active=True)
    assert api("global_admin").delete(f"{ADMIN_INSTRUMENTS}2/").status_code == 409
    assert Instrument.objects.filter(pk=2).exists()


def test_enabling_in_the_catalogue_shows_it_to_institutions(api, urls):
    api("global_admin").patch(f"{ADMIN_INSTRUMENTS}4/", {"enabled": True}, format="json")
    assert [item["id"] for item in results(api("member").get(urls.instrument()))] == [4]


def test_admin_list_query_count_is_fixed(api, django_assert_max_num_queries):
    client = api("global_admin")
    with django_assert_max_num_queries(8) as small:
        assert len(results(client.get(ADMIN_INSTRUMENTS))) == 5
    for n in range(10):
        Instrument.objects.create(name=f"I{n}", acronym=f"i{n}", queue=f"q{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(ADMIN_INSTRUMENTS, {"limit": 50}))) == 15
