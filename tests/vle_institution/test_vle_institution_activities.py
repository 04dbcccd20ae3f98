"""§17 Course activities and §18 activity instruments."""

import json

import pytest

from tests import factories
from vle.models import Activity, ActivityInstrument, Instrument


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# §17 Activities ------------------------------------------------------------------------------


def test_activity_payload(api, urls, course, activity):
    body = api("learner").get(urls.activity(course.pk, activity.pk)).json()
    assert body["id"] == activity.pk
    assert body["course_id"] == course.pk
    assert body["vle_id"] == course.vle_id
    assert body["vle_activity_type"] == "quiz"
    assert body["enabled"] is False


def test_put_with_only_enabled_switches_tesla_on(api, urls, course, activity):
    activity.conf = "keep"
    activity.save()
    response = api("instructor").put(urls.activity(course.pk, activity.pk), {"enabled": True})
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.enabled is True
    assert activity.conf == "keep"


def test_other_activity_fields_are_read_only(api, urls, course, activity):
    before = (activity.vle_activity_id, activity.name, activity.course_id)
    response = api("inst_admin").patch(
        urls.activity(course.pk, activity.pk),
        {"vle_activity_id": "hijack", "name": "x", "course_id": 999, "conf": "c"},
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.vle_activity_id, activity.name, activity.course_id) == before
    assert activity.conf == "c"


@pytest.mark.parametrize(
    "body, field", [({"enabled": "perhaps"}, "enabled"), ({"conf": ["a"]}, "conf")]
)
def test_activity_bad_update(api, urls, course, activity, body, field):
    response = api("inst_admin").patch(urls.activity(course.pk, activity.pk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_create_activity_in_the_courses_vle(api, urls, course):
    response = api("instructor").post(
        urls.activity(course.pk),
        {"vle_activity_type": "assign", "vle_activity_id": "77", "name": "Essay", "enabled": True},
    )
    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["id"])
    assert (activity.course, activity.vle_id) == (course, course.vle_id)
    assert activity.enabled is True
    assert response.json()["vle_id"] == course.vle_id


def test_create_activity_taken_in_the_vle_is_400(api, urls, course, vle):
    other_course = factories.course(vle)
    factories.activity(other_course, vle_activity_type="quiz", vle_activity_id="5")
    response = api("inst_admin").post(
        urls.activity(course.pk), {"vle_activity_type": "quiz", "vle_activity_id": "5"}
    )
    assert response.status_code == 400
    assert "vle_activity_id" in response.json()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"vle_activity_type": "quiz"}, "vle_activity_id"),
        ({"vle_activity_id": "1"}, "vle_activity_type"),
        ({"vle_activity_type": "q", "vle_activity_id": "x" * 251}, "vle_activity_id"),
        ({"vle_activity_type": "q", "vle_activity_id": "1", "start": "yesterday"}, "start"),
    ],
)
def test_create_activity_bad_input(api, urls, course, body, field):
    response = api("inst_admin").post(urls.activity(course.pk), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_activity_of_another_course_is_404(api, urls, course, vle):
    elsewhere = factories.activity(factories.course(vle))
    client = api("inst_admin")
    assert client.get(urls.activity(course.pk, elsewhere.pk)).status_code == 404
    assert (
        client.patch(urls.activity(course.pk, elsewhere.pk), {"enabled": True}).status_code == 404
    )


def test_delete_activity(api, urls, course, activity, face_row):
    assert api("instructor").delete(urls.activity(course.pk, activity.pk)).status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert not ActivityInstrument.objects.filter(pk=face_row.pk).exists()


def test_activity_filters(api, urls, course):
    wanted = factories.activity(course, vle_activity_type="assign", vle_activity_id="9")
    factories.activity(course, vle_activity_type="quiz", vle_activity_id="9b")
    items = results(
        api("inst_admin").get(
            urls.activity(course.pk), {"vle_activity_type": "assign", "vle_activity_id": "9"}
        )
    )
    assert [item["id"] for item in items] == [wanted.pk]


def test_activity_list_query_count_is_fixed(api, urls, course, django_assert_max_num_queries):
    client = api("instructor")
    for _ in range(2):
        factories.activity(course)
    with django_assert_max_num_queries(12) as small:
        assert len(results(client.get(urls.activity(course.pk)))) == 2
    for _ in range(10):
        factories.activity(course)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(urls.activity(course.pk), {"limit": 50}))) == 12


# §18 Activity instruments --------------------------------------------------------------------


@pytest.fixture
def ai_url(urls, course, activity):
    def build(pk=None):
        return urls.activity_instrument(course.pk, activity.pk, pk)

    return build


def post(api, url, body, persona="instructor"):
    return api(persona).post(url, body, format="json")


def test_configure_an_instrument(api, ai_url, activity):
    response = post(
        api, ai_url(), {"instrument_id": 1, "active": True, "options": {"online": True}}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["instrument_id"] == 1
    assert body["instrument"]["acronym"] == "fr"
    # Nested, the schema is JSON text: the dashboard's options dialog parses it again.
    assert json.loads(body["instrument"]["options_schema"])["type"] == "object"
    assert body["options"] == {"online": True}
    assert body["alternative_to"] is None
    row = ActivityInstrument.objects.get(pk=body["id"])
    assert (row.activity, row.instrument_id, row.active) == (activity, 1, True)


def test_listed_rows_nest_the_schema_as_json_text_as_the_dashboard_reads_it(api, ai_url):
    """`GET .../activity/{a}/instrument/`: the settings dialog renders
    `instrument.options_schema | jsonParse`; null stays null."""
    Instrument.objects.filter(pk=2).update(options_schema=None)
    assert post(api, ai_url(), {"instrument_id": 1, "active": True}).status_code == 201
    assert post(api, ai_url(), {"instrument_id": 2, "active": True}).status_code == 201
    rows = api("instructor").get(ai_url()).json()["results"]
    nested = {row["instrument"]["acronym"]: row["instrument"]["options_schema"] for row in rows}
    assert isinstance(nested["fr"], str)
    assert json.loads(nested["fr"]) == Instrument.objects.get(pk=1).options_schema
    assert nested["ks"] is None


def test_dashboard_body_with_json_string_options_and_extra_fields(api, ai_url):
    body = {
        "options": json.dumps({"online": False, "offline": True}),
        "instrument_id": 3,
        "required": False,
        "active": True,
        "alternative_to": None,
        "instrument": {"acronym": "ignored"},
    }
    response = post(api, ai_url(), body)
    assert response.status_code == 201, response.content
    assert ActivityInstrument.objects.get(pk=response.json()["id"]).options == {
        "online": False,
        "offline": True,
    }


@pytest.mark.parametrize(
    "options, message_part",
    [
        ({"online": "yes"}, "online"),
        ({"camera": True}, "camera"),
        ("{broken", "JSON"),
        ([1, 2], "object"),
        ("[1]", "object"),
        (7, "object"),
    ],
)
def test_options_are_validated_against_the_schema(api, ai_url, options, message_part):
    response = post(api, ai_url(), {"instrument_id": 1, "active": True, "options": options})
    assert response.status_code == 400
    messages = response.json()["options"]
    assert all(isinstance(message, str) for message in messages)
    messages = " ".join(messages)
    assert message_part in messages


def test_options_may_be_null_or_anything_for_schemaless_instruments(api, ai_url):
    assert post(api, ai_url(), {"instrument_id": 1, "active": True}).status_code == 201
    response = post(api, ai_url(), {"instrument_id": 2, "active": True, "options": {"any": 1}})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"active": True}, "instrument_id"),
        ({"instrument_id": 999, "active": True}, "instrument_id"),
        ({"instrument_id": "fr", "active": True}, "instrument_id"),
        ({"instrument_id": 1}, "active"),
        ({"instrument_id": 1, "active": "sometimes"}, "active"),
        ({"instrument_id": 1, "active": True, "alternative_to": "x"}, "alternative_to"),
        ({"instrument_id": 1, "active": True, "alternative_to": 999999}, "alternative_to"),
    ],
)
def test_activity_instrument_bad_input(api, ai_url, body, field):
    response = post(api, ai_url(), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not ActivityInstrument.objects.exists()


def test_one_row_per_instrument(api, ai_url, face_row):
    response = post(api, ai_url(), {"instrument_id": 1, "active": False})
    assert response.status_code == 400
    assert "instrument_id" in response.json()


def test_changing_to_an_instrument_already_configured_is_400(api, ai_url, face_row, activity):
    ks = ActivityInstrument.objects.create(activity=activity, instrument_id=2, active=True)
    response = api("instructor").patch(ai_url(ks.pk), {"instrument_id": 1}, format="json")
    assert response.status_code == 400
    assert "instrument_id" in response.json()


def test_alternative_of_a_primary_row(api, ai_url, face_row):
    response = post(
        api, ai_url(), {"instrument_id": 2, "active": True, "alternative_to": face_row.pk}
    )
    assert response.status_code == 201
    assert response.json()["alternative_to"] == face_row.pk


def test_alternative_must_be_in_the_same_activity(api, ai_url, course):
    elsewhere = factories.activity(course)
    foreign_row = ActivityInstrument.objects.create(
        activity=elsewhere, instrument_id=1, active=True
    )
    response = post(
        api, ai_url(), {"instrument_id": 2, "active": True, "alternative_to": foreign_row.pk}
    )
    assert response.status_code == 400
    assert "alternative_to" in response.json()


def test_alternative_cannot_replace_an_alternative(api, ai_url, face_row, activity):
    alternative = ActivityInstrument.objects.create(
        activity=activity, instrument_id=2, active=True, alternative_to=face_row
    )
    response = post(
        api, ai_url(), {"instrument_id": 4, "active": True, "alternative_to": alternative.pk}
    )
    assert response.status_code == 400
    assert "alternative_to" in response.json()


def test_row_cannot_be_its_own_alternative(api, ai_url, face_row):
    response = api("instructor").patch(
        ai_url(face_row.pk), {"alternative_to": face_row.pk}, format="json"
    )
    assert response.status_code == 400
    assert "alternative_to" in response.json()


def test_primary_with_alternatives_cannot_become_an_alternative(api, ai_url, face_row, activity):
    ActivityInstrument.objects.create(
        activity=activity, instrument_id=2, active=True, alternative_to=face_row
    )
    other_primary = ActivityInstrument.objects.create(
        activity=activity, instrument_id=4, active=True
    )
    response = api("instructor").patch(
        ai_url(face_row.pk), {"alternative_to": other_primary.pk}, format="json"
    )
    assert response.status_code == 400
    assert "alternative_to" in response.json()


def test_dashboard_put_keeps_alternative_to(api, ai_url, face_row, activity):
    alternative = ActivityInstrument.objects.create(
        activity=activity, instrument_id=2, active=True, alternative_to=face_row
    )
    response = api("instructor").put(
        ai_url(alternative.pk),
        {"active": False, "instrument_id": 2, "options": {}, "required": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    alternative.refresh_from_db()
    assert alternative.alternative_to == face_row
    assert alternative.active is False


def test_put_needs_instrument_and_active(api, ai_url, face_row):
    response = api("instructor").put(ai_url(face_row.pk), {"options": None}, format="json")
    assert response.status_code == 400
    assert {"instrument_id", "active"} <= set(response.json())


def test_new_instrument_rechecks_stored_options(api, ai_url, activity):
    Instrument.objects.filter(pk=2).update(
        options_schema={"type": "object", "additionalProperties": False}
    )
    row = ActivityInstrument.objects.create(
        activity=activity, instrument_id=4, active=True, options={"x": 1}
    )
    response = api("instructor").patch(ai_url(row.pk), {"instrument_id": 2}, format="json")
    assert response.status_code == 400
    assert "options" in response.json()
    row.refresh_from_db()
    assert row.instrument_id == 4


def test_delete_primary_removes_its_alternatives(api, ai_url, face_row, activity):
    alternative = ActivityInstrument.objects.create(
        activity=activity, instrument_id=2, active=True, alternative_to=face_row
    )
    assert api("instructor").delete(ai_url(face_row.pk)).status_code == 204
    assert not ActivityInstrument.objects.filter(pk__in=[face_row.pk, alternative.pk]).exists()


def test_row_of_another_activity_is_404(api, ai_url, course):
    elsewhere = factories.activity(course)
    row = ActivityInstrument.objects.create(activity=elsewhere, instrument_id=1, active=True)
    assert api("inst_admin").get(ai_url(row.pk)).status_code == 404
    assert api("inst_admin").delete(ai_url(row.pk)).status_code == 404


def test_activity_and_course_of_another_institution_are_404(api, urls, course, foreign_vle):
    foreign_course = factories.course(foreign_vle)
    foreign_activity = factories.activity(foreign_course)
    client = api("inst_admin")
    assert client.get(urls.activity_instrument(course.pk, foreign_activity.pk)).status_code == 404
    assert (
        client.get(urls.activity_instrument(foreign_course.pk, foreign_activity.pk)).status_code
        == 404
    )
    response = client.post(
        urls.activity_instrument(foreign_course.pk, foreign_activity.pk),
        {"instrument_id": 1, "active": True},
        format="json",
    )
    assert response.status_code == 404
    assert not ActivityInstrument.objects.exists()


def test_activity_instrument_list_query_count_is_fixed(
    api, ai_url, activity, django_assert_max_num_queries
):
    extra = [
        Instrument.objects.create(name=f"I{n}", acronym=f"i{n}", queue=f"q{n}") for n in range(12)
    ]
    client = api("instructor")
    for instrument in extra[:2]:
        ActivityInstrument.objects.create(activity=activity, instrument=instrument, active=True)
    with django_assert_max_num_queries(12) as small:
        assert len(results(client.get(ai_url()))) == 2
    for instrument in extra[2:]:
        ActivityInstrument.objects.create(activity=activity, instrument=instrument, active=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(ai_url(), {"limit": 50}))) == 12
