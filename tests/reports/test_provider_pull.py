"""Pull-style providers: `GET /provider/{p}/request/?claim=true` hands out pending requests,
each to one poller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.models import RequestProviderResult, ResultStatus
from tests import factories
from tests.reports.conftest import enrol, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(configured_activity, consenting_learner, fr_provider):
    enrol(consenting_learner, fr_provider)
    return [submit(consenting_learner, configured_activity, [1]) for _ in range(5)]


def claim(provider, query="claim=true"):
    client = factories.client_for(provider)
    return client.get(f"/api/v2/provider/{provider.pk}/request/?{query}")


def test_a_claim_takes_the_oldest_pending_requests_and_marks_them_processing(fr_provider, waiting):
    response = claim(fr_provider, "claim=true&limit=3")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["next"] is None
    assert [row["request"]["id"] for row in body["results"]] == [r.pk for r in waiting[:3]]
    assert {row["status"] for row in body["results"]} == {ResultStatus.PROCESSING}
    second = claim(fr_provider, "claim=1&limit=10").json()
    assert [row["request"]["id"] for row in second["results"]] == [r.pk for r in waiting[3:]]
    assert claim(fr_provider).json() == {"count": 0, "next": None, "previous": None, "results": []}
    # The plain list still shows them all: unfinished, just not claimable.
    plain = claim(fr_provider, "limit=10").json()
    assert plain["count"] == 5


def test_an_unanswered_claim_is_handed_out_again_later(fr_provider, waiting, settings):
    settings.PROVIDER_CLAIM_SECONDS = 60
    first = claim(fr_provider, "claim=true&limit=1").json()["results"][0]
    RequestProviderResult.objects.filter(pk=first["id"]).update(
        updated_at=timezone.now() - timedelta(seconds=61)
    )
    again = claim(fr_provider, "claim=true&limit=1").json()["results"]
    assert [row["id"] for row in again] == [first["id"]]


def test_answered_requests_are_not_claimed(fr_provider, waiting):
    client = factories.client_for(fr_provider)
    url = f"/api/v2/provider/{fr_provider.pk}/request/{waiting[0].pk}/"
    assert client.put(url, {"status": 1, "result": 0.9, "code": 1}).status_code == 200
    claimed = claim(fr_provider, "claim=true&limit=10").json()["results"]
    assert waiting[0].pk not in [row["request"]["id"] for row in claimed]
    assert len(claimed) == 4


def test_a_bad_claim_value_is_400_and_other_providers_get_nothing(
    fr_provider, plag_provider, waiting
):
    response = claim(fr_provider, "claim=perhaps")
    assert response.status_code == 400
    assert "claim" in response.json()
    assert claim(plag_provider).json()["count"] == 0
    assert not RequestProviderResult.objects.filter(status=ResultStatus.PROCESSING).exists()
