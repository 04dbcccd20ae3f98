"""Providers answer while browser plugins keep sending samples: the writes of both sides must
never deadlock (a 500 and a lost sample or answer) nor count a result twice.

Real threads with their own connections on committed data; PostgreSQL only (see
tests/concurrency.py)."""

import uuid

import pytest
from django.db import transaction

from reports.models import (
    HistogramActivityProvider,
    ProviderNotification,
    Request,
    RequestProviderResult,
    ResultStatus,
)
from tests import factories
from tests.concurrency import requires_postgresql, run_concurrently
from tests.reports.conftest import enrol, give_consent, submit

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]

LEARNERS = 4
ROUNDS = 3


def lapi_post(vle, institution, learner, activity):
    body = {
        "learner_id": str(learner.learner_id),
        "course_id": activity.course_id,
        "activity_id": activity.pk,
        "data": "data:text/plain;base64,QUJD",
        "instruments": [1, 5],
        "metadata": {"mimetype": "text/plain"},
    }
    url = f"/lapi/v1/verification/{institution.pk}/{learner.learner_id}/"
    return lambda: factories.client_for(vle).post(url, body, format="json")


def provider_put(provider, request_id, result):
    url = f"/api/v2/provider/{provider.pk}/request/{request_id}/"
    body = {"status": 1, "result": result, "code": 1}
    return lambda: factories.client_for(provider).put(url, body, format="json")


def enrolment_put(provider, learner):
    url = f"/api/v2/provider/{provider.pk}/enrolment/{learner.learner_id}/"
    body = {"task_id": str(uuid.uuid4()), "percentage": 1, "can_analyse": True}
    return lambda: factories.client_for(provider).put(url, body, format="json")


def test_sample_intakes_and_provider_answers_never_deadlock(
    institution, course, consent, vle, configured_activity, fr_provider, plag_provider
):
    learners = [
        give_consent(factories.user(institution, learner=True), consent) for _ in range(LEARNERS)
    ]
    course.learners.add(*learners)
    for learner in learners:
        enrol(learner, fr_provider)
    for round_number in range(ROUNDS):
        with transaction.atomic():
            pending = [
                submit(learner, configured_activity, [1, 5])
                for learner in learners
                for _ in range(2)
            ]
        calls = []
        for request in pending:
            calls.append(provider_put(fr_provider, request.pk, 0.9))
            calls.append(provider_put(plag_provider, request.pk, 0.1))
        for learner in learners:
            calls.append(lapi_post(vle, institution, learner, configured_activity))
            calls.append(enrolment_put(fr_provider, learner))
        outcomes = run_concurrently(calls)
        assert outcomes == [200] * len(calls), f"round {round_number}: {outcomes}"

    answered = RequestProviderResult.objects.filter(status=ResultStatus.PROCESSED)
    assert answered.count() == ROUNDS * LEARNERS * 2 * 2
    # Every answer counted exactly once in the activity's provider histograms.
    for provider in (fr_provider, plag_provider):
        histogram = HistogramActivityProvider.objects.get(
            activity=configured_activity, provider=provider
        )
        assert sum(histogram.bins) == ROUNDS * LEARNERS * 2
    # Every sample sent during the answers was stored and scheduled for both providers.
    intakes = Request.objects.count() - ROUNDS * LEARNERS * 2
    assert intakes == ROUNDS * LEARNERS
    assert RequestProviderResult.objects.count() == Request.objects.count() * 2


def test_concurrent_pollers_never_claim_the_same_request(
    configured_activity, consenting_learner, fr_provider
):
    enrol(consenting_learner, fr_provider)
    with transaction.atomic():
        pending = [submit(consenting_learner, configured_activity, [1]) for _ in range(12)]
    url = f"/api/v2/provider/{fr_provider.pk}/request/?claim=true&limit=4"

    def poll():
        response = factories.client_for(fr_provider).get(url)
        assert response.status_code == 200, response.content
        return [row["request"]["id"] for row in response.json()["results"]]

    batches = run_concurrently([poll] * 6)
    claimed = [request_id for batch in batches for request_id in batch]
    assert sorted(claimed) == sorted(request.pk for request in pending)  # each exactly once
    assert not RequestProviderResult.objects.filter(status=ResultStatus.PENDING).exists()


def test_concurrent_posts_of_one_notification_key_keep_one_row(fr_provider):
    url = f"/api/v2/provider/{fr_provider.pk}/notification/"

    def post(index):
        body = {"key": "poll", "when": "2030-01-01T00:00:00Z", "info": {f"k{index}": index}}
        return lambda: factories.client_for(fr_provider).post(url, body, format="json")

    outcomes = run_concurrently([post(index) for index in range(6)])
    assert set(outcomes) <= {200, 201} and 201 in outcomes, outcomes
    stored = ProviderNotification.objects.get()
    assert stored.info == {f"k{index}": index for index in range(6)}  # every post merged
