"""Delayed results: provider notifications (`/api/v2/provider/{p}/notification/`, dispatched
as `provider_notify` through the outbox) and the signed webhook (`POST /api/webhooks/`)."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from reports.models import (
    HistogramActivityProvider,
    ProviderNotification,
    ProviderWebhook,
    RequestProviderResult,
    ResultStatus,
    WebhookMessage,
)
from reports.services.notifications import PROVIDER_NOTIFY_TASK, provider_notifications_dispatch
from tesla import jobs
from tesla.celery import app
from tesla.models import Job
from tests import factories
from tests.reports.conftest import PROVIDER_TREE_ACCESS, enrol, submit

pytestmark = pytest.mark.django_db


def notification_url(provider, suffix="") -> str:
    return f"/api/v2/provider/{provider.pk}/notification/{suffix}"


def notification(provider, key="k", when=None, info=None) -> ProviderNotification:
    return ProviderNotification.objects.create(
        provider=provider, key=key, when=when or timezone.now(), info=info
    )


# Notifications: who may -----------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), PROVIDER_TREE_ACCESS)
def test_only_the_provider_itself_reaches_its_notifications(api, fr_provider, persona, expected):
    own = notification(fr_provider)
    client = api(persona)
    body = {"key": "x", "when": "2030-01-01T00:00:00Z"}
    assert client.get(notification_url(fr_provider)).status_code == expected
    assert client.post(notification_url(fr_provider), body, format="json").status_code == expected
    assert client.get(notification_url(fr_provider, f"{own.pk}/")).status_code == expected
    assert client.delete(notification_url(fr_provider, f"{own.pk}/")).status_code == expected
    assert list(ProviderNotification.objects.values_list("key", flat=True)) == ["k"]


def test_another_providers_notification_is_404_in_the_own_tree(fr_provider, plag_provider):
    theirs = notification(plag_provider)
    client = factories.client_for(fr_provider)
    assert client.get(notification_url(fr_provider, f"{theirs.pk}/")).status_code == 404
    assert client.delete(notification_url(fr_provider, f"{theirs.pk}/")).status_code == 404
    assert client.get(notification_url(fr_provider)).json()["count"] == 0
    assert ProviderNotification.objects.filter(pk=theirs.pk).exists()


# Notifications: behaviour ---------------------------------------------------------------------


def test_post_creates_then_upserts_by_key(fr_provider):
    client = factories.client_for(fr_provider)
    # The SDK sends datetime.utcnow().isoformat(): no zone, meaning UTC.
    first = client.post(
        notification_url(fr_provider),
        {"key": "urkund-7", "when": "2030-05-01T10:00:00", "info": {"a": 1, "b": 1}},
        format="json",
    )
    assert first.status_code == 201, first.content
    created = first.json()
    assert (created["provider"], created["key"], created["info"]) == (
        fr_provider.pk,
        "urkund-7",
        {"a": 1, "b": 1},
    )
    assert created["when"] == "2030-05-01T10:00:00Z"
    again = client.post(
        notification_url(fr_provider),
        {"key": "urkund-7", "when": "2030-05-02T10:00:00+02:00", "info": {"b": 2}},
        format="json",
    )
    assert again.status_code == 200
    assert again.json()["id"] == created["id"]
    stored = ProviderNotification.objects.get()
    assert stored.info == {"a": 1, "b": 2}  # merged, as the original did
    assert stored.when == datetime(2030, 5, 2, 8, 0, tzinfo=UTC)
    listed = client.get(notification_url(fr_provider) + "?key=urkund-7").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"when": "2030-01-01T00:00:00Z"}, "key"),
        ({"key": "", "when": "2030-01-01T00:00:00Z"}, "key"),
        ({"key": "k" * 251, "when": "2030-01-01T00:00:00Z"}, "key"),
        ({"key": "k"}, "when"),
        ({"key": "k", "when": "tomorrow"}, "when"),
        ({"key": ["k"], "when": "2030-01-01T00:00:00Z"}, "key"),
    ],
)
def test_bad_notifications_are_400_naming_the_field(fr_provider, body, field):
    response = factories.client_for(fr_provider).post(
        notification_url(fr_provider), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not ProviderNotification.objects.exists()


def test_notifications_are_not_edited_in_place(fr_provider):
    row = notification(fr_provider)
    client = factories.client_for(fr_provider)
    body = {"key": "k", "when": "2030-01-01T00:00:00Z"}
    assert client.put(notification_url(fr_provider, f"{row.pk}/"), body).status_code == 405
    assert client.patch(notification_url(fr_provider, f"{row.pk}/"), body).status_code == 405


def test_notification_list_costs_a_fixed_number_of_queries(
    fr_provider, django_assert_max_num_queries
):
    for index in range(15):
        notification(fr_provider, key=f"k{index}")
    client = factories.client_for(fr_provider)
    with django_assert_max_num_queries(6):
        response = client.get(notification_url(fr_provider) + "?limit=100")
    assert response.json()["count"] == 15


# Dispatch through the outbox --------------------------------------------------------------------


def test_due_notifications_go_to_the_outbox_once_on_the_providers_queue(fr_provider, plag_provider):
    now = timezone.now()
    due = notification(fr_provider, key="due", when=now - timedelta(seconds=1))
    other = notification(plag_provider, key="due", when=now)
    notification(fr_provider, key="later", when=now + timedelta(hours=1))

    assert provider_notifications_dispatch() == 2
    queued = {job.args[0]: job for job in Job.objects.all()}
    assert set(queued) == {due.pk, other.pk}
    assert (queued[due.pk].task, queued[due.pk].queue) == (PROVIDER_NOTIFY_TASK, fr_provider.queue)
    assert queued[other.pk].queue == plag_provider.queue
    # Already handed over: the outbox re-sends them, the beat does not add them again.
    assert provider_notifications_dispatch() == 0
    assert Job.objects.count() == 2


def test_published_with_a_broker_and_waiting_without_one(
    fr_provider, settings, django_capture_on_commit_callbacks
):
    due = notification(fr_provider, when=timezone.now())
    settings.CELERY_BROKER_URL = ""
    with (
        mock.patch.object(jobs.app, "send_task") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        provider_notifications_dispatch()
    assert send.call_count == 0  # no broker: recorded, not lost
    assert Job.objects.get().args == [due.pk]
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    with mock.patch.object(jobs.app, "send_task") as send:
        assert jobs.jobs_resend() == 1
    send.assert_called_once_with(PROVIDER_NOTIFY_TASK, args=[due.pk], queue=fr_provider.queue)


def test_deleting_or_reposting_a_notification_withdraws_its_dispatch(fr_provider):
    client = factories.client_for(fr_provider)
    first = notification(fr_provider, key="a", when=timezone.now())
    second = notification(fr_provider, key="b", when=timezone.now())
    provider_notifications_dispatch()
    assert Job.objects.count() == 2

    assert client.delete(notification_url(fr_provider, f"{first.pk}/")).status_code == 204
    assert not ProviderNotification.objects.filter(pk=first.pk).exists()
    assert [job.args for job in Job.objects.all()] == [[second.pk]]

    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    response = client.post(notification_url(fr_provider), {"key": "b", "when": later})
    assert response.status_code == 200
    assert not Job.objects.exists()  # not before its new time
    assert provider_notifications_dispatch() == 0
    ProviderNotification.objects.filter(pk=second.pk).update(when=timezone.now())
    assert provider_notifications_dispatch() == 1


def test_the_beat_runs_the_dispatch_every_30_seconds():
    entry = django_settings.CELERY_BEAT_SCHEDULE["provider-notifications"]
    assert entry["schedule"] == 30.0
    app.loader.import_default_modules()  # what `celery -A tesla worker` does at start
    assert entry["task"] in app.tasks


def test_the_real_sdk_posts_reads_and_deletes_a_notification(live_server, transactional_db):
    from tesla_ce_client import Client

    provider = factories.provider(2)
    client = Client(api_url=live_server.url, verify_ssl=False, **provider.issue_credentials())
    sdk = client.provider.notification
    when = datetime.utcnow() + timedelta(seconds=60)

    created = sdk.update_or_create(provider.pk, "poll-1", when, {"report": 9})
    assert created["key"] == "poll-1"
    read = sdk.get(provider.pk, created["id"])
    assert read["info"] == {"report": 9}
    stored = ProviderNotification.objects.get(pk=created["id"])
    assert abs((stored.when - when.replace(tzinfo=UTC)).total_seconds()) < 1
    sdk.delete(provider.pk, created["id"])
    assert not ProviderNotification.objects.exists()


# Webhooks -------------------------------------------------------------------------------------

SECRET = "tpt-shared-secret"


@pytest.fixture
def answering_request(configured_activity, consenting_learner, plag_provider):
    """A request that plag (say TPT) put on hold: waiting for its external service."""
    request = submit(consenting_learner, configured_activity, [5])
    RequestProviderResult.objects.filter(request=request).update(
        status=ResultStatus.WAITING_EXTERNAL_SERVICE
    )
    return request


@pytest.fixture
def answering(answering_request, plag_provider):
    """... and the webhook client of plag's external service."""
    webhook = ProviderWebhook.objects.create(
        provider=plag_provider,
        client_header="TESLA-TPT-METHOD",
        id_header="TESLA-TPT-MESSAGE-ID",
        secret=SECRET,
    )
    return webhook, answering_request


def signed(body: dict, secret: str = SECRET) -> str:
    # As the original checks it: HMAC-SHA512 of json.dumps(body), hex.
    return hmac.new(secret.encode(), json.dumps(body).encode(), hashlib.sha512).hexdigest()


def update_body(request, **values) -> dict:
    return {
        "action": "UPDATE_RESULT",
        "request_id": request.pk,
        "result": 0.8,
        "code": 1,
        "audit_data": [{"tesla_id": "x", "result": 0.8}],
        **values,
    }


def post_webhook(body, *, sign=None, message_id="m1", raw=None, **headers):
    client = factories.client_for()
    extra = {"HTTP_TESLA_TPT_METHOD": "UPDATE_RESULT", **headers}
    if message_id is not None:
        extra["HTTP_TESLA_TPT_MESSAGE_ID"] = message_id
    if sign is not None:
        extra["HTTP_TESLA_SIGN"] = sign
    payload = raw if raw is not None else json.dumps(body)
    return client.post("/api/webhooks/", payload, content_type="application/json", **extra)


def test_a_signed_update_stores_the_result_and_moves_the_histogram(answering, plag_provider):
    _, request = answering
    body = update_body(request)
    response = post_webhook(body, sign=signed(body))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "processed"
    row = RequestProviderResult.objects.get(request=request, provider=plag_provider)
    assert (row.status, row.result, row.code) == (ResultStatus.PROCESSED, 0.8, 1)
    assert row.audit == body["audit_data"]
    histogram = HistogramActivityProvider.objects.get(provider=plag_provider)
    assert histogram.bins[8] == 1


def test_a_signature_over_the_exact_bytes_is_accepted(answering):
    _, request = answering
    raw = json.dumps(update_body(request), separators=(",", ":"))
    sign = hmac.new(SECRET.encode(), raw.encode(), hashlib.sha512).hexdigest()
    assert post_webhook(None, sign=sign, raw=raw).status_code == 200


@pytest.mark.parametrize(
    "sign",
    [
        None,  # missing
        "",
        "00" * 64,
        "not-hex",
        "wrong-secret",
        "tampered",
    ],
)
def test_bad_or_missing_signatures_are_403_and_change_nothing(answering, plag_provider, sign):
    _, request = answering
    body = update_body(request)
    if sign == "wrong-secret":
        sign = signed(body, secret="guess")
    elif sign == "tampered":
        sign = signed(update_body(request, result=0.1))
    response = post_webhook(body, sign=sign)
    assert response.status_code == 403
    assert "detail" in response.json()
    row = RequestProviderResult.objects.get(request=request, provider=plag_provider)
    assert row.status == ResultStatus.WAITING_EXTERNAL_SERVICE
    assert not WebhookMessage.objects.exists()


def test_an_unknown_client_or_a_disabled_one_is_404(answering):
    webhook, request = answering
    body = update_body(request)
    client = factories.client_for()
    no_header = client.post(
        "/api/webhooks/",
        json.dumps(body),
        content_type="application/json",
        HTTP_TESLA_SIGN=signed(body),
    )
    assert no_header.status_code == 404
    webhook.enabled = False
    webhook.save()
    assert post_webhook(body, sign=signed(body)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "DELETE_EVERYTHING"}, "action"),
        ({"result": 1.5}, "result"),
        ({"result": "high"}, "result"),
        ({"code": 9}, "code"),
        ({"request_id": "x"}, "request_id"),
        ({"request_id": 999999}, "request_id"),
    ],
)
def test_bad_signed_bodies_are_400_naming_the_field(answering, changes, field):
    _, request = answering
    body = update_body(request, **changes)
    response = post_webhook(body, sign=signed(body))
    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookMessage.objects.exists()


def test_another_providers_request_is_refused(answering, fr_provider, consenting_learner):
    enrol(consenting_learner, fr_provider)
    _, request = answering
    fr_only = submit(consenting_learner, request.activity, [1])
    body = update_body(fr_only)
    response = post_webhook(body, sign=signed(body))
    assert response.status_code == 400
    assert RequestProviderResult.objects.get(request=fr_only).status == ResultStatus.PENDING


def test_replays_and_resends_are_applied_once(answering, plag_provider):
    _, request = answering
    first = update_body(request, result=0.8)
    assert post_webhook(first, sign=signed(first), message_id="m1").json()["status"] == (
        "processed"
    )
    newer = update_body(request, result=0.2, code=3)
    assert post_webhook(newer, sign=signed(newer), message_id="m2").status_code == 200

    # The same message id again (a resend), or the old signed body under a new id or none
    # (a replay): answered, but nothing changes.
    for message_id in ("m1", "m3", None):
        response = post_webhook(first, sign=signed(first), message_id=message_id)
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    spaced = json.dumps(first, indent=2)  # same body, other bytes
    assert (
        post_webhook(None, sign=signed(first), raw=spaced, message_id="m4").json()["status"]
        == "duplicate"
    )

    row = RequestProviderResult.objects.get(request=request, provider=plag_provider)
    assert (row.result, row.code) == (0.2, 3)
    assert WebhookMessage.objects.count() == 2
    histogram = HistogramActivityProvider.objects.get(provider=plag_provider)
    assert sum(histogram.bins) == 1 and histogram.bins[2] == 1


def test_register_webhook_command_makes_a_working_client(plag_provider, answering_request):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "register_webhook",
        "--provider",
        plag_provider.acronym,
        "--client-header",
        "tesla-tpt-method",
        "--id-header",
        "TESLA-TPT-MESSAGE-ID",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    assert printed["provider_id"] == plag_provider.pk
    assert printed["client_header"] == "TESLA-TPT-METHOD" and len(printed["secret"]) >= 32
    body = update_body(answering_request)
    response = post_webhook(body, sign=signed(body, secret=printed["secret"]))
    assert response.status_code == 200 and response.json()["status"] == "processed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "nope", "--client-header", "X-A"], "No provider"),
        (["--client-header", "bad header"], "client_header"),
        (["--client-header", "TAKEN"], "client_header"),
    ],
)
def test_register_webhook_command_refuses_bad_input(fr_provider, plag_provider, args, message):
    from django.core.management import CommandError, call_command

    ProviderWebhook.objects.create(provider=fr_provider, client_header="TAKEN", secret="s")
    if "--provider" not in args:
        args = ["--provider", str(plag_provider.pk), *args]
    with pytest.raises(CommandError, match=message):
        call_command("register_webhook", *args)
    assert not ProviderWebhook.objects.filter(provider=plag_provider).exists()


def test_deleting_a_provider_withdraws_its_notification_dispatches(api):
    fresh = factories.provider(1)
    notification(fresh, when=timezone.now())
    provider_notifications_dispatch()
    assert Job.objects.filter(queue=fresh.queue).exists()
    response = api("global_admin").delete(f"/api/v2/admin/instrument/1/provider/{fresh.pk}/")
    assert response.status_code == 204
    assert not ProviderNotification.objects.exists()
    assert not Job.objects.exists()
