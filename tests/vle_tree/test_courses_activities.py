"""Courses and activities of the VLE tree, as the PHP SDK / Moodle plugin and the Python SDK
call them (real-clients.md §2.2, §3.3, §3.5, §4.3)."""

import pytest

from tests import factories
from vle.models import Activity, Course

pytestmark = pytest.mark.django_db

PHP_COURSE = {
    "code": "MATH101",
    "vle": 0,  # replaced by the VLE id in the tests
    "vle_course_id": "7",
    "description": "Mathematics",
    "start": "1970-01-01T00:00:00Z",
    "end": None,
    "parent": None,
}


def php_course(the_vle, **changes):
    return {**PHP_COURSE, "vle": the_vle.pk, **changes}


# Courses -------------------------------------------------------------------------------------


def test_php_course_create_ignores_vle_and_parent(vle_api, base, vle, other_vle):
    response = vle_api.post(f"{base}/course/", php_course(vle, vle=other_vle.pk), format="json")
    assert response.status_code == 201, response.content
    course = Course.objects.get(pk=response.json()["id"])
    assert course.vle_id == vle.pk
    body = response.json()
    assert body["vle"]["id"] == vle.pk
    assert body["vle"]["type"] == "MOODLE"
    assert body["vle"]["institution"]["id"] == vle.institution_id
    assert body["enabled"] is False
    assert body["start"] == "1970-01-01T00:00:00Z"


def test_course_ids_may_be_numbers(vle_api, base, vle):
    response = vle_api.post(f"{base}/course/", php_course(vle, vle_course_id=7, code=101))
    assert response.status_code == 201, response.content
    assert response.json()["vle_course_id"] == "7"
    found = vle_api.get(f"{base}/course/?vle_course_id=7").json()
    assert found["count"] == 1
    assert found["results"][0]["id"] == response.json()["id"]


def test_course_duplicate_vle_course_id_is_409(vle_api, base, vle, course):
    response = vle_api.post(f"{base}/course/", php_course(vle, vle_course_id=course.vle_course_id))
    assert response.status_code == 409
    assert "vle_course_id" in response.json()
    assert Course.objects.filter(vle=vle).count() == 1


def test_same_vle_course_id_in_another_vle_is_fine(vle_api, base, vle, other_vle):
    factories.course(other_vle, vle_course_id="7")
    assert vle_api.post(f"{base}/course/", php_course(vle)).status_code == 201


def test_course_lookup_and_put_as_the_plugin_syncs(vle_api, base, vle, course):
    found = vle_api.get(f"{base}/course/?vle_course_id={course.vle_course_id}")
    assert found.status_code == 200
    assert found.json()["count"] == 1
    course_id = found.json()["results"][0]["id"]
    body = php_course(vle, vle_course_id=course.vle_course_id, code="NEW", start=None)
    response = vle_api.put(f"{base}/course/{course_id}/", body)
    assert response.status_code == 200, response.content
    course.refresh_from_db()
    assert course.code == "NEW"
    assert course.start is None


def test_course_put_to_a_taken_vle_course_id_is_409(vle_api, base, vle, course):
    other = factories.course(vle, vle_course_id="other")
    response = vle_api.put(
        f"{base}/course/{other.pk}/", php_course(vle, vle_course_id=course.vle_course_id)
    )
    assert response.status_code == 409
    assert "vle_course_id" in response.json()


def test_empty_list_has_count_and_results(vle_api, base):
    body = vle_api.get(f"{base}/course/?vle_course_id=nothing&unknown=1").json()
    assert body["count"] == 0
    assert body["results"] == []


def test_course_get_without_trailing_slash(vle_api, base, course):
    response = vle_api.get(f"{base}/course/{course.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == course.pk


def test_course_enabled_follows_its_activities(vle_api, base, course):
    factories.activity(course, enabled=False)
    assert vle_api.get(f"{base}/course/{course.pk}/").json()["enabled"] is False
    factories.activity(course, enabled=True)
    assert vle_api.get(f"{base}/course/{course.pk}/").json()["enabled"] is True
    assert vle_api.get(f"{base}/course/").json()["results"][0]["enabled"] is True


def test_course_delete(vle_api, base, course):
    assert vle_api.delete(f"{base}/course/{course.pk}/").status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"vle_course_id": "1"}, "code"),
        ({"code": "C"}, "vle_course_id"),
        ({"code": "C", "vle_course_id": "x" * 251}, "vle_course_id"),
        ({"code": "C", "vle_course_id": "1", "start": "yesterday"}, "start"),
        ({"code": ["C"], "vle_course_id": "1"}, "code"),
        ({"code": "C", "vle_course_id": True}, "vle_course_id"),
    ],
)
def test_bad_course_bodies_are_400_naming_the_field(vle_api, base, body, field):
    response = vle_api.post(f"{base}/course/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_non_object_and_malformed_json_are_400(vle_api, base):
    assert vle_api.post(f"{base}/course/", [1, 2], format="json").status_code == 400
    response = vle_api.generic(
        "POST", f"{base}/course/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("rows", [2, 12])
def test_course_list_costs_fixed_queries(vle_api, base, vle, rows, django_assert_max_num_queries):
    for _ in range(rows):
        factories.activity(factories.course(vle), enabled=True)
    with django_assert_max_num_queries(6):
        body = vle_api.get(f"{base}/course/?limit=20").json()
    assert body["count"] == rows


# Activities ----------------------------------------------------------------------------------

PHP_ACTIVITY = {
    "vle_id": 0,
    "name": "Essay",
    "description": "<p>Write</p>",
    "vle_activity_type": "assign",
    "vle_activity_id": "42",
    "start": "1970-01-01T00:00:00Z",
    "end": "2030-01-01T00:00:00Z",
    "conf": None,
}


def test_php_activity_create_is_disabled_by_default(vle_api, course_url, vle, course):
    body = {**PHP_ACTIVITY, "vle_id": vle.pk}
    response = vle_api.post(f"{course_url}/activity/", body)
    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["id"])
    assert (activity.vle_id, activity.course_id, activity.enabled) == (vle.pk, course.pk, False)
    assert response.json()["enabled"] is False
    assert response.json()["course"]["id"] == course.pk
    assert response.json()["course"]["vle"]["id"] == vle.pk


def test_php_activity_lookup_without_trailing_slash(vle_api, course_url, activity):
    url = (
        f"{course_url}/activity?vle_activity_id={activity.vle_activity_id}"
        f"&vle_activity_type={activity.vle_activity_type}"
    )
    response = vle_api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == activity.pk
    assert body["results"][0]["enabled"] is False


def test_lookup_by_type_alone_does_not_match_other_types(vle_api, course_url, course, activity):
    factories.activity(course, vle_activity_type="assign", vle_activity_id=activity.vle_activity_id)
    url = f"{course_url}/activity?vle_activity_id={activity.vle_activity_id}&vle_activity_type=quiz"
    assert vle_api.get(url).json()["count"] == 1


def test_php_activity_patch_keeps_enabled(vle_api, course_url, vle, activity):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    body = {
        "vle_id": str(vle.pk),
        "vle_activity_type": activity.vle_activity_type,
        "vle_activity_id": int(activity.vle_activity_id),
        "name": "Renamed",
    }
    response = vle_api.patch(f"{course_url}/activity/{activity.pk}/", body)
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert (activity.name, activity.enabled) == ("Renamed", True)
    assert response.json()["enabled"] is True
    assert response.json()["course"]["enabled"] is True


def test_activity_patch_can_enable(vle_api, course_url, activity):
    response = vle_api.patch(f"{course_url}/activity/{activity.pk}/", {"enabled": True})
    assert response.json()["enabled"] is True
    activity.refresh_from_db()
    assert activity.enabled is True


def test_activity_conf_object_is_stored_as_json_text(vle_api, course_url):
    body = {"vle_activity_type": "quiz", "vle_activity_id": "9", "conf": {"a": 1}, "enabled": True}
    response = vle_api.post(f"{course_url}/activity/", body)
    assert response.status_code == 201, response.content
    assert response.json()["conf"] == '{"a": 1}'
    assert response.json()["enabled"] is True


def test_activity_type_and_id_unique_within_the_vle(vle_api, base, vle, activity):
    other_course = factories.course(vle)
    body = {
        "vle_activity_type": activity.vle_activity_type,
        "vle_activity_id": activity.vle_activity_id,
    }
    response = vle_api.post(f"{base}/course/{other_course.pk}/activity/", body)
    assert response.status_code == 409
    assert "vle_activity_id" in response.json()


def test_activity_delete_without_trailing_slash(vle_api, course_url, activity):
    assert vle_api.delete(f"{course_url}/activity/{activity.pk}").status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_activity_of_another_course_is_404(vle_api, base, vle, activity):
    other_course = factories.course(vle)
    assert (
        vle_api.get(f"{base}/course/{other_course.pk}/activity/{activity.pk}/").status_code == 404
    )


def test_empty_course_id_in_path_is_404(vle_api, base):
    assert vle_api.get(f"{base}/course//activity?vle_activity_id=1").status_code == 404


@pytest.mark.parametrize("rows", [2, 12])
def test_activity_list_costs_fixed_queries(
    vle_api, course_url, course, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        factories.activity(course)
    with django_assert_max_num_queries(8):
        body = vle_api.get(f"{course_url}/activity/?limit=20").json()
    assert body["count"] == rows


# The VLE itself and its instruments -----------------------------------------------------------


def test_vle_list_holds_only_the_caller(vle_api, vle, other_vle, foreign_vle):
    body = vle_api.get("/api/v2/vle/").json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [vle.pk]


def test_vle_read(vle_api, base, vle):
    body = vle_api.get(f"{base}/").json()
    assert body["id"] == vle.pk
    assert body["type"] == "MOODLE"
    assert body["institution"]["id"] == vle.institution_id


def test_vle_instruments_are_the_enabled_ones(vle_api, base, instruments_on):
    instruments_on["ks"].enabled = False
    instruments_on["ks"].save()
    body = vle_api.get(f"{base}/instrument/").json()
    assert sorted(row["acronym"] for row in body["results"]) == ["fa", "fr", "plag", "vr"]
    assert vle_api.get(f"{base}/instrument/{instruments_on['ks'].pk}/").status_code == 404
    assert vle_api.get(f"{base}/instrument/{instruments_on['fr'].pk}/").json()["acronym"] == "fr"
