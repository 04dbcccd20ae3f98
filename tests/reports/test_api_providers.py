"""The provider tree (/api/v2/provider/{id}/...), global-admin providers
(/api/v2/admin/instrument/{id}/provider/) and the LAPI verification endpoint."""

import hashlib
import hmac
import json
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    HistogramActivityProvider,
    Provider,
    ProviderNotification,
    ProviderWebhook,
    Request,
    RequestProviderResult,
    ResultStatus,
)
from tests import factories
from tests.matrix import GLOBAL, PROVIDER, PUBLIC, Case, Fixtures, Scope, check, kw, params
from tests.reports.conftest import PROVIDER_TREE_ACCESS, enrol, report_jobs, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(configured_activity, consenting_learner, fr_provider, plag_provider):
    """One request waiting for fr (learner enrolled) and plag."""
    enrol(consenting_learner, fr_provider)
    return submit(consenting_learner, configured_activity, [1, 5])


def provider_url(provider, suffix="") -> str:
    return f"{reverse('provider-detail', kwargs={'pk': provider.pk})}{suffix}"


# Provider tree: the matrix ----------------------------------------------------------------------

TASK = uuid.UUID(int=7)
P = "fr_provider.pk"
LEARNER_ID = "consenting_learner.learner_id"
REQUEST = kw(provider_pk=P, request_id="pending.pk")
ENROLMENT = kw(provider_pk=P, learner_id=LEARNER_ID)
SAMPLE = kw(provider_pk=P, learner_id=LEARNER_ID, pk="validation.sample_id")
VALIDATIONS = kw(provider_pk=P, learner_id=LEARNER_ID, sample_pk="validation.sample_id")
VALIDATION = kw(
    provider_pk=P, learner_id=LEARNER_ID, sample_pk="validation.sample_id", pk="validation.pk"
)
NOTIFICATION = kw(provider_pk=P, pk="notification.pk")
# The tree's own provider (`fr_provider`), another provider (`provider`) and everyone else.
TREE_PERSONAS = ["fr_provider", *(persona for persona, _ in PROVIDER_TREE_ACCESS)]


def own(name, method, url_name, kwargs, ok=200, body=None, **values):
    """A case in `fr_provider`'s tree: only that provider is allowed."""
    return Case(name, method, url_name, PROVIDER, {"fr_provider"}, ok, kwargs, body, **values)


def lock(world):
    Enrolment.objects.filter(provider=world.fr_provider).update(
        locked_by=TASK, locked_at=timezone.now()
    )


TREE_CASES = [
    own("provider", "get", "provider-detail", kw(pk=P)),
    own("requests", "get", "provider-request-list", kw(provider_pk=P)),
    own("request", "get", "provider-request-detail", REQUEST),
    own(
        "request put",
        "put",
        "provider-request-detail",
        REQUEST,
        body=lambda w: {"status": 1, "result": 0.82, "code": 1},
    ),
    own(
        "request patch",
        "patch",
        "provider-request-detail",
        REQUEST,
        body=lambda w: {"result": 0.2},
    ),
    own("request data", "get", "provider-request-data", REQUEST),
    own(
        "request status",
        "post",
        "provider-request-status",
        REQUEST,
        body=lambda w: {"status": 6},
    ),
    own("enrolments", "get", "provider-enrolment-list", kw(provider_pk=P)),
    own(
        "enrolment lock",
        "post",
        "provider-enrolment-list",
        kw(provider_pk=P),
        201,
        body=lambda w: {"learner_id": str(w.consenting_learner.learner_id), "task_id": str(TASK)},
    ),
    own("enrolment", "get", "provider-enrolment-detail", ENROLMENT, prepare=lambda w: w.pending),
    own(
        "enrolment put",
        "put",
        "provider-enrolment-detail",
        ENROLMENT,
        body=lambda w: {"percentage": 0.6, "can_analyse": True},
        prepare=lambda w: w.pending,
    ),
    own(
        "enrolment patch",
        "patch",
        "provider-enrolment-detail",
        ENROLMENT,
        body=lambda w: {"percentage": 0.6},
        prepare=lambda w: w.pending,
    ),
    own(
        "enrolment delete",
        "delete",
        "provider-enrolment-detail",
        ENROLMENT,
        204,
        prepare=lambda w: w.pending,
    ),
    own(
        "enrolment unlock",
        "post",
        "provider-enrolment-unlock",
        ENROLMENT,
        body=lambda w: {"token": str(TASK)},
        prepare=lambda w: (w.pending, lock(w)),
    ),
    own("available samples", "get", "provider-available-sample-list", ENROLMENT),
    own("used samples", "get", "provider-used-sample-list", ENROLMENT),
    own("samples", "get", "provider-sample-list", ENROLMENT, prepare=lambda w: w.validation),
    own("sample", "get", "provider-sample-detail", SAMPLE),
    own("validations", "get", "provider-sample-validation-list", VALIDATIONS),
    own("validation", "get", "provider-sample-validation-detail", VALIDATION),
    own(
        "validation put",
        "put",
        "provider-sample-validation-detail",
        VALIDATION,
        body=lambda w: {"status": 1, "validation_info": {"faces": 1}, "contribution": 0.5},
    ),
    own(
        "validation patch",
        "patch",
        "provider-sample-validation-detail",
        VALIDATION,
        body=lambda w: {"contribution": 0.5},
    ),
    own(
        "validation status",
        "post",
        "provider-sample-validation-status",
        VALIDATION,
        body=lambda w: {"status": 4},
    ),
    own("notifications", "get", "provider-notification-list", kw(provider_pk=P)),
    own(
        "notification create",
        "post",
        "provider-notification-list",
        kw(provider_pk=P),
        201,
        body=lambda w: {"key": "x", "when": "2030-01-01T00:00:00Z"},
    ),
    own("notification", "get", "provider-notification-detail", NOTIFICATION),
    own("notification delete", "delete", "provider-notification-detail", NOTIFICATION, 204),
]


@pytest.fixture
def validation(consenting_learner, fr_provider):
    """A sample of the learner for face recognition, waiting for `fr_provider`'s validation."""
    sample = EnrolmentSample.objects.create(
        learner=consenting_learner, data=ContentFile(b"[]", name="sample.json")
    )
    sample.instruments.add(1)
    return EnrolmentSampleValidation.objects.create(sample=sample, provider=fr_provider)


@pytest.fixture
def notification(fr_provider):
    return ProviderNotification.objects.create(provider=fr_provider, key="k", when=timezone.now())


@pytest.mark.parametrize(("case", "persona"), params(TREE_CASES, TREE_PERSONAS))
def test_only_the_provider_itself_reaches_its_tree(request, api, case, persona):
    check(case, persona, api(persona), Fixtures(request))


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
    assert report_jobs(pending.learner).exists()
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
    assert created.json()["percentage"] == 0.0
    assert created.json()["model"] is None  # nothing uploaded yet
    assert set(created.json()["model_upload_url"]) == {"url", "fields"}
    locked = client.post(
        provider_url(fr_provider, "enrolment/"),
        {"learner_id": learner_id, "task_id": str(other_task)},
    )
    assert locked.status_code == 400 and "task_id" in locked.json()
    detail = provider_url(fr_provider, f"enrolment/{learner_id}/")
    refused = client.put(detail, {"task_id": str(other_task), "percentage": "0.9"})
    assert refused.status_code == 400
    stored = client.put(detail, {"task_id": str(task), "percentage": 0.6667, "can_analyse": True})
    assert stored.status_code == 200
    assert (stored.json()["percentage"], stored.json()["can_analyse"]) == (0.6667, True)
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


ADMIN_PROVIDER = kw(instrument_pk=1, pk="fr_provider.pk")


def admin(name, method, url_name, ok=200, kwargs=ADMIN_PROVIDER, body=None):
    """Global-admin providers: no tenant in the URL, only global admins."""
    return Case(name, method, url_name, GLOBAL, {"global_admin"}, ok, kwargs, body)


ADMIN_CASES = [
    admin("list", "get", "admin-instrument-provider-list", kwargs=kw(instrument_pk=1)),
    admin(
        "create",
        "post",
        "admin-instrument-provider-list",
        201,
        kwargs=kw(instrument_pk=1),
        body=lambda w: {"name": "P", "acronym": "p1", "queue": "q1"},
    ),
    admin("read", "get", "admin-instrument-provider-detail"),
    admin(
        "put",
        "put",
        "admin-instrument-provider-detail",
        body=lambda w: {"name": "P", "acronym": w.fr_provider.acronym, "queue": "q2"},
    ),
    admin(
        "patch",
        "patch",
        "admin-instrument-provider-detail",
        body=lambda w: {"enabled": False},
    ),
    admin("delete", "delete", "admin-instrument-provider-detail", 204),
    admin("credentials", "post", "admin-instrument-provider-credentials", 201),
]
ADMIN_PERSONAS = ["global_admin", "inst_admin", "data_admin", "vle", "provider", "anonymous"]


@pytest.mark.parametrize(("case", "persona"), params(ADMIN_CASES, ADMIN_PERSONAS))
def test_admin_provider_matrix(request, api, case, persona):
    check(case, persona, api(persona), Fixtures(request))


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
    from tesla.jobs import job_enqueue
    from tesla.models import Job

    job_enqueue(task="tesla_ce.tasks.x", args=[1], key="owed", queue=fresh.queue)
    job_enqueue(task="tesla_ce.tasks.x", args=[1], key="kept", queue=fr_provider.queue)
    assert client.delete(admin_url(suffix=f"{fresh.pk}/")).status_code == 204
    # Tasks owed to the deleted provider go with it; the others stay.
    assert not Job.objects.filter(key="owed").exists()
    assert Job.objects.filter(key="kept").exists()
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


LAPI = Scope("lapi", frozenset({"foreign_vle"}))  # the institution's VLEs may send
LAPI_CASES = [
    Case(
        "verification",
        "post",
        "lapi-verification",
        LAPI,
        {"learner_token", "learner", "vle", "other_vle"},
        kwargs=kw(institution_pk="institution.pk", learner_id="consenting_learner.learner_id"),
        body=lambda w: lapi_body(w.consenting_learner, w.configured_activity),
    )
]
LAPI_PERSONAS = [
    "learner_token",
    "learner",
    "vle",
    "other_vle",
    "foreign_vle",
    "inst_admin",
    "member",
    "provider",
    "anonymous",
]


@pytest.mark.parametrize(("case", "persona"), params(LAPI_CASES, LAPI_PERSONAS))
def test_lapi_callers(request, api, case, persona):
    response = check(case, persona, api(persona), Fixtures(request))
    learner = request.getfixturevalue("consenting_learner")
    if response.status_code == 200:
        assert response.json()["status"] == "OK"
        assert Request.objects.get(pk=response.json()["request_id"]).learner == learner
    else:
        assert not Request.objects.exists()


LAPI_ENROLMENT = Case(
    "enrolment sample",
    "post",
    "lapi-enrolment",
    LAPI,
    {"learner_token", "learner", "vle"},
    kwargs=kw(institution_pk="institution.pk", learner_id="consenting_learner.learner_id"),
    body=lambda w: {
        "learner_id": str(w.consenting_learner.learner_id),
        "data": "data:text/plain;base64,W10=",
        "instruments": [1],
        "metadata": {"mimetype": "text/plain", "filename": "face.json", "context": {}},
    },
    prepare=lambda w: w.fr_provider,
)
ENROLMENT_PERSONAS = [
    "anonymous",
    "learner_token",
    "learner",
    "vle",
    "foreign_vle",
    "member",
    "inst_admin",
    "provider",
]


@pytest.mark.parametrize(("case", "persona"), params([LAPI_ENROLMENT], ENROLMENT_PERSONAS))
def test_who_may_send_enrolment_samples(request, api, instruments, case, persona):
    response = check(case, persona, api(persona), Fixtures(request))
    assert EnrolmentSample.objects.exists() is (response.status_code == 200)


# Webhooks of providers' external services: signed, no token ---------------------------------

WEBHOOK_SECRET = "matrix-secret"


@pytest.fixture
def waiting(fr_provider, pending):
    """`pending`, put on hold by fr (waiting for its external service), with fr's webhook."""
    ProviderWebhook.objects.create(
        provider=fr_provider,
        client_header="TESLA-TPT-METHOD",
        id_header="TESLA-TPT-MESSAGE-ID",
        secret=WEBHOOK_SECRET,
    )
    RequestProviderResult.objects.filter(request=pending, provider=fr_provider).update(
        status=ResultStatus.WAITING_EXTERNAL_SERVICE
    )
    return pending


def webhook_body(world) -> dict:
    return {"action": "UPDATE_RESULT", "request_id": world.waiting.pk, "result": 0.8, "code": 1}


def webhook_headers(world) -> dict:
    # The test client sends JSON compactly; the signature is over those exact bytes.
    raw = json.dumps(webhook_body(world), separators=(",", ":"))
    return {
        "HTTP_TESLA_TPT_METHOD": "UPDATE_RESULT",
        "HTTP_TESLA_TPT_MESSAGE_ID": "m1",
        "HTTP_TESLA_SIGN": hmac.new(
            WEBHOOK_SECRET.encode(), raw.encode(), hashlib.sha512
        ).hexdigest(),
    }


WEBHOOK_CASES = [
    Case(
        "webhook",
        "post",
        "webhooks",
        PUBLIC,
        {"anonymous", "inst_admin", "provider"},
        body=webhook_body,
        headers=webhook_headers,
    )
]


@pytest.mark.parametrize(
    ("case", "persona"), params(WEBHOOK_CASES, ["anonymous", "inst_admin", "provider"])
)
def test_a_signed_webhook_needs_no_token(request, api, case, persona):
    check(case, persona, api(persona), Fixtures(request))


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
