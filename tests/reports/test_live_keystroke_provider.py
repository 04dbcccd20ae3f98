"""The real keystroke provider, unchanged, against a live server.

`tesla-ce-provider-ks-tks` (PyPI) runs as a Celery worker subprocess on the machine's
RabbitMQ, configured only with API_URL, ROLE_ID, SECRET_ID and its class, exactly as its
Docker image is. It logs in with approle, takes its broker settings from the answer, and
consumes its own queue; this server publishes `validate_request`, `enrol_learner` and
`verify_request` there through the outbox. Two learners enrol through the browser plugin's
LAPI intake with typing samples generated here (three each: the provider is told to want
three), are refused an assessment until their model can analyse (406, status 4), then type in
an assessment session: Ada as herself, while Bob's session is typed by someone typing like
Ada. The provider's results and the activity reports must tell them apart.

Needs RabbitMQ at 127.0.0.1:5672 (guest/guest) and PostgreSQL (the live server and the test
write concurrently); skipped without them, except in CI (CI=true), where both must be there.
"""

import base64
import importlib.util
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from institution.models import Learner
from reports.models import (
    Enrolment,
    EnrolmentSample,
    RequestProviderResult,
    ResultStatus,
    SampleStatus,
)
from tesla.celery import app as celery_app
from tesla.models import Job
from tests import factories
from vle.models import ActivityInstrument, Instrument

BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
KEYSTROKE = 2
SAMPLES_TO_ENROL = 3
KEYS = "etaoinshrd"
WAIT_SECONDS = 90


def _rabbitmq_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the live provider test.")
    pytest.skip(reason)


@pytest.fixture
def live_requirements(transactional_db):
    if not _rabbitmq_reachable():
        _skip_or_fail("RabbitMQ is not reachable at 127.0.0.1:5672")
    if connection.vendor != "postgresql":
        _skip_or_fail("the live provider test needs PostgreSQL")
    if importlib.util.find_spec("tks") is None:  # importing it would log in: only look
        _skip_or_fail("tesla-ce-provider-ks-tks is not installed")


@pytest.fixture
def broker(settings, live_requirements):
    """This server publishing on RabbitMQ; its own tasks (report builds) keep running
    in-process after commit, so no worker of ours is needed."""
    settings.CELERY_BROKER_URL = BROKER_URL
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = BROKER_URL
    yield BROKER_URL
    celery_app.conf.broker_url = previous


# Typing samples -----------------------------------------------------------------------------


def typing_profile(rng: random.Random, dwell: float, flight: float) -> dict:
    """How one person types: a mean key-hold (dwell) and key-to-key (flight) time per key."""
    return {
        "dwell": {key: dwell + rng.uniform(-30, 30) for key in KEYS},
        "flight": {key: flight + rng.uniform(-60, 60) for key in KEYS},
    }


def typing_sample(profile: dict, rng: random.Random, repeats: int = 6) -> str:
    """A typing session as the keystroke sensor sends it: a data URL of base64 JSON, a list
    of captures whose `features` are `{type, code, time}` (type 1 dwell, 2 flight; ms)."""
    features = []
    for key in KEYS:
        for _ in range(repeats):
            features.append({"type": 1, "code": key, "time": rng.gauss(profile["dwell"][key], 6)})
            features.append({"type": 2, "code": key, "time": rng.gauss(profile["flight"][key], 10)})
    encoded = base64.b64encode(json.dumps([{"features": features}]).encode()).decode()
    return f"data:text/plain;base64,{encoded}"


# The provider worker ------------------------------------------------------------------------


@pytest.fixture
def keystroke_provider(broker, db):
    Instrument.objects.filter(pk=KEYSTROKE).update(enabled=True)
    suffix = uuid.uuid4().hex[:10]
    return factories.provider(
        KEYSTROKE,
        name="TeSLA CE Keystroke (TKS)",
        acronym=f"tks_{suffix}",
        queue=f"test_tks_{suffix}",
        allow_validation=True,
        validation_active=True,
        alert_below="0.30",
        warning_below="0.60",
        options={
            "target_enrol_samples": SAMPLES_TO_ENROL,
            "min_enrol_samples": SAMPLES_TO_ENROL,
        },
    )


@pytest.fixture
def provider_worker(keystroke_provider, live_server, tmp_path):
    """`celery -A tesla_ce_provider worker` with the provider's credentials, as its image runs
    it; stopped (and its queue deleted) afterwards."""
    credentials = keystroke_provider.issue_credentials()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "DJANGO_", "DATABASE_"))
    }
    env.update(
        API_URL=live_server.url,
        ROLE_ID=credentials["role_id"],
        SECRET_ID=credentials["secret_id"],
        PROVIDER_CLASS="tks.TKSProvider",
    )
    log_name = str(tmp_path / "tks-worker.log")
    with open(log_name, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tesla_ce_provider",
                "worker",
                "-O",
                "fair",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, log_name
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with celery_app.connection_for_write() as conn:
                channel = conn.channel()
                channel.queue_delete(keystroke_provider.queue)
                channel.exchange_delete(keystroke_provider.queue)


def wait_for(condition, what: str, worker) -> None:
    process, log_name = worker
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            break
        time.sleep(0.3)
    with open(log_name) as handle:
        tail = handle.read()[-6000:]
    pytest.fail(f"Timed out waiting for {what}. Worker exit code {process.poll()}; log:\n{tail}")


# The test -----------------------------------------------------------------------------------


# This server keeps running its own tasks in-process while publishing the providers' ones.
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_the_real_keystroke_provider_enrols_and_verifies_learners(
    institution, vle, course, activity, keystroke_provider, provider_worker, live_server
):
    institution.external_ic = True  # consent handled by the institution: every learner VALID
    institution.save()
    activity.enabled = True
    activity.save()
    ActivityInstrument.objects.create(activity=activity, instrument_id=KEYSTROKE, active=True)
    learners = {}
    for name in ("ada", "bob"):
        account = factories.user(institution, learner=True)
        learner = Learner.objects.get(institution_user=account.institution_user)
        course.learners.add(learner)
        learners[name] = learner
    vle_client = factories.client_for(vle)
    rng = random.Random(20261203)
    ada_typing = typing_profile(rng, dwell=90, flight=160)
    bob_typing = typing_profile(rng, dwell=170, flight=320)
    typing_of = {"ada": ada_typing, "bob": bob_typing}

    def start_assessment(learner):
        return vle_client.post(
            f"/api/v2/vle/{vle.pk}/assessment/",
            {
                "vle_learner_uid": learner.institution_user.uid,
                "vle_activity_type": activity.vle_activity_type,
                "vle_activity_id": activity.vle_activity_id,
            },
            format="json",
        )

    # Without a model, the assessment is refused: enrolment missing.
    refused = start_assessment(learners["ada"])
    assert refused.status_code == 406, refused.content
    assert refused.json()["status"] == 4

    # Enrolment: one sample at a time through the browser plugin's intake; the provider
    # validates each, enrols it and stores its model with the new percentage.
    for name, learner in learners.items():
        for count in range(1, SAMPLES_TO_ENROL + 1):
            response = vle_client.post(
                f"/lapi/v1/enrolment/{institution.pk}/{learner.learner_id}/",
                {
                    "learner_id": str(learner.learner_id),
                    "data": typing_sample(typing_of[name], rng),
                    "instruments": [KEYSTROKE],
                    "metadata": {"mimetype": "text/plain", "context": {}},
                },
                format="json",
            )
            assert response.status_code == 200, response.content
            assert response.json()["status"] == "OK"

            def enrolled(learner=learner, count=count):
                return Enrolment.objects.filter(
                    learner=learner,
                    provider=keystroke_provider,
                    model_samples__isnull=False,
                    locked_by__isnull=True,
                ).count() == count and Enrolment.objects.get(
                    learner=learner, provider=keystroke_provider
                ).percentage == pytest.approx(count / SAMPLES_TO_ENROL, abs=1e-3)

            wait_for(enrolled, f"{name}'s model with {count} samples", provider_worker)
        enrolment = Enrolment.objects.get(learner=learner, provider=keystroke_provider)
        assert enrolment.can_analyse is True
        assert enrolment.model  # the provider uploaded its model file
        assert set(enrolment.model_samples.values_list("pk", flat=True)) == set(
            EnrolmentSample.objects.filter(learner=learner).values_list("pk", flat=True)
        )
        assert not EnrolmentSample.objects.filter(learner=learner).exclude(
            status=SampleStatus.VALID
        )
        status = factories.client_for(factories.user(institution, inst_admin=True)).get(
            f"/api/v2/institution/{institution.pk}/learner/{learner.pk}/enrolment/"
        )
        assert status.status_code == 200
        [keystroke] = status.json()  # the bare list the dashboard iterates
        assert (keystroke["instrument_id"], keystroke["percentage__max"]) == (KEYSTROKE, 1.0)
        assert keystroke["can_analyse__max"] is True

    # Verification in assessment sessions: Ada types as herself; Bob's session is typed by
    # someone with Ada's rhythm.
    request_ids = {}
    for name, learner in learners.items():
        started = start_assessment(learner)
        assert started.status_code == 200, started.content
        session_id = started.json()["id"]
        request_ids[name] = []
        for _ in range(2):
            sent = vle_client.post(
                f"/lapi/v1/verification/{institution.pk}/{learner.learner_id}/",
                {
                    "learner_id": str(learner.learner_id),
                    "course_id": course.pk,
                    "activity_id": activity.pk,
                    "session_id": session_id,
                    "data": typing_sample(ada_typing, rng, repeats=2),
                    "instruments": [KEYSTROKE],
                    "metadata": {"mimetype": "text/plain", "context": {}},
                },
                format="json",
            )
            assert sent.status_code == 200, sent.content
            request_ids[name].append(sent.json()["request_id"])

    def verified():
        return not RequestProviderResult.objects.filter(
            provider=keystroke_provider, status=ResultStatus.PENDING
        ).exists()

    wait_for(verified, "the provider's verification results", provider_worker)
    results = {
        name: list(
            RequestProviderResult.objects.filter(request_id__in=ids).values_list(
                "status", "result", "code"
            )
        )
        for name, ids in request_ids.items()
    }
    assert all(status == ResultStatus.PROCESSED for status, _, _ in results["ada"] + results["bob"])
    assert all(result >= 0.9 for _, result, _ in results["ada"]), results
    assert all(result <= 0.1 for _, result, _ in results["bob"]), results

    # The activity reports: identity Ok for Ada, Alert for Bob.
    admin = factories.client_for(factories.user(institution, inst_admin=True))
    reports = admin.get(
        f"/api/v2/institution/{institution.pk}/course/{course.pk}/activity/{activity.pk}/report/"
    )
    assert reports.status_code == 200
    levels = {
        row["learner"]["learner_id"]: row["identity_level"] for row in reports.json()["results"]
    }
    assert levels == {str(learners["ada"].learner_id): 2, str(learners["bob"].learner_id): 4}

    # Every task the provider was sent has been answered: nothing left in the outbox.
    assert not Job.objects.filter(queue=keystroke_provider.queue).exists()
