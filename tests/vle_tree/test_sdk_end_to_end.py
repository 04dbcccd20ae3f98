"""A VLE plugin's life cycle driven through the real Python SDK (`tesla-ce-client` 0.0.4)
against a live server: approle login, course sync, enrolment, activity sync, instruments,
assessment, launcher, attachment, requests, token refresh and pagination.

The SDK has no enrol, assessment or attachment calls; those go through its own request helper
(`Connector.post/get`), which adds the JWT header and checks the status like the SDK does."""

import base64
import datetime

import pytest
import requests
from tesla_ce_client import Client

from institution.models import Learner
from tests import factories
from tests.vle_tree.conftest import FA, PLAG, give_consent
from vle.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)

UID = "ada@uni.example"
ZIP = "data:application/zip;base64," + base64.b64encode(b"PK\x03\x04 essay").decode()


@pytest.fixture
def sdk(live_server, vle):
    credentials = vle.issue_credentials()
    return Client(
        api_url=live_server.url,
        role_id=credentials["role_id"],
        secret_id=credentials["secret_id"],
        verify_ssl=False,
    )


def test_plugin_life_cycle(sdk, live_server, vle, institution, consent, instruments_on):
    connector = sdk._connector
    v = connector.get_vle_id()
    assert v == vle.pk
    assert sdk.module["institution_id"] == institution.pk
    assert sdk.vle.get()["id"] == vle.pk
    assert {row["acronym"] for row in sdk.vle.list_instruments()["results"]} >= {"fa", "plag"}

    # Course sync: create, then find by the VLE's id.
    created = sdk.vle.course.create(vle_course_id="101", code="C101", description="Course")
    course = sdk.vle.course.find_by_vle_id("101")
    assert course["id"] == created["id"]
    c = course["id"]

    # Enrolment (the Moodle plugin's call; the SDK has none): idempotent.
    person = {"uid": UID, "first_name": "Ada", "last_name": "Lovelace", "email": UID}
    first = connector.post(f"api/v2/vle/{v}/course/{c}/learner/", person)
    again = connector.post(f"api/v2/vle/{v}/course/{c}/learner/", person)
    assert first["id"] == again["id"]
    learner = sdk.vle.course.learner.find_by_uid(c, UID)
    assert learner["ic_status"] == "NOT_VALID_MISSING"
    assert sdk.vle.course.learner.find_by_mail(c, UID)["id"] == learner["id"]
    # The learner accepts the consent in the dashboard.
    give_consent(Learner.objects.get(pk=learner["id"]), consent)
    assert sdk.vle.course.learner.find_by_uid(c, UID)["ic_status"] == "VALID"

    # Activity sync with instruments.
    sdk.vle.course.activity.create(c, "assign", "55", "Essay", "Write an essay", enabled=True)
    activity = sdk.vle.course.activity.find_by_vle_id(c, "assign", "55")
    assert activity["enabled"] is True
    a = activity["id"]
    sdk.vle.course.activity.update(c, a, "assign", "55", "Essay (v2)", "Write", enabled=True)
    assert sdk.vle.course.activity.get(c, a)["name"] == "Essay (v2)"
    sdk.vle.course.activity.add_or_update_instrument(c, a, PLAG, True, False)
    sdk.vle.course.activity.add_or_update_instrument(c, a, PLAG, True, True)  # update path
    sdk.vle.course.activity.add_instrument(c, a, FA, False, False)
    assert sdk.vle.course.activity.find_instrument(c, a, PLAG)["active"] is True
    assert sdk.vle.course.activity.get_instruments(c, a)["count"] == 2

    # Assessment session, and the connector the browser loads.
    session = connector.post(
        f"api/v2/vle/{v}/assessment/",
        {
            "vle_activity_type": "assign",
            "vle_activity_id": "55",
            "vle_learner_uid": UID,
            "max_ttl": 120,
            "options": {},
        },
    )
    script = requests.get(session["data"]["connector"], timeout=10)
    assert script.status_code == 200
    assert '"active": true' in script.text
    config = requests.get(session["data"]["data"], timeout=10).json()
    assert config["instruments"] == [PLAG]

    # Launcher to the dashboard, exchanged once.
    launcher = sdk.vle.get_launcher(UID)
    exchange = requests.post(
        f"{live_server.url}/api/v2/auth/token",
        json={"id": str(launcher["id"]), "token": launcher["token"]},
        timeout=10,
    )
    assert exchange.status_code == 200
    assert set(exchange.json()) == {"access_token", "refresh_token"}

    # Close the session, then deliver the submission against it (the plugin's cron).
    closed = connector.post(
        f"api/v2/vle/{v}/assessment/", {"session_id": session["id"], "close": True}
    )
    assert closed["closed_at"] is not None
    attachment = f"api/v2/vle/{v}/course/{c}/activity/{a}/attachment/{learner['learner_id']}/"
    instruments = [row["instrument"] for row in connector.get(attachment)]
    assert instruments == [PLAG]
    stored = connector.post(
        attachment,
        {
            "data": ZIP,
            "session_id": session["id"],
            "instruments": instruments,
            "metadata": {"mimetype": "application/zip", "filename": "archive.zip"},
        },
    )
    assert stored["status"] == "OK"
    requests_of_learner = sdk.vle.course.activity.result.list_requests(c, a, learner["id"])
    assert [row["id"] for row in requests_of_learner["results"]] == [stored["request_id"]]
    filtered = sdk.vle.course.activity.result.list_requests(c, a, learner["id"], instrument=FA)
    assert filtered["count"] == 0


def test_token_refresh_and_pagination(sdk, vle):
    for _ in range(12):
        factories.course(vle)
    connector = sdk._connector
    # Make the SDK believe its token is about to expire: it refreshes before the next call.
    old = connector._token["access_token"]
    connector._token_exp = datetime.datetime.utcnow()
    page = sdk.vle.course.list()
    assert connector._token["access_token"] != old
    assert page["count"] == 12
    second = sdk.get_next(page)
    assert len(page["results"]) + len(second["results"]) == 12
    assert sdk.get_next(second) is None


def test_sdk_disabled_activity_and_learner_lookups(sdk, vle, course, institution):
    account = factories.user(institution, learner=True)
    course.learners.add(account.pk)
    assert (
        sdk.vle.course.learner.find_by_uid(course.pk, account.institution_user.uid)["id"]
        == account.pk
    )
    assert sdk.vle.course.learner.find_by_uid(course.pk, "nobody") is None
    assert sdk.vle.course.find_by_vle_id("does-not-exist") is None
    activity = factories.activity(course)
    found = sdk.vle.course.activity.find_by_vle_id(
        course.pk, activity.vle_activity_type, activity.vle_activity_id
    )
    assert found["enabled"] is False
    assert Activity.objects.get(pk=found["id"]).enabled is False


def test_large_attachment_through_the_live_server(
    sdk, vle, course, activity, consent, instruments_on
):
    """Submissions are whole archives in base64: well over Django's default 2.5 MB body cap."""
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    activity.configuration.create(instrument_id=PLAG, active=True)
    account = factories.user(vle.institution, learner=True)
    learner_row = account.institution_user.learner
    give_consent(learner_row, consent)
    course.learners.add(learner_row)
    document = "data:application/zip;base64," + base64.b64encode(b"x" * 3_000_000).decode()
    url = (
        f"api/v2/vle/{vle.pk}/course/{course.pk}/activity/{activity.pk}/attachment/"
        f"{learner_row.learner_id}/"
    )
    stored = sdk._connector.post(
        url, {"data": document, "instruments": [PLAG], "metadata": {"mimetype": "application/zip"}}
    )
    assert stored["status"] == "OK"
