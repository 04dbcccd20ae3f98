"""Assessment sessions: POST /api/v2/vle/{v}/assessment/ with the Moodle plugin's bodies
(real-clients.md §3.6, §3.8; anchor-core §5) and the spec's, and the key-addressed connector
and configuration the browser loads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import InformedConsent, SENDCategory, SENDLearner
from reports.models import Enrolment
from tesla import tokens
from tests import factories
from tests.vle_tree.conftest import FR, KS, PLAG, configure, give_consent
from vle.models import Activity, AssessmentSession, Launcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment_url(base):
    return f"{base}/assessment/"


def plugin_body(activity, account, **changes):
    """What the Moodle plugin sends on a module page (real-clients.md §3.6 step 4)."""
    return {
        "vle_course_id": activity.course.vle_course_id,
        "vle_activity_id": activity.vle_activity_id,
        "vle_activity_type": activity.vle_activity_type,
        "vle_learner_uid": account.institution_user.uid,
        "max_ttl": 360,
        "redirect_reject_url": None,
        "reject_message": None,
        "locale": "ca",
        "session_id": None,
        "options": {"floating_menu_initial_pos": "bottom-left"},
        **changes,
    }


def open_session(vle_api, assessment_url, activity, account, **changes):
    response = vle_api.post(assessment_url, plugin_body(activity, account, **changes))
    assert response.status_code == 200, response.content
    return response.json()


def test_open_session(vle_api, assessment_url, activity, consenting_learner, course):
    learner_row = consenting_learner.institution_user.learner
    course.learners.remove(learner_row)
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    session = AssessmentSession.objects.get(pk=body["id"])
    assert (session.activity_id, session.learner_id, session.closed_at) == (
        activity.pk,
        learner_row.pk,
        None,
    )
    assert body["activity"] == activity.pk
    assert body["learner"] == str(learner_row.learner_id)
    assert body["data"]["session"] == body["id"]
    assert "status" not in body  # the plugin treats a top-level status 4 as a refusal
    assert body["data"]["connector"].startswith("http://testserver/api/v2/vle/session/")
    assert str(session.access_key) in body["data"]["connector"]
    # Success enrols the learner in the course.
    assert course.learners.filter(pk=learner_row.pk).exists()
    claims = tokens.decode(body["token"]["access_token"], token_type="access")
    assert (claims["type"], claims["pk"], claims["session_id"]) == (
        "learner",
        learner_row.pk,
        session.pk,
    )
    config = session.plugin_config
    assert config["session_id"] == session.pk
    assert config["locale"] == "ca"
    assert config["options"] == {"floating_menu_initial_pos": "bottom-left"}
    assert config["learner"]["learner_id"] == str(learner_row.learner_id)
    assert config["activity"]["enabled"] is False
    assert config["token"] == body["token"]
    launcher = Launcher.objects.get(pk=config["launcher"]["id"])
    assert (launcher.session_id, launcher.user_id, launcher.refresh_minutes) == (
        session.pk,
        learner_row.pk,
        360,
    )


def test_default_options(vle_api, assessment_url, activity, consenting_learner):
    body = open_session(vle_api, assessment_url, activity, consenting_learner, options=None)
    config = AssessmentSession.objects.get(pk=body["id"]).plugin_config
    assert config["options"] == {"floating_menu_initial_pos": "top-right"}


def test_connector_and_config_are_served_by_key_only(
    vle_api, assessment_url, activity, consenting_learner, api
):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    configure(activity, PLAG)
    activity.refresh_from_db()
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    browser = api("anonymous")
    script = browser.get(body["data"]["connector"])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert script["Access-Control-Allow-Origin"] == "*"
    text = script.content.decode()
    assert body["data"]["data"] in text
    assert '"active": true' in text
    assert "tesla-web-plugin" in text
    config = browser.get(body["data"]["data"])
    assert config.status_code == 200
    assert config.json()["instruments"] == [PLAG]
    assert config.json()["sensors"]["activity"] == [PLAG]
    assert config.json()["token"]["access_token"] == body["token"]["access_token"]
    assert (
        browser.get(
            "/api/v2/vle/session/00000000-0000-4000-8000-000000000000/data.json"
        ).status_code
        == 404
    )


def test_connector_is_inactive_for_a_disabled_activity(
    vle_api, assessment_url, activity, consenting_learner, api
):
    configure(activity, PLAG)
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    assert '"active": false' in api("anonymous").get(body["data"]["connector"]).content.decode()


def test_closing_stops_the_files_and_a_second_close_is_400(
    vle_api, assessment_url, activity, consenting_learner, api
):
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    closed = vle_api.post(assessment_url, {"session_id": body["id"], "close": True})
    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    assert closed.json()["auto_closed"] is False
    assert closed.json()["data"]["connector"] == ""
    assert closed.json()["token"] is None
    browser = api("anonymous")
    assert browser.get(body["data"]["connector"]).status_code == 404
    assert browser.get(body["data"]["data"]).status_code == 404
    again = vle_api.post(assessment_url, {"session_id": body["id"], "close": True})
    assert again.status_code == 400
    resumed = vle_api.post(
        assessment_url, plugin_body(activity, consenting_learner, session_id=body["id"])
    )
    assert resumed.status_code == 400


def test_plugin_retries_without_session_after_400(
    vle_api, assessment_url, activity, consenting_learner
):
    first = open_session(vle_api, assessment_url, activity, consenting_learner)
    vle_api.post(assessment_url, {"session_id": first["id"], "close": True})
    retry = vle_api.post(
        assessment_url, plugin_body(activity, consenting_learner, session_id=first["id"])
    )
    assert retry.status_code == 400
    second = open_session(vle_api, assessment_url, activity, consenting_learner)
    assert second["id"] != first["id"]


def test_resume_open_session(vle_api, assessment_url, activity, consenting_learner):
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    resumed = vle_api.post(
        assessment_url, plugin_body(activity, consenting_learner, session_id=str(body["id"]))
    )
    assert resumed.status_code == 200
    assert resumed.json()["id"] == body["id"]
    assert resumed.json()["checked_at"] is not None
    assert resumed.json()["data"]["connector"] == body["data"]["connector"]
    assert AssessmentSession.objects.count() == 1


def test_closing_also_closes_older_open_sessions(
    vle_api, assessment_url, activity, consenting_learner
):
    older = open_session(vle_api, assessment_url, activity, consenting_learner)
    newer = open_session(vle_api, assessment_url, activity, consenting_learner)
    vle_api.post(assessment_url, {"session_id": newer["id"], "close": True})
    older_row = AssessmentSession.objects.get(pk=older["id"])
    assert older_row.closed_at is not None
    assert older_row.auto_closed is True


def test_session_of_another_vle_is_404(vle_api, assessment_url, other_vle, consenting_learner):
    foreign = AssessmentSession.objects.create(
        activity=factories.activity(factories.course(other_vle)),
        learner=consenting_learner.institution_user.learner,
    )
    assert (
        vle_api.post(assessment_url, {"session_id": foreign.pk, "close": True}).status_code == 404
    )
    assert vle_api.post(assessment_url, {"session_id": 999999}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.closed_at is None


def test_spec_body_with_activity_and_learner(vle_api, assessment_url, activity, consenting_learner):
    learner_row = consenting_learner.institution_user.learner
    body = {"activity": activity.pk, "learner": str(learner_row.learner_id), "data": {"session": 0}}
    response = vle_api.post(assessment_url, body)
    assert response.status_code == 200, response.content
    assert response.json()["learner"] == str(learner_row.learner_id)


def test_unknown_activity_or_learner_is_404(
    vle_api, assessment_url, activity, consenting_learner, other_vle
):
    assert (
        vle_api.post(
            assessment_url, plugin_body(activity, consenting_learner, vle_activity_id="nope")
        ).status_code
        == 404
    )
    assert (
        vle_api.post(
            assessment_url, plugin_body(activity, consenting_learner, vle_learner_uid="nope")
        ).status_code
        == 404
    )
    other_activity = factories.activity(factories.course(other_vle))
    response = vle_api.post(
        assessment_url,
        {"activity": other_activity.pk, "vle_learner_uid": consenting_learner.institution_user.uid},
    )
    assert response.status_code == 404


def test_learner_of_another_institution_is_404(
    vle_api, assessment_url, activity, other_institution
):
    stranger = factories.user(other_institution, learner=True)
    assert vle_api.post(assessment_url, plugin_body(activity, stranger)).status_code == 404


@pytest.mark.parametrize(
    "body, fields",
    [
        ({}, {"vle_activity_type", "vle_activity_id", "vle_learner_uid"}),
        ({"vle_activity_type": "quiz", "vle_activity_id": "1"}, {"vle_learner_uid"}),
        (
            {
                "vle_learner_uid": "u",
                "vle_activity_type": "quiz",
                "vle_activity_id": "1",
                "options": [1],
            },
            {"options"},
        ),
        ({"vle_learner_uid": "u", "activity": 1, "close": True}, {"session_id"}),
        ({"session_id": "abc"}, {"session_id"}),
        ({"vle_learner_uid": "u", "activity": 1, "max_ttl": "soon"}, {"max_ttl"}),
        (
            {"vle_learner_uid": "u", "activity": 1, "redirect_reject_url": "javascript:alert(1)"},
            {"redirect_reject_url"},
        ),
    ],
)
def test_bad_bodies_are_400(vle_api, assessment_url, body, fields):
    response = vle_api.post(assessment_url, body)
    assert response.status_code == 400
    assert fields <= response.json().keys()


# Refusals ------------------------------------------------------------------------------------


def test_missing_consent_is_406_status_2(vle_api, assessment_url, activity, learner):
    response = vle_api.post(assessment_url, plugin_body(activity, learner))
    assert response.status_code == 406
    assert response.json()["status"] == 2
    assert not AssessmentSession.objects.exists()


def test_rejected_consent_is_406_status_2(vle_api, assessment_url, activity, consenting_learner):
    learner_row = consenting_learner.institution_user.learner
    learner_row.consent_rejected = timezone.now()
    learner_row.save()
    response = vle_api.post(assessment_url, plugin_body(activity, consenting_learner))
    assert (response.status_code, response.json()["status"]) == (406, 2)


def test_outdated_consent_is_406_status_3(
    vle_api, assessment_url, activity, consenting_learner, institution
):
    InformedConsent.objects.create(
        institution=institution, version="1.1.0", valid_from=timezone.now() - timedelta(hours=1)
    )
    response = vle_api.post(assessment_url, plugin_body(activity, consenting_learner))
    assert (response.status_code, response.json()["status"]) == (406, 3)


def test_external_consent_is_not_checked(vle_api, assessment_url, activity, learner, institution):
    institution.external_ic = True
    institution.save()
    assert vle_api.post(assessment_url, plugin_body(activity, learner)).status_code == 200


def test_missing_enrolment_is_406_status_4_naming_the_instruments(
    vle_api, assessment_url, activity, consenting_learner, instruments_on
):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    configure(activity, FR)
    configure(activity, PLAG)
    response = vle_api.post(assessment_url, plugin_body(activity, consenting_learner))
    assert response.status_code == 406
    body = response.json()
    assert body["status"] == 4
    assert body["enrolments"]["missing_enrolments"] is True
    instruments = body["enrolments"]["instruments"]
    assert set(instruments) == {str(FR)}
    assert instruments[str(FR)]["acronym"] == "fr"
    assert instruments[str(FR)]["can_analyse__max"] is False
    # Integer primary keys, as the original sent them (not the learner's UUID).
    learner_row = consenting_learner.institution_user.learner
    assert body["enrolments"]["learner_id"] == learner_row.pk
    assert body["enrolments"]["activity_id"] == activity.pk


@pytest.mark.parametrize(
    ("max_ttl", "minutes"),
    [(0, 1), (-30, 1), ("", 120), (None, 120), (10**9, 7 * 24 * 60), ("45", 45)],
)
def test_max_ttl_out_of_range_is_clamped_not_refused(
    vle_api, assessment_url, activity, consenting_learner, max_ttl, minutes
):
    """An empty or odd Moodle `max_ttl` setting must not make the plugin drop TeSLA from
    every page: the value is brought into range and the session opens (200)."""
    body = open_session(vle_api, assessment_url, activity, consenting_learner, max_ttl=max_ttl)
    launcher = Launcher.objects.get(session_id=body["id"])
    assert launcher.refresh_minutes == minutes
    refresh = tokens.decode(body["token"]["refresh_token"], token_type="refresh")
    assert abs((refresh["exp"] - refresh["iat"]) - minutes * 60) <= 1


def test_enrolled_learner_passes(
    vle_api, assessment_url, activity, consenting_learner, instruments_on
):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    configure(activity, FR)
    Enrolment.objects.create(
        learner=consenting_learner.institution_user.learner,
        provider=factories.provider(FR),
        percentage="1.00",
        can_analyse=True,
    )
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    config = AssessmentSession.objects.get(pk=body["id"]).plugin_config
    assert config["instruments"] == [FR]
    assert config["sensors"]["camera"] == [FR]
    assert config["enrolment"]["missing_enrolments"] is False


def test_disabled_activity_skips_the_enrolment_check(
    vle_api, assessment_url, activity, consenting_learner
):
    configure(activity, FR)
    open_session(vle_api, assessment_url, activity, consenting_learner)


def test_send_replaces_disabled_instruments_by_their_alternatives(
    vle_api, assessment_url, activity, consenting_learner, institution, instruments_on
):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    primary = configure(activity, FR)
    configure(activity, PLAG, alternative_to=primary)
    configure(activity, KS, active=False)
    category = SENDCategory.objects.create(
        institution=institution,
        description="No camera",
        data={"disabled_instruments": [FR], "enabled_options": ["big_fonts"]},
    )
    SENDLearner.objects.create(
        learner=consenting_learner.institution_user.learner, category=category
    )
    body = open_session(vle_api, assessment_url, activity, consenting_learner)
    config = AssessmentSession.objects.get(pk=body["id"]).plugin_config
    assert config["instruments"] == [PLAG]
    assert config["sensors"] == {"camera": [], "keyboard": [], "microphone": [], "activity": [PLAG]}
    assert config["accessibility"] == {
        "high_contrast": False,
        "big_fonts": True,
        "text_to_speech": False,
    }


def test_learner_without_send_still_needs_the_primary(
    vle_api, assessment_url, activity, consenting_learner, consent, institution
):
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    primary = configure(activity, FR)
    configure(activity, PLAG, alternative_to=primary)
    other = factories.user(institution, learner=True)
    give_consent(other.institution_user.learner, consent)
    response = vle_api.post(assessment_url, plugin_body(activity, other))
    assert (response.status_code, response.json()["status"]) == (406, 4)
