"""The provider task protocol, as the SDK (`tesla-ce-provider`) speaks it, endpoint by endpoint:
the tasks published through the outbox, the approle broker settings, enrolment samples from
the LAPI to the provider routes, signed links for every file, and the model upload."""

import json
import uuid
from unittest import mock

import pytest
from rest_framework.test import APIClient

from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    RequestProviderResult,
    SampleStatus,
)
from reports.services import dispatch
from tesla import jobs
from tesla.models import Job
from tesla.signing import signed_upload_form
from tests import factories
from tests.reports.conftest import PROVIDER_TREE_ACCESS, enrol, submit

pytestmark = pytest.mark.django_db

BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def provider_url(provider, suffix="") -> str:
    return f"/api/v2/provider/{provider.pk}/{suffix}"


@pytest.fixture
def sent(settings):
    """With a broker configured: every publication, as (task, args, queue)."""
    settings.CELERY_BROKER_URL = BROKER
    with mock.patch.object(jobs.app, "send_task") as send:
        calls = []
        send.side_effect = lambda task, args, queue: calls.append((task, args, queue))
        yield calls


def bare_get(url: str):
    """A GET without any credentials, as the SDK downloads files."""
    return APIClient().get(url.replace("http://testserver", ""))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# Approle: the broker settings ------------------------------------------------------------------


def test_approle_hands_the_provider_its_broker_settings(settings, fr_provider):
    credentials = fr_provider.issue_credentials()
    settings.CELERY_BROKER_URL = "amqp://tesla:s%40cret@rabbit.internal:5673/tesla"
    config = APIClient().post("/api/v2/auth/approle", credentials, format="json").json()["config"]
    assert config == {
        "API_URL": settings.PUBLIC_API_URL,
        "CELERY_BROKER_PROTOCOL": "amqp",
        "CELERY_BROKER_TRANSPORT": "amqp",
        "CELERY_BROKER_HOST": "rabbit.internal",
        "CELERY_BROKER_PORT": 5673,
        "CELERY_BROKER_USER": "tesla",
        "CELERY_BROKER_PASSWORD": "s@cret",
        "CELERY_BROKER_VHOST": "tesla",
        "CELERY_BROKER_REGION": None,
    }
    settings.PROVIDER_BROKER_URL = "redis://broker.example:6379/0"
    config = APIClient().post("/api/v2/auth/approle", credentials, format="json").json()["config"]
    assert (config["CELERY_BROKER_TRANSPORT"], config["CELERY_BROKER_HOST"]) == (
        "redis",
        "broker.example",
    )
    assert (config["CELERY_BROKER_PORT"], config["CELERY_BROKER_VHOST"]) == (6379, "0")


def test_approle_gives_no_broker_when_none_is_configured(settings, fr_provider):
    settings.CELERY_BROKER_URL = settings.PROVIDER_BROKER_URL = ""
    body = APIClient().post("/api/v2/auth/approle", fr_provider.issue_credentials(), format="json")
    assert body.json()["config"] == {"API_URL": settings.PUBLIC_API_URL}


def test_celery_reads_the_handed_out_settings_as_the_sdk_passes_them(settings, fr_provider):
    from celery import Celery

    settings.CELERY_BROKER_URL = "amqp://tesla:pw@rabbit.internal:5673/tesla"
    config = (
        APIClient()
        .post("/api/v2/auth/approle", fr_provider.issue_credentials(), format="json")
        .json()["config"]
    )
    worker = Celery("provider", set_as_current=False)
    worker.config_from_object(config, namespace="CELERY")
    assert worker.connection_for_write().as_uri(include_password=True) == (
        "amqp://tesla:pw@rabbit.internal:5673/tesla"
    )


# Verification tasks ------------------------------------------------------------------------


def test_a_request_sends_verify_request_to_each_provider_that_can_analyse(
    configured_activity, consenting_learner, fr_provider, plag_provider, sent, committed
):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1, 5])
    rows = {row.provider_id: row.pk for row in RequestProviderResult.objects.all()}
    assert sorted(sent) == sorted(
        [
            (dispatch.VERIFY_REQUEST, [request.pk, rows[fr_provider.pk]], fr_provider.queue),
            (dispatch.VERIFY_REQUEST, [request.pk, rows[plag_provider.pk]], plag_provider.queue),
        ]
    )
    assert Job.objects.filter(task=dispatch.VERIFY_REQUEST).count() == 2


def test_no_task_for_a_provider_whose_model_cannot_analyse_yet(
    configured_activity, consenting_learner, fr_provider, sent, committed
):
    with committed():
        submit(consenting_learner, configured_activity, [1])
    assert sent == []
    assert RequestProviderResult.objects.get().status == 5  # missing enrolment


def test_the_answer_ends_the_task_and_null_results_are_accepted(
    configured_activity, consenting_learner, fr_provider, sent, committed
):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1])
    client = factories.client_for(fr_provider)
    url = provider_url(fr_provider, f"request/{request.pk}/")
    detail = client.get(url).json()
    # The data link works with a bare GET and carries the stored payload.
    payload = json.loads(body_of(bare_get(detail["request"]["data"])))
    assert payload["learner_id"] == str(consenting_learner.learner_id)
    assert payload["data"] == "sample"
    # A status change keeps the task pending; a waiting provider has taken it.
    assert client.post(f"{url}status/", {"status": 7}).status_code == 200
    assert not Job.objects.filter(task=dispatch.VERIFY_REQUEST).exists()
    # The SDK's answer for unreadable data: processed, without a score.
    answered = client.put(
        url,
        {
            "status": 1,
            "result": None,
            "code": 1,
            "error_message": "Invalid image format in sample data.",
            "message_code": "PROVIDER_INVALID_SAMPLE_DATA",
            "audit_data": None,
        },
        format="json",
    )
    assert answered.status_code == 200, answered.content
    row = RequestProviderResult.objects.get()
    assert (row.status, row.result, row.message_code) == (2, 0.0, "PROVIDER_INVALID_SAMPLE_DATA")


def test_a_task_is_sent_again_until_the_provider_answers(
    configured_activity, consenting_learner, fr_provider, sent, committed, settings
):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1])
    Job.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    assert jobs.jobs_resend() == 1
    assert len(sent) == 2 and sent[0] == sent[1]
    answered = factories.client_for(fr_provider).put(
        provider_url(fr_provider, f"request/{request.pk}/"),
        {"status": 1, "result": 0.9, "code": 1},
        format="json",
    )
    assert answered.status_code == 200, answered.content
    Job.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    jobs.jobs_resend()  # only the report build is left to send
    assert [task for task, _, _ in sent].count(dispatch.VERIFY_REQUEST) == 2


def test_a_task_whose_work_vanished_or_was_answered_is_dropped_not_sent(
    configured_activity, consenting_learner, fr_provider, sent, committed
):
    enrol(consenting_learner, fr_provider)
    submit(consenting_learner, configured_activity, [1])  # not committed: not sent yet
    RequestProviderResult.objects.update(status=1)  # answered meanwhile (pull-style)
    second = submit(consenting_learner, configured_activity, [1])
    second.delete()  # its learner's data erased
    Job.objects.update(next_attempt_at="2000-01-01T00:00:00Z")
    jobs.jobs_resend()
    assert [task for task, _, _ in sent if task == dispatch.VERIFY_REQUEST] == []
    assert not Job.objects.filter(task=dispatch.VERIFY_REQUEST).exists()


# Enrolment samples: the LAPI intake ---------------------------------------------------------


@pytest.fixture
def ks(db):
    from vle.models import Instrument

    Instrument.objects.filter(pk=2).update(enabled=True)
    return 2


@pytest.fixture
def ks_provider(ks):
    return factories.provider(ks, allow_validation=True, validation_active=True)


def sample_body(learner, **changes):
    return {
        "learner_id": str(learner.learner_id),
        "data": "data:text/plain;base64,W10=",
        "instruments": [2],
        "metadata": {"mimetype": "text/plain", "filename": "typing.json", "context": {}},
        **changes,
    }


def lapi_enrolment(institution, learner) -> str:
    return f"/lapi/v1/enrolment/{institution.pk}/{learner.learner_id}/"


def test_an_enrolment_sample_is_stored_and_sent_to_each_validating_provider(
    institution, vle, consenting_learner, ks_provider, sent, committed
):
    factories.provider(2, allow_validation=True, validation_active=False)  # validation off
    factories.provider(2, enabled=False, allow_validation=True, validation_active=True)
    with committed():
        response = factories.client_for(vle).post(
            lapi_enrolment(institution, consenting_learner),
            sample_body(consenting_learner),
            format="json",
        )
    assert response.status_code == 200, response.content
    sample = EnrolmentSample.objects.get()
    assert response.json() == {"status": "OK", "sample_id": sample.pk, "path": sample.data.name}
    assert sample.data.name.startswith(
        f"{institution.pk}/enrolment/{consenting_learner.learner_id}/samples/"
    )
    stored = json.loads(sample.data.read())
    assert stored == sample_body(consenting_learner)
    validation = EnrolmentSampleValidation.objects.get()
    assert (validation.provider_id, validation.status) == (ks_provider.pk, 0)
    assert sent == [
        (
            dispatch.VALIDATE_REQUEST,
            [str(consenting_learner.learner_id), sample.pk, validation.pk],
            ks_provider.queue,
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"instruments": []}, "instruments"),
        ({"instruments": [99]}, "instruments"),
        ({"metadata": {"filename": "x"}}, "metadata"),
        ({"data": 5}, None),
        ({"learner_id": "nope"}, "learner_id"),
    ],
)
def test_a_bad_enrolment_sample_is_a_400_naming_the_field(
    institution, vle, consenting_learner, ks_provider, changes, field
):
    response = factories.client_for(vle).post(
        lapi_enrolment(institution, consenting_learner),
        sample_body(consenting_learner, **changes),
        format="json",
    )
    if field is None:  # a number is coerced to a string, as DRF does
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert field in response.json()["errors"]
    assert not EnrolmentSample.objects.exists()


def test_enrolment_samples_need_consent_and_the_callers_own_learner(
    institution, other_institution, vle, consenting_learner, ks_provider
):
    from institution.models import Learner

    learner = consenting_learner
    client = factories.client_for(vle)
    consenting_learner.consent = None
    consenting_learner.save()
    refused = client.post(
        lapi_enrolment(institution, consenting_learner),
        sample_body(consenting_learner),
        format="json",
    )
    assert refused.status_code == 400 and "learner_id" in refused.json()["errors"]
    foreign = Learner.objects.get(
        institution_user=factories.user(other_institution, learner=True).institution_user
    )
    assert (
        client.post(
            lapi_enrolment(other_institution, foreign), sample_body(foreign), format="json"
        ).status_code
        == 404
    )
    assert (
        APIClient()
        .post(lapi_enrolment(institution, learner), sample_body(learner), format="json")
        .status_code
        == 401
    )
    mismatch = client.post(
        lapi_enrolment(institution, learner),
        sample_body(learner, learner_id=str(uuid.uuid4())),
        format="json",
    )
    assert mismatch.status_code == 403
    assert not EnrolmentSample.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("learner_token", 200),  # the browser plugin, with the learner's session token
        ("learner", 200),  # the learner logged in
        ("vle", 200),
        ("foreign_vle", 404),  # another institution's VLE: not its institution
        ("member", 403),  # another person of the institution
        ("inst_admin", 403),
        ("provider", 403),
    ],
)
def test_who_may_send_enrolment_samples(
    api, institution, consenting_learner, ks_provider, persona, expected
):
    response = api(persona).post(
        lapi_enrolment(institution, consenting_learner),
        sample_body(consenting_learner),
        format="json",
    )
    assert response.status_code == expected, response.content
    assert EnrolmentSample.objects.exists() is (expected == 200)


# Enrolment samples: the provider routes -----------------------------------------------------


@pytest.fixture
def validating(institution, vle, consenting_learner, ks_provider, sent, committed):
    """One sample waiting for the ks provider's validation."""
    with committed():
        factories.client_for(vle).post(
            lapi_enrolment(institution, consenting_learner),
            sample_body(consenting_learner),
            format="json",
        )
    sent.clear()
    return EnrolmentSampleValidation.objects.get()


def learner_url(provider, learner, suffix) -> str:
    return provider_url(provider, f"enrolment/{learner.learner_id}/{suffix}")


def test_validation_to_enrolment_as_the_sdk_drives_it(
    consenting_learner, ks_provider, validating, sent, committed, django_assert_max_num_queries
):
    client = factories.client_for(ks_provider)
    sample = validating.sample
    validation_url = learner_url(
        ks_provider, consenting_learner, f"sample/{sample.pk}/validation/{validating.pk}/"
    )
    # validate_request: read the validation, download the sample with a bare GET.
    read = client.get(validation_url).json()
    assert (read["id"], read["status"], read["info"]) == (validating.pk, 0, None)
    data = json.loads(body_of(bare_get(read["sample"]["data"])))
    assert data["metadata"]["mimetype"] == "text/plain"
    # The SDK's ValidationResult.json().
    with committed():
        stored = client.put(
            validation_url,
            {
                "status": 1,
                "error_message": None,
                "validation_info": {"faces": 1},
                "message_code_id": None,
                "contribution": 0.0667,
            },
            format="json",
        )
    assert stored.status_code == 200, stored.content
    info = json.loads(body_of(bare_get(stored.json()["info"])))
    assert info == {"faces": 1}
    sample.refresh_from_db()
    assert sample.status == SampleStatus.VALID
    assert not Job.objects.filter(task=dispatch.VALIDATE_REQUEST).exists()
    assert sent == [
        (
            dispatch.ENROL_LEARNER,
            [str(consenting_learner.learner_id), sample.pk],
            ks_provider.queue,
        )
    ]
    status = consenting_learner_status(consenting_learner)
    assert status["pending"] == [
        {"provider_id": ks_provider.pk, "instrument_id": 2, "pending_contribution": 0.0667}
    ]

    # enrol_learner: lock, list the available samples and their validations, upload, store.
    task = str(uuid.uuid4())
    opened = client.post(
        provider_url(ks_provider, "enrolment/"),
        {"learner_id": str(consenting_learner.learner_id), "task_id": task},
        format="json",
    )
    assert opened.status_code == 201
    with django_assert_max_num_queries(8):
        available = client.get(learner_url(ks_provider, consenting_learner, "available_samples/"))
    assert [row["id"] for row in available.json()["results"]] == [sample.pk]
    validations = client.get(
        learner_url(ks_provider, consenting_learner, f"sample/{sample.pk}/validation/")
    )
    assert [row["id"] for row in validations.json()["results"]] == [validating.pk]
    upload = opened.json()["model_upload_url"]
    model = {"percentage": 0.3333, "samples": [{"id": sample.pk}], "data": "abc"}
    uploaded = sdk_upload(upload, json.dumps(model).encode())
    assert uploaded.status_code == 204
    with committed():
        saved = client.put(
            learner_url(ks_provider, consenting_learner, ""),
            {
                "learner_id": str(consenting_learner.learner_id),
                "task_id": task,
                "percentage": 1 / 3,
                "can_analyse": False,
                "used_samples": [sample.pk],
            },
            format="json",
        )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["percentage"], body["model_total_samples"], body["is_locked"]) == (
        pytest.approx(1 / 3),
        1,
        False,
    )
    assert json.loads(body_of(bare_get(body["model"]))) == model
    assert (
        client.get(learner_url(ks_provider, consenting_learner, "available_samples/")).json()[
            "count"
        ]
        == 0
    )
    used = client.get(learner_url(ks_provider, consenting_learner, "used_samples/")).json()
    assert [row["id"] for row in used["results"]] == [sample.pk]
    assert not Job.objects.filter(task=dispatch.ENROL_LEARNER).exists()
    assert consenting_learner_status(consenting_learner)["percentage__max"] == pytest.approx(1 / 3)


def sdk_upload(form, content: bytes):
    """The SDK's upload: a multipart POST of the form's fields and the file as `file`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return APIClient().post(
        form["url"].replace("http://testserver", ""),
        {**form["fields"], "file": SimpleUploadedFile("model.json", content)},
        format="multipart",
    )


def consenting_learner_status(learner) -> dict:
    from reports.selectors import learner_enrolment_status

    [entry] = learner_enrolment_status(learner=learner)
    return entry


def test_a_rejected_sample_is_not_enrolled(consenting_learner, ks_provider, validating, sent):
    client = factories.client_for(ks_provider)
    url = learner_url(
        ks_provider,
        consenting_learner,
        f"sample/{validating.sample_id}/validation/{validating.pk}/status/",
    )
    assert client.post(url, {"status": 4}).json()["status"] == 4  # waiting external service
    assert consenting_learner_status(consenting_learner)["not_validated_count"] == 1
    assert client.post(url, {"status": 9}).status_code == 400
    assert client.post(url, {"status": 2}).status_code == 200
    validating.sample.refresh_from_db()
    assert validating.sample.status == SampleStatus.ERROR
    assert sent == []
    assert (
        client.get(learner_url(ks_provider, consenting_learner, "available_samples/")).json()[
            "count"
        ]
        == 0
    )


def test_a_sample_nobody_validates_is_enrolled_at_once(
    institution, vle, consenting_learner, ks, sent, committed
):
    plain = factories.provider(ks)  # enabled, no validation
    with committed():
        factories.client_for(vle).post(
            lapi_enrolment(institution, consenting_learner),
            sample_body(consenting_learner),
            format="json",
        )
    sample = EnrolmentSample.objects.get()
    assert sample.status == SampleStatus.VALID
    assert sent == [
        (dispatch.ENROL_LEARNER, [str(consenting_learner.learner_id), sample.pk], plain.queue)
    ]


@pytest.mark.parametrize(("persona", "expected"), PROVIDER_TREE_ACCESS)
def test_only_the_provider_reaches_its_sample_routes(
    api, consenting_learner, ks_provider, validating, persona, expected
):
    sample = validating.sample_id
    for suffix in (
        "available_samples/",
        "used_samples/",
        f"sample/{sample}/",
        f"sample/{sample}/validation/",
        f"sample/{sample}/validation/{validating.pk}/",
    ):
        url = learner_url(ks_provider, consenting_learner, suffix)
        assert api(persona).get(url).status_code == expected, url


def test_sample_routes_hide_other_learners_samples_and_other_providers_validations(
    institution, consenting_learner, ks_provider, validating
):
    from institution.models import Learner

    client = factories.client_for(ks_provider)
    other = Learner.objects.get(
        institution_user=factories.user(institution, learner=True).institution_user
    )
    sample = validating.sample_id
    assert client.get(learner_url(ks_provider, other, f"sample/{sample}/")).status_code == 404
    assert (
        client.get(
            learner_url(ks_provider, other, f"sample/{sample}/validation/{validating.pk}/")
        ).status_code
        == 404
    )
    assert (
        client.get(
            provider_url(ks_provider, "enrolment/0123456789abcdef0123456789abcdef0/sample/")
        ).status_code
        == 404
    )
    fr = factories.provider(1)
    assert (
        factories.client_for(fr)
        .get(learner_url(fr, consenting_learner, f"sample/{sample}/validation/{validating.pk}/"))
        .status_code
        == 404
    )


# The signed model upload --------------------------------------------------------------------


def test_the_upload_form_refuses_bad_tokens_missing_files_oversize_and_expiry():
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = signed_upload_form("x/model.json", max_bytes=4)
    client = APIClient()
    url = form["url"].replace("http://127.0.0.1:8000", "")

    def post(fields, content=b"1234"):
        return client.post(
            url, {**fields, "file": SimpleUploadedFile("m", content)}, format="multipart"
        )

    assert post({"token": "forged"}).status_code == 404
    assert post({}).status_code == 404
    assert client.post(url, form["fields"], format="multipart").status_code == 400
    assert post(form["fields"], b"12345").status_code == 413
    assert client.get(url).status_code == 405
    expired = signed_upload_form("x/model.json", max_bytes=4, max_age=-1)
    assert post(expired["fields"]).status_code == 410
    assert post(form["fields"]).status_code == 204
    assert post(form["fields"], b"abcd").status_code == 204  # replaces, keeps one file
    from django.core.files.storage import default_storage

    assert default_storage.open("x/model.json").read() == b"abcd"
    assert default_storage.listdir("x")[1] == ["model.json"]


def test_deleting_a_model_deletes_its_file(consenting_learner, ks_provider):
    from django.core.files.base import ContentFile

    enrolment = Enrolment.objects.create(learner=consenting_learner, provider=ks_provider)
    enrolment.model.save("m/model.json", ContentFile(b"{}"))
    storage = enrolment.model.storage
    response = factories.client_for(ks_provider).delete(
        learner_url(ks_provider, consenting_learner, "")
    )
    assert response.status_code == 204
    assert not storage.exists("m/model.json")


def test_sample_and_model_lists_cost_the_same_whatever_their_size(consenting_learner, ks_provider):
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = factories.client_for(ks_provider)
    enrolment = Enrolment.objects.create(learner=consenting_learner, provider=ks_provider)

    def add_samples(count):
        for _ in range(count):
            sample = EnrolmentSample(learner=consenting_learner, status=SampleStatus.VALID)
            sample.data.save("s.json", ContentFile(b"{}"), save=False)
            sample.save()
            sample.instruments.set([2])
            enrolment.model_samples.add(sample)
            EnrolmentSampleValidation.objects.create(sample=sample, provider=ks_provider)

    urls = [
        learner_url(ks_provider, consenting_learner, "sample/"),
        learner_url(ks_provider, consenting_learner, "used_samples/"),
        provider_url(ks_provider, "enrolment/"),
    ]

    def cost():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    add_samples(1)
    one = cost()
    add_samples(5)
    assert cost() == one
    assert client.get(urls[0]).json()["count"] == 6
