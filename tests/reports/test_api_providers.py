"""The provider tree (/api/v2/provider/{id}/...), global-admin providers
(/api/v2/admin/instrument/{id}/provider/) and the LAPI verification endpoint."""

import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reports.models import (
    Enrolment,
    HistogramActivityProvider,
    Provider,
    ReportWork,
    Request,
    RequestProviderResult,
)
from tests import factories
from tests.reports.conftest import PROVIDER_TREE_ACCESS, enrol, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(configured_activity, consenting_learner, fr_provider, plag_provider):
    """One request waiting for fr (learner enrolled) and plag."""
    enrol(consenting_learner, fr_provider)
    return submit(consenting_learner, configured_activity, [1, 5])


def provider_url(provider, suffix="") -> str:
    return f"/api/v2/provider/{provider.pk}/{suffix}"


# Provider tree: isolation ---------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), PROVIDER_TREE_ACCESS)
def test_only_the_provider_itself_reaches_its_tree(api, fr_provider, pending, persona, expected):
    for suffix in ("", "request/", f"request/{pending.pk}/", "enrolment/"):
        assert api(persona).get(provider_url(fr_provider, suffix)).status_code == expected


def test_a_provider_cannot_read_or_write_another_providers_requests(
    fr_provider, plag_provider, pending
):
    fr = factories.client_for(fr_provider)
    # Its own tree, but the other provider's request id: not its request.
    other_request = submit(
        pending.learner, pending.activity, [5]
    )  # plag only: fr has no answer row
    assert fr.get(provider_url(fr_provider, f"request/{other_request.pk}/")).status_code == 404
    assert (
        fr.put(
            provider_url(fr_provider, f"request/{other_request.pk}/"),
            {"status": 1, "result": 1, "code": 1},
        ).status_code
        == 404
    )
    # The other provider's tree.
    for method in ("get", "put", "patch"):
        response = getattr(fr, method)(
            provider_url(plag_provider, f"request/{pending.pk}/"),
            {"status": 1, "result": 0.5},
        )
        assert response.status_code == 404
    status_url = provider_url(plag_provider, f"request/{pending.pk}/status/")
    assert fr.post(status_url, {"status": 2}).status_code == 404
    assert RequestProviderResult.objects.get(provider=plag_provider, request=pending).status == 0
    listed = fr.get(provider_url(fr_provider, "request/")).json()
    assert [row["request"]["id"] for row in listed["results"]] == [pending.pk]


# Provider tree: behaviour ---------------------------------------------------------------------


def test_reading_itself_costs_one_query(fr_provider, django_assert_num_queries):
    """The SDK reads its own record about six times per task: authentication and the answer
    share one query; the request's transaction adds only its savepoint and release."""
    client = factories.client_for(fr_provider)
    with django_assert_num_queries(3) as captured:
        response = client.get(provider_url(fr_provider))
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert statements == ["SAVEPOINT", "SELECT", "RELEASE"]
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["queue"]) == (fr_provider.pk, fr_provider.queue)
    assert body["instrument"]["requires_enrolment"] is True
    assert client.get(provider_url(fr_provider).rstrip("/")).status_code == 200
    assert client.get(f"/api/v2/provider/{fr_provider.pk + 1}/").status_code == 404
    assert client.get("/api/v2/provider/x/").status_code == 404


def test_provider_reads_itself_and_its_pending_requests(fr_provider, pending):
    client = factories.client_for(fr_provider)
    me = client.get(provider_url(fr_provider)).json()
    assert (me["id"], me["acronym"], me["credentials"]) == (
        fr_provider.pk,
        fr_provider.acronym,
        None,
    )
    listed = client.get(provider_url(fr_provider, "request/")).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["learner_id"] == str(pending.learner.learner_id)
    assert row["request"]["instruments"] == [1, 5]
    assert row["status"] == 0
    detail = client.get(provider_url(fr_provider, f"request/{pending.pk}/")).json()
    assert detail["data"]["data"] == "sample"
    assert detail["data"]["learner_id"] == str(pending.learner.learner_id)


def test_provider_answer_updates_result_histograms_and_queues_the_report(
    fr_provider, pending, configured_activity
):
    client = factories.client_for(fr_provider)
    url = provider_url(fr_provider, f"request/{pending.pk}/")
    body = {"status": 1, "result": 0.82, "code": 1, "audit_data": {"frames": 3}}
    for _ in range(2):  # sent twice, counted once
        response = client.put(url, body, format="json")
        assert response.status_code == 200
    assert response.json()["audit"] == {"frames": 3}
    row = RequestProviderResult.objects.get(provider=fr_provider, request=pending)
    assert (row.status, row.result, row.audit) == (1, 0.82, {"frames": 3})
    histogram = HistogramActivityProvider.objects.get(
        activity=configured_activity, provider=fr_provider
    )
    assert histogram.bins == [0] * 8 + [1, 0]
    assert pending.results.get(instrument_id=1).status == 1
    assert ReportWork.objects.filter(learner=pending.learner).exists()
    # The processed request leaves the pending list.
    assert client.get(provider_url(fr_provider, "request/")).json()["count"] == 0
    assert client.get(provider_url(fr_provider, "request/?status=1")).json()["count"] == 1
    assert client.patch(url, {"result": 0.2}, format="json").json()["result"] == 0.2


@pytest.mark.parametrize(
    "body",
    [
        {"result": 1.5},
        {"result": -0.1},
        {"result": "high"},
        {"status": 9},
        {"status": "done"},
        {"code": 4},
        {"message_code": "x" * 51},
        {"error_message": ["a"]},
    ],
)
def test_bad_answers_are_400_naming_the_field(fr_provider, pending, body):
    response = factories.client_for(fr_provider).patch(
        provider_url(fr_provider, f"request/{pending.pk}/"), body, format="json"
    )
    assert response.status_code == 400
    assert set(body) <= set(response.json())
    assert RequestProviderResult.objects.get(provider=fr_provider, request=pending).status == 0


def test_malformed_json_is_400(fr_provider, pending):
    response = factories.client_for(fr_provider).generic(
        "PATCH",
        provider_url(fr_provider, f"request/{pending.pk}/"),
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_status_moves_until_processed(fr_provider, pending):
    client = factories.client_for(fr_provider)
    url = provider_url(fr_provider, f"request/{pending.pk}/status/")
    assert client.post(url, {"status": 6}).json()["status"] == 6
    assert client.post(url, {"status": 12}).status_code == 400
    client.put(provider_url(fr_provider, f"request/{pending.pk}/"), {"status": 1, "result": 0.9})
    response = client.post(url, {"status": 3})
    assert response.status_code == 400 and "status" in response.json()


# Enrolment models -------------------------------------------------------------------------------


def test_enrolment_lock_store_and_unlock(fr_provider, consenting_learner):
    client = factories.client_for(fr_provider)
    task, other_task = uuid.uuid4(), uuid.uuid4()
    learner_id = str(consenting_learner.learner_id)
    created = client.post(
        provider_url(fr_provider, "enrolment/"), {"learner_id": learner_id, "task_id": str(task)}
    )
    assert created.status_code == 201
    assert created.json()["is_locked"] is True
    assert created.json()["percentage"] == "0.00"
    locked = client.post(
        provider_url(fr_provider, "enrolment/"),
        {"learner_id": learner_id, "task_id": str(other_task)},
    )
    assert locked.status_code == 400 and "task_id" in locked.json()
    detail = provider_url(fr_provider, f"enrolment/{learner_id}/")
    refused = client.put(detail, {"task_id": str(other_task), "percentage": "0.9"})
    assert refused.status_code == 400
    stored = client.put(detail, {"task_id": str(task), "percentage": "0.80", "can_analyse": True})
    assert stored.status_code == 200
    assert (stored.json()["percentage"], stored.json()["can_analyse"]) == ("0.80", True)
    assert stored.json()["is_locked"] is False
    assert client.put(detail, {"percentage": "1.5"}).status_code == 400
    assert client.get(provider_url(fr_provider, "enrolment/")).json()["count"] == 1

    unlock = provider_url(fr_provider, f"enrolment/{learner_id}/unlock/")
    assert client.post(unlock, {"token": str(task)}).status_code == 406
    client.post(
        provider_url(fr_provider, "enrolment/"), {"learner_id": learner_id, "task_id": str(task)}
    )
    assert client.post(unlock, {"token": str(other_task)}).status_code == 403
    assert client.post(unlock, {"token": str(task)}).status_code == 200
    assert client.delete(detail).status_code == 204
    assert not Enrolment.objects.exists()


def test_an_abandoned_lock_is_taken_over(fr_provider, consenting_learner):
    enrolment = enrol(consenting_learner, fr_provider)
    enrolment.locked_by = uuid.uuid4()
    enrolment.locked_at = timezone.now() - timezone.timedelta(hours=6)
    enrolment.save()
    response = factories.client_for(fr_provider).post(
        provider_url(fr_provider, "enrolment/"),
        {"learner_id": str(consenting_learner.learner_id), "task_id": str(uuid.uuid4())},
    )
    assert response.status_code == 201


def test_enrolment_lookups_and_other_providers(fr_provider, plag_provider, consenting_learner):
    enrol(consenting_learner, plag_provider)
    client = factories.client_for(fr_provider)
    learner_id = consenting_learner.learner_id
    assert client.get(provider_url(fr_provider, f"enrolment/{learner_id}/")).status_code == 404
    assert client.get(provider_url(fr_provider, "enrolment/not-a-uuid/")).status_code == 404
    assert client.get(provider_url(plag_provider, f"enrolment/{learner_id}/")).status_code == 404
    unknown = client.post(
        provider_url(fr_provider, "enrolment/"),
        {"learner_id": str(uuid.uuid4()), "task_id": str(uuid.uuid4())},
    )
    assert unknown.status_code == 400 and "learner_id" in unknown.json()


# Global admin: providers -------------------------------------------------------------------------


def admin_url(instrument_id=1, suffix="") -> str:
    return f"/api/v2/admin/instrument/{instrument_id}/provider/{suffix}"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("global_admin", 200),
        ("inst_admin", 403),
        ("data_admin", 403),
        ("vle", 403),
        ("provider", 403),
        ("anonymous", 401),
    ],
)
def test_admin_provider_matrix(api, fr_provider, persona, expected):
    client = api(persona)
    assert client.get(admin_url()).status_code == expected
    assert client.get(admin_url(suffix=f"{fr_provider.pk}/")).status_code == expected


def test_admin_creates_a_provider_that_logs_in_with_its_credentials(api):
    client = api("global_admin")
    created = client.post(
        admin_url(),
        {
            "name": "Face one",
            "acronym": "face1",
            "queue": "face1",
            "enabled": True,
            "alert_below": "0.30",
            "warning_below": "0.60",
            "options_schema": {"type": "object", "properties": {"fps": {"type": "integer"}}},
            "options": {"fps": 5},
        },
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["instrument"]["id"] == 1
    credentials = body["credentials"]
    assert set(credentials) == {"role_id", "secret_id"}
    assert client.get(admin_url(suffix=f"{body['id']}/")).json()["credentials"] is None
    login = APIClient().post("/api/v2/auth/approle", credentials, format="json")
    assert login.status_code == 200
    token = login.json()["token"]["access_token"]
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
    assert me.get(f"/api/v2/provider/{body['id']}/").status_code == 200

    renewed = client.post(admin_url(suffix=f"{body['id']}/credentials/"))
    assert renewed.status_code == 201
    assert APIClient().post("/api/v2/auth/approle", credentials, format="json").status_code == 401
    assert (
        APIClient().post("/api/v2/auth/approle", renewed.json(), format="json").status_code == 200
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": {"fps": 5}}, "options"),  # no schema
        ({"options_schema": {"type": "object"}, "options": []}, "options"),
        (
            {
                "options_schema": {"properties": {"fps": {"type": "integer"}}},
                "options": {"fps": "x"},
            },
            "options",
        ),
        ({"options_schema": {"type": 12}}, "options_schema"),
        ({"alert_below": "1.5"}, "alert_below"),
        ({"alert_below": "0.8", "warning_below": "0.5"}, "alert_below"),
        ({"service_port": 70000}, "service_port"),
        ({"acronym": "x" * 31}, "acronym"),
        ({"name": None}, "name"),
    ],
)
def test_admin_provider_validation(api, body, field):
    response = api("global_admin").post(
        admin_url(), {"name": "P", "acronym": "p1", "queue": "q1", **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Provider.objects.exists()


def test_admin_provider_conflicts_and_deletes(api, fr_provider, pending):
    client = api("global_admin")
    duplicate = client.post(
        admin_url(), {"name": "x", "acronym": fr_provider.acronym, "queue": "new"}, format="json"
    )
    assert duplicate.status_code == 400 and "acronym" in duplicate.json()
    assert client.get(admin_url(5)).json()["count"] == 1  # plag's provider only
    assert client.get(admin_url(99)).status_code == 404
    # A provider that answered requests is kept (409); a fresh one can go.
    RequestProviderResult.objects.filter(provider=fr_provider).update(status=1)
    assert client.delete(admin_url(suffix=f"{fr_provider.pk}/")).status_code == 409
    fresh = factories.provider(1)
    assert client.delete(admin_url(suffix=f"{fresh.pk}/")).status_code == 204
    patched = client.patch(
        admin_url(suffix=f"{fr_provider.pk}/"), {"enabled": False}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["enabled"] is False


# LAPI verification -------------------------------------------------------------------------------


def lapi_url(institution, learner) -> str:
    return f"/lapi/v1/verification/{institution.pk}/{learner.learner_id}/"


def lapi_body(learner, activity, **values) -> dict:
    return {
        "learner_id": str(learner.learner_id),
        "course_id": activity.course_id,
        "activity_id": activity.pk,
        "data": "data:image/png;base64,AAAA",
        "instruments": [1],
        "metadata": {"mimetype": "image/png"},
        **values,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("learner_token", 200),
        ("learner", 200),
        ("vle", 200),
        ("other_vle", 200),
        ("foreign_vle", 404),
        ("inst_admin", 403),
        ("member", 403),
        ("provider", 403),
        ("anonymous", 401),
    ],
)
def test_lapi_callers(api, institution, configured_activity, consenting_learner, persona, expected):
    response = api(persona).post(
        lapi_url(institution, consenting_learner),
        lapi_body(consenting_learner, configured_activity),
        format="json",
    )
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["status"] == "OK"
        assert Request.objects.get(pk=response.json()["request_id"]).learner == consenting_learner
    else:
        assert not Request.objects.exists()


def test_lapi_for_another_learner_is_403(
    api, institution, course, configured_activity, consenting_learner, consent
):
    other = give_other(institution, course, consent)
    client = factories.client_for(other)
    body = lapi_body(consenting_learner, configured_activity)
    assert (
        client.post(lapi_url(institution, consenting_learner), body, format="json").status_code
        == 403
    )
    mismatch = lapi_body(other, configured_activity, learner_id=str(consenting_learner.learner_id))
    response = client.post(lapi_url(institution, other), mismatch, format="json")
    assert response.status_code == 403
    assert not Request.objects.exists()


def give_other(institution, course, consent):
    from tests.reports.conftest import give_consent

    other = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(other)
    return other


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"instruments": []}, "instruments"),
        ({"instruments": [42]}, "instruments"),
        ({"instruments": "1"}, "instruments"),
        ({"activity_id": 999999}, "activity_id"),
        ({"course_id": "abc"}, "course_id"),
        ({"session_id": 999999}, "session_id"),
        ({"data": None}, "data"),
        ({"metadata": "x"}, "metadata"),
    ],
)
def test_lapi_bad_bodies_are_400_with_the_error_shape(
    api, institution, configured_activity, consenting_learner, changes, field
):
    response = api("learner_token").post(
        lapi_url(institution, consenting_learner),
        lapi_body(consenting_learner, configured_activity, **changes),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert field in response.json()["errors"]
    assert not Request.objects.exists()


def test_lapi_refuses_a_learner_without_consent(api, institution, configured_activity, learner):
    row = learner.institution_user.learner
    response = api("learner").post(
        lapi_url(institution, row), lapi_body(row, configured_activity), format="json"
    )
    assert response.status_code == 400
    assert "learner_id" in response.json()["errors"]


def test_lapi_unknown_learner_is_404(api, institution, configured_activity, consenting_learner):
    url = f"/lapi/v1/verification/{institution.pk}/{uuid.uuid4()}/"
    body = lapi_body(consenting_learner, configured_activity)
    assert api("vle").post(url, body, format="json").status_code == 404
    assert api("vle").post(url.rstrip("/"), body, format="json").status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_provider_request_list_costs_a_fixed_number_of_queries(
    configured_activity, consenting_learner, fr_provider, size, django_assert_max_num_queries
):
    enrol(consenting_learner, fr_provider)
    for _ in range(size):
        submit(consenting_learner, configured_activity, [1, 5])
    client = factories.client_for(fr_provider)
    with django_assert_max_num_queries(8):
        response = client.get(provider_url(fr_provider, "request/?limit=20"))
    assert response.json()["count"] == size
