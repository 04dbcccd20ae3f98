"""Activity instruments (vle-api.md §8, Python SDK add/update/find_instrument) and launchers
(§1.4 as the plugins call it: real-clients.md §3.7, anchor-core §3.10)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests.vle_tree.conftest import FA, FR, KS, PLAG, configure
from vle.models import ActivityInstrument, AssessmentSession, Launcher

pytestmark = pytest.mark.django_db

AUTH_TOKEN = "/api/v2/auth/token"


# Activity instruments ------------------------------------------------------------------------


def test_python_sdk_add_instrument(vle_api, activity_url, activity):
    body = {
        "instrument": FR,
        "active": True,
        "required": True,
        "options": {"online": True},
        "alternative_to": None,
    }
    response = vle_api.post(f"{activity_url}/instrument/", body)
    assert response.status_code == 201, response.content
    row = ActivityInstrument.objects.get(pk=response.json()["id"])
    assert (row.activity_id, row.instrument_id, row.active, row.options) == (
        activity.pk,
        FR,
        True,
        {"online": True},
    )
    assert response.json()["instrument"] == FR
    assert response.json()["activity"]["id"] == activity.pk


def test_find_instrument_by_instrument_id(vle_api, activity_url, activity):
    configure(activity, FR)
    row = configure(activity, KS)
    body = vle_api.get(f"{activity_url}/instrument/?instrument_id={KS}").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == row.pk


def test_update_instrument(vle_api, activity_url, activity):
    row = configure(activity, FR)
    body = {
        "instrument": FR,
        "active": False,
        "required": False,
        "options": None,
        "alternative_to": None,
    }
    response = vle_api.put(f"{activity_url}/instrument/{row.pk}/", body)
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.active is False


def test_instrument_options_required_but_nullable(vle_api, activity_url):
    response = vle_api.post(f"{activity_url}/instrument/", {"instrument": FR, "active": True})
    assert response.status_code == 400
    assert "options" in response.json()
    response = vle_api.post(
        f"{activity_url}/instrument/", {"instrument": FR, "active": True, "options": None}
    )
    assert response.status_code == 201


def test_one_row_per_instrument(vle_api, activity_url, activity):
    configure(activity, FR)
    response = vle_api.post(
        f"{activity_url}/instrument/", {"instrument": FR, "active": True, "options": None}
    )
    assert response.status_code == 400
    assert "instrument" in response.json()


def test_unknown_instrument_is_400(vle_api, activity_url):
    response = vle_api.post(
        f"{activity_url}/instrument/", {"instrument": 999, "active": True, "options": None}
    )
    assert response.status_code == 400
    assert "instrument" in response.json()


def test_alternative_must_be_of_the_same_activity(vle_api, activity_url, course, activity):
    foreign_row = configure(factories.activity(course), FR)
    body = {"instrument": KS, "active": True, "options": None, "alternative_to": foreign_row.pk}
    response = vle_api.post(f"{activity_url}/instrument/", body)
    assert response.status_code == 400
    assert "alternative_to" in response.json()
    primary = configure(activity, FR)
    body["alternative_to"] = primary.pk
    assert vle_api.post(f"{activity_url}/instrument/", body).status_code == 201


def test_options_must_fit_the_instrument_schema(vle_api, activity_url):
    body = {"instrument": FR, "active": True, "options": {"online": "yes"}}
    response = vle_api.post(f"{activity_url}/instrument/", body)
    assert response.status_code == 400
    assert "options" in response.json()


def test_instrument_row_of_another_activity_is_404(vle_api, activity_url, course):
    row = configure(factories.activity(course), FR)
    assert vle_api.get(f"{activity_url}/instrument/{row.pk}/").status_code == 404


def test_delete_instrument_row(vle_api, activity_url, activity):
    row = configure(activity, PLAG)
    assert vle_api.delete(f"{activity_url}/instrument/{row.pk}/").status_code == 204
    assert not ActivityInstrument.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("rows", [2, 5])
def test_instrument_list_costs_fixed_queries(
    vle_api, activity_url, activity, rows, django_assert_max_num_queries
):
    for instrument_id in range(1, rows + 1):
        configure(activity, instrument_id)
    with django_assert_max_num_queries(9):
        body = vle_api.get(f"{activity_url}/instrument/").json()
    assert body["count"] == rows


# Launchers -----------------------------------------------------------------------------------

PLUGIN_LAUNCHER = {"target": "DASHBOARD", "ttl": 120, "session_id": None, "target_url": None}


@override_settings(DASHBOARD_URL="https://tesla.example")
def test_launcher_url_and_single_use_exchange(vle_api, base, instructor, api):
    body = {**PLUGIN_LAUNCHER, "vle_user_uid": instructor.institution_user.uid}
    response = vle_api.post(f"{base}/launcher/", body)
    assert response.status_code == 200, response.content
    launcher = response.json()
    url = urlsplit(launcher["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://tesla.example/ui/auth/launcher"
    # The Moodle plugin takes what precedes the first "auth" as the dashboard base.
    assert launcher["url"][: launcher["url"].index("auth")] == "https://tesla.example/ui/"
    query = parse_qs(url.query)
    assert query == {"id": [str(launcher["id"])], "token": [launcher["token"]]}

    anonymous = api("anonymous")
    exchange = {"id": str(launcher["id"]), "token": launcher["token"]}
    pair = anonymous.post(AUTH_TOKEN, exchange)
    assert pair.status_code == 200
    assert set(pair.json()) == {"access_token", "refresh_token"}
    profile = anonymous.get(
        "/api/v2/auth/profile", HTTP_AUTHORIZATION=f"JWT {pair.json()['access_token']}"
    )
    assert profile.json()["id"] == instructor.pk
    assert anonymous.post(AUTH_TOKEN, exchange).status_code == 401


def test_launcher_minimal_body_as_php_create(vle_api, base, instructor):
    response = vle_api.post(f"{base}/launcher/", {"vle_user_uid": instructor.institution_user.uid})
    assert response.status_code == 200
    launcher = Launcher.objects.get(pk=response.json()["id"])
    assert launcher.target == Launcher.Target.DASHBOARD
    assert launcher.refresh_minutes == 120


def test_expired_launcher_does_not_exchange(vle_api, base, instructor, api):
    launcher = vle_api.post(
        f"{base}/launcher/", {"vle_user_uid": instructor.institution_user.uid, "ttl": 1}
    ).json()
    Launcher.objects.filter(pk=launcher["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = api("anonymous").post(
        AUTH_TOKEN, {"id": str(launcher["id"]), "token": launcher["token"]}
    )
    assert response.status_code == 401


def test_unknown_user_is_404(vle_api, base):
    assert vle_api.post(f"{base}/launcher/", {"vle_user_uid": "nobody"}).status_code == 404


def test_user_of_another_institution_is_404(vle_api, base, foreign_admin):
    body = {"vle_user_uid": foreign_admin.institution_user.uid}
    assert vle_api.post(f"{base}/launcher/", body).status_code == 404


def test_lapi_launcher_needs_a_learner(vle_api, base, instructor, learner, api):
    response = vle_api.post(
        f"{base}/launcher/", {"vle_user_uid": instructor.institution_user.uid, "target": "LAPI"}
    )
    assert response.status_code == 400
    assert "target" in response.json()
    response = vle_api.post(
        f"{base}/launcher/", {"vle_user_uid": learner.institution_user.uid, "target": "lapi"}
    )
    assert response.status_code == 200
    launcher = response.json()
    pair = api("anonymous").post(
        AUTH_TOKEN, {"id": str(launcher["id"]), "token": launcher["token"]}
    )
    assert pair.status_code == 200


def test_launcher_session_must_be_the_users_session_of_this_vle(
    vle_api, base, learner, other_vle, course
):
    learner_row = learner.institution_user.learner
    own = AssessmentSession.objects.create(activity=factories.activity(course), learner=learner_row)
    foreign = AssessmentSession.objects.create(
        activity=factories.activity(factories.course(other_vle)), learner=learner_row
    )
    body = {"vle_user_uid": learner.institution_user.uid}
    assert vle_api.post(f"{base}/launcher/", {**body, "session_id": foreign.pk}).status_code == 404
    response = vle_api.post(f"{base}/launcher/", {**body, "session_id": own.pk})
    assert response.status_code == 200
    assert Launcher.objects.get(pk=response.json()["id"]).session_id == own.pk


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "vle_user_uid"),
        ({"vle_user_uid": "u", "target": "ELSEWHERE"}, "target"),
        ({"vle_user_uid": "u", "ttl": 0}, "ttl"),
        ({"vle_user_uid": "u", "ttl": "long"}, "ttl"),
        ({"vle_user_uid": "u", "session_id": "x"}, "session_id"),
    ],
)
def test_bad_launcher_bodies_are_400(vle_api, base, body, field):
    response = vle_api.post(f"{base}/launcher/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_fa_is_configurable_too(vle_api, activity_url):
    response = vle_api.post(
        f"{activity_url}/instrument/", {"instrument": FA, "active": True, "options": None}
    )
    assert response.status_code == 201
