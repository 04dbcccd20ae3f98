"""Attachments (vle-api.md §7 as the Moodle plugin's cron uses them: real-clients.md §3.8;
anchor-core §6), the learners of an activity and their verification requests (§9; anchor-core
§4.4, §4.5)."""

import base64

import pytest
from django.test import override_settings

from reports.models import Request
from tests import factories
from tests.vle_tree.conftest import FA, FR, KS, PLAG, VR, configure
from vle.models import Activity, AssessmentSession

pytestmark = pytest.mark.django_db

ZIP = "data:application/zip;base64," + base64.b64encode(b"PK\x03\x04 a submission").decode()
METADATA = {
    "mimetype": "application/zip",
    "context": {"type": "assign", "version": "1.0.0", "vle_id": 1},
    "filename": "archive.zip",
    "created_at": "2024-10-10T12:00:00+0000",
}


@pytest.fixture
def configured(activity, instruments_on):
    """An enabled activity watching with every instrument; fr analyses files, vr does not."""
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    configure(activity, FR, options={"online": True, "offline": True})
    configure(activity, KS)
    configure(activity, VR, options={"online": True, "offline": False})
    configure(activity, FA)
    configure(activity, PLAG)
    return activity


def attachment_url(activity_url, account):
    return f"{activity_url}/attachment/{account.institution_user.learner.learner_id}/"


def test_get_lists_the_instruments_that_take_documents(
    vle_api, activity_url, configured, consenting_learner
):
    response = vle_api.get(attachment_url(activity_url, consenting_learner))
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)  # a bare array: the plugin iterates over the body
    assert sorted(row["instrument"] for row in rows) == [FR, FA, PLAG]
    assert all(row["activity"]["id"] == configured.pk for row in rows)


def test_get_without_trailing_slash_and_upper_case_uuid(
    vle_api, activity_url, configured, consenting_learner
):
    learner_id = str(consenting_learner.institution_user.learner.learner_id).upper()
    response = vle_api.get(f"{activity_url}/attachment/{learner_id}")
    assert response.status_code == 200
    assert len(response.json()) == 3


def test_learner_outside_the_course_is_404(vle_api, activity_url, configured, institution):
    outsider = factories.user(institution, learner=True)
    assert vle_api.get(attachment_url(activity_url, outsider)).status_code == 404


def test_malformed_uuid_does_not_reach_a_view(vle_api, activity_url):
    assert vle_api.get(f"{activity_url}/attachment/not-a-uuid/").status_code == 404


def test_post_stores_the_document_and_creates_the_request(
    vle_api, activity_url, configured, consenting_learner
):
    url = attachment_url(activity_url, consenting_learner)
    instruments = [row["instrument"] for row in vle_api.get(url).json()]
    body = {"data": ZIP, "session_id": None, "instruments": instruments, "metadata": METADATA}
    response = vle_api.post(url, body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["status"] == "OK"
    request = Request.objects.get(pk=answer["request_id"])
    assert answer["path"] == request.data.name
    assert (request.learner_id, request.activity_id, request.session_id) == (
        consenting_learner.pk,
        configured.pk,
        None,
    )
    assert sorted(request.instruments.values_list("pk", flat=True)) == sorted(instruments)
    assert request.metadata["created_at"] == METADATA["created_at"]
    assert answer["metadata"]["filename"] == "archive.zip"
    assert answer["learner_id"] == str(consenting_learner.institution_user.learner.learner_id)


def test_post_with_a_closed_session(vle_api, activity_url, configured, consenting_learner):
    session = AssessmentSession.objects.create(
        activity=configured, learner=consenting_learner.institution_user.learner
    )
    AssessmentSession.objects.filter(pk=session.pk).update(closed_at="2024-01-01T00:00:00Z")
    body = {"data": ZIP, "session_id": session.pk, "instruments": [PLAG], "metadata": METADATA}
    response = vle_api.post(attachment_url(activity_url, consenting_learner), body)
    assert response.status_code == 200, response.content
    assert Request.objects.get(pk=response.json()["request_id"]).session_id == session.pk


def test_post_with_another_learners_session_is_400(
    vle_api, activity_url, configured, consenting_learner, learner
):
    session = AssessmentSession.objects.create(
        activity=configured, learner=learner.institution_user.learner
    )
    body = {"data": ZIP, "session_id": session.pk, "instruments": [PLAG], "metadata": METADATA}
    response = vle_api.post(attachment_url(activity_url, consenting_learner), body)
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert "session_id" in response.json()["errors"]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"data": None}, "data"),
        ({"instruments": []}, "instruments"),
        ({"instruments": ["fr"]}, "instruments"),
        ({"instruments": [999]}, "instruments"),
        ({"metadata": {"filename": "a.zip"}}, "metadata"),
        ({"metadata": "zip"}, "metadata"),
        ({"data": "data:application/zip;base64,%%%"}, "data"),
    ],
)
def test_bad_attachments_are_400_error(
    vle_api, activity_url, configured, consenting_learner, changes, field
):
    body = {"data": ZIP, "instruments": [PLAG], "metadata": METADATA, **changes}
    response = vle_api.post(attachment_url(activity_url, consenting_learner), body)
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert field in response.json()["errors"]
    assert not Request.objects.exists()


def test_learner_without_consent_is_refused(vle_api, activity_url, configured, learner):
    body = {"data": ZIP, "instruments": [PLAG], "metadata": METADATA}
    response = vle_api.post(attachment_url(activity_url, learner), body)
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert not Request.objects.exists()


@override_settings(ATTACHMENT_MAX_BYTES=100)
def test_documents_over_the_limit_are_413(vle_api, activity_url, configured, consenting_learner):
    url = attachment_url(activity_url, consenting_learner)
    small = "data:text/plain;base64," + base64.b64encode(b"x" * 100).decode()
    big = "data:text/plain;base64," + base64.b64encode(b"x" * 101).decode()
    body = {"instruments": [PLAG], "metadata": METADATA}
    assert vle_api.post(url, {**body, "data": small}).status_code == 200
    assert vle_api.post(url, {**body, "data": big}).status_code == 413
    assert vle_api.post(url, {**body, "data": "y" * 101}).status_code == 413


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_bodies_over_the_upload_cap_are_413(vle_api, activity_url, configured, consenting_learner):
    body = {"instruments": [PLAG], "metadata": METADATA, "data": "z" * 2000}
    assert vle_api.post(attachment_url(activity_url, consenting_learner), body).status_code == 413


# Activity learners and their requests --------------------------------------------------------


def make_request(learner_row, activity, *instrument_ids):
    request = Request.objects.create(learner=learner_row, activity=activity)
    request.instruments.set(instrument_ids)
    return request


def test_activity_learners_are_those_with_requests(
    vle_api, activity_url, activity, course, institution
):
    with_requests = factories.user(institution, learner=True)
    course.learners.add(with_requests.pk)
    course.learners.add(factories.user(institution, learner=True).pk)
    make_request(with_requests.institution_user.learner, activity, PLAG)
    make_request(with_requests.institution_user.learner, activity, FA)
    make_request(
        factories.user(institution, learner=True).institution_user.learner,
        factories.activity(course),
        PLAG,
    )
    body = vle_api.get(f"{activity_url}/learner/").json()
    assert [row["id"] for row in body["results"]] == [with_requests.pk]
    row = body["results"][0]
    assert row["learner_id"] == str(with_requests.institution_user.learner.learner_id)
    assert row["institution_id"] == institution.pk
    assert vle_api.get(f"{activity_url}/learner/{with_requests.pk}/").status_code == 200


def test_learner_requests_newest_first_with_instrument_filter(
    vle_api, activity_url, activity, learner, instruments_on
):
    learner_row = learner.institution_user.learner
    older = make_request(learner_row, activity, PLAG)
    newer = make_request(learner_row, activity, FA, PLAG)
    make_request(learner_row, factories.activity(activity.course), PLAG)
    url = f"{activity_url}/learner/{learner.pk}/request/"
    body = vle_api.get(url).json()
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert sorted(body["results"][0]["instruments"]) == [FA, PLAG]
    assert [row["id"] for row in vle_api.get(f"{url}?instruments={FA}").json()["results"]] == [
        newer.pk
    ]
    assert vle_api.get(f"{url}?instruments=abc").status_code == 400
    assert vle_api.get(f"{url}{older.pk}/").json()["id"] == older.pk


def test_requests_of_a_learner_outside_the_activity_are_404(vle_api, activity_url, institution):
    stranger = factories.user(institution, learner=True)
    assert vle_api.get(f"{activity_url}/learner/{stranger.pk}/request/").status_code == 404


@pytest.mark.parametrize("rows", [2, 12])
def test_request_list_costs_fixed_queries(
    vle_api, activity_url, activity, learner, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_request(learner.institution_user.learner, activity, PLAG, FA)
    with django_assert_max_num_queries(11):
        body = vle_api.get(f"{activity_url}/learner/{learner.pk}/request/?limit=20").json()
    assert body["count"] == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_activity_learner_list_costs_fixed_queries(
    vle_api, activity_url, activity, institution, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        make_request(
            factories.user(institution, learner=True).institution_user.learner, activity, PLAG
        )
    with django_assert_max_num_queries(8):
        body = vle_api.get(f"{activity_url}/learner/?limit=20").json()
    assert body["count"] == rows


def test_ks_is_never_a_document_instrument(vle_api, activity_url, configured, consenting_learner):
    rows = vle_api.get(attachment_url(activity_url, consenting_learner)).json()
    assert KS not in [row["instrument"] for row in rows]
    assert VR not in [row["instrument"] for row in rows]
