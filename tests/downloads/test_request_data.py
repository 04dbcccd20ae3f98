"""The stored payload of a verification request, in the three trees that show requests:
`.../report/{r}/request/{id}/data/` (institution), `.../learner/{l}/request/{id}/data/` (VLE)
and `provider/{p}/request/{id}/data/` (provider). Each is readable by exactly the callers of
the request detail it belongs to, and the `data` field of that detail is its URL."""

import json

import pytest
from django.urls import reverse

from reports.models import Request
from tests import factories
from tests.conftest import PERSONAS
from tests.downloads.conftest import METADATA, SAMPLE, body_of
from tests.matrix import INSTITUTION, PROVIDER, VLE, Case, Fixtures, kw, personas_without

pytestmark = pytest.mark.django_db


def payload(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(body_of(response))


def expected_payload(world, row=None) -> dict:
    row = row or world.request
    return {
        "learner_id": str(row.learner.learner_id),
        "course_id": row.activity.course_id,
        "activity_id": row.activity_id,
        "session_id": None,
        "instruments": [1, 5],
        "metadata": METADATA if row == world.request else {"mimetype": "text/plain"},
        "data": SAMPLE if row == world.request else "theirs",
    }


# Institution tree ----------------------------------------------------------------------------

REPORT_REQUEST = kw(
    institution_pk="institution.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    report_pk="world.report.pk",
    pk="world.request.pk",
)
# The institution does not let learners read their reports: the learner gets 403.
READERS = {"global_admin", "inst_admin", "data_admin", "instructor"}
INSTITUTION_CASES = [
    Case(
        "detail",
        "get",
        "institution-report-request-detail",
        INSTITUTION,
        READERS,
        kwargs=REPORT_REQUEST,
    ),
    Case(
        "data",
        "get",
        "institution-report-request-data",
        INSTITUTION,
        READERS,
        kwargs=REPORT_REQUEST,
    ),
]


def follows_the_detail(request, api, cases, persona, world):
    """The download answers each persona exactly as the request detail does."""
    client = api(persona)
    lookup = Fixtures(request)
    detail, data = cases
    expected = detail.expected(persona)
    assert data.expected(persona) == expected
    download = data.call(client, lookup)
    assert (detail.call(client, lookup).status_code, download.status_code) == (expected, expected)
    if expected == 200:
        assert payload(download) == expected_payload(world)


@pytest.mark.parametrize("persona", PERSONAS)
def test_institution_permission_matrix_follows_the_request_detail(request, api, world, persona):
    follows_the_detail(request, api, INSTITUTION_CASES, persona, world)


@pytest.mark.parametrize("allowed", [False, True])
def test_learners_read_their_own_request_data_only_when_allowed(
    api, institution, world, report_urls, allowed
):
    institution.allow_learner_report = allowed
    institution.save()
    client = api("learner")
    own = client.get(report_urls.data(world.report, world.request))
    assert own.status_code == (200 if allowed else 403)
    if allowed:
        assert payload(own) == expected_payload(world)
    # The classmate's report is out of reach (a 404 parent, whatever the switch), and so is
    # the classmate's request under the learner's own report once the learner may read it.
    theirs = report_urls.data(world.classmate_report, world.classmate_request)
    assert client.get(theirs).status_code == 404
    smuggled = report_urls.data(world.report, world.classmate_request)
    assert client.get(smuggled).status_code == (404 if allowed else 403)
    # Always exactly as the request detail answers.
    for report, row in (
        (world.report, world.request),
        (world.classmate_report, world.classmate_request),
    ):
        detail = client.get(report_urls.request(report, row)).status_code
        assert client.get(report_urls.data(report, row)).status_code == detail


def test_a_request_of_another_learner_or_activity_is_404_to_admins_too(
    api, world, report_urls, course
):
    client = api("inst_admin")
    assert client.get(report_urls.data(world.report, world.classmate_request)).status_code == 404
    assert client.get(report_urls.data(world.classmate_report, world.request)).status_code == 404
    missing = Request(pk=987654)
    assert client.get(report_urls.data(world.report, missing)).status_code == 404


def test_institution_data_field_is_the_download_url(api, world, report_urls):
    client = api("instructor")
    listed = client.get(report_urls.requests(world.report)).json()["results"]
    assert [row["id"] for row in listed] == [world.request.pk]
    url = f"http://testserver{report_urls.data(world.report, world.request)}"
    assert listed[0]["data"] == url
    assert client.get(report_urls.request(world.report, world.request)).json()["data"] == url
    assert world.request.data.name not in url and "/media/" not in url
    followed = client.get(url)
    assert followed.status_code == 200
    assert payload(followed) == expected_payload(world)
    assert followed["Content-Disposition"] == (
        f'inline; filename="request-{world.request.pk}.json"'
    )


def test_learner_follows_the_data_url_of_their_own_request(api, institution, world, report_urls):
    institution.allow_learner_report = True
    institution.save()
    client = api("learner")
    row = client.get(report_urls.request(world.report, world.request)).json()
    assert payload(client.get(row["data"])) == expected_payload(world)


def test_a_request_without_stored_data_has_null_and_404(
    api, world, report_urls, configured_activity
):
    bare = Request.objects.create(learner=world.learner, activity=configured_activity)
    client = api("inst_admin")
    assert client.get(report_urls.request(world.report, bare)).json()["data"] is None
    assert client.get(report_urls.data(world.report, bare)).status_code == 404


def test_a_lost_payload_file_is_404_not_500(api, world, report_urls):
    world.request.data.storage.delete(world.request.data.name)
    response = api("inst_admin").get(report_urls.data(world.report, world.request))
    assert response.status_code == 404


def test_any_accept_header_gets_the_payload(api, world, report_urls):
    response = api("inst_admin").get(
        report_urls.data(world.report, world.request), HTTP_ACCEPT="application/octet-stream"
    )
    assert response.status_code == 200
    assert payload(response) == expected_payload(world)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_institution_download_is_read_only(api, world, report_urls, method):
    response = getattr(api("inst_admin"), method)(
        report_urls.data(world.report, world.request), {}, format="json"
    )
    assert response.status_code in {403, 405}
    assert Request.objects.filter(pk=world.request.pk).exists()


# VLE tree ------------------------------------------------------------------------------------

VLE_REQUEST = kw(
    vle_pk="vle.pk",
    course_pk="course.pk",
    activity_pk="configured_activity.pk",
    learner_pk="world.learner.pk",
    pk="world.request.pk",
)
VLE_CASES = [
    Case(
        "vle detail", "get", "vle-activity-learner-request-detail", VLE, {"vle"}, kwargs=VLE_REQUEST
    ),
    Case("vle data", "get", "vle-activity-learner-request-data", VLE, {"vle"}, kwargs=VLE_REQUEST),
]
VLE_PERSONAS = personas_without(
    "legal_admin", "send_admin", "data_admin", "member", "foreign_admin"
)


@pytest.mark.parametrize("persona", VLE_PERSONAS)
def test_vle_permission_matrix_follows_the_request_detail(request, api, world, persona):
    follows_the_detail(request, api, VLE_CASES, persona, world)


def test_another_vle_cannot_reach_our_course_through_its_own_url(
    api, world, vle_urls, other_vle, foreign_vle
):
    for persona, module in (("other_vle", other_vle), ("foreign_vle", foreign_vle)):
        url = vle_urls.data(world.learner, world.request, vle_pk=module.pk)
        assert api(persona).get(url).status_code == 404


def test_vle_reads_only_the_learner_of_the_url(api, world, vle_urls):
    client = api("vle")
    assert client.get(vle_urls.data(world.learner, world.classmate_request)).status_code == 404
    classmate = client.get(vle_urls.data(world.classmate, world.classmate_request))
    assert payload(classmate) == expected_payload(world, world.classmate_request)


def test_vle_data_field_is_the_download_url_and_metadata_stays(api, world, vle_urls):
    client = api("vle")
    listed = client.get(vle_urls.requests(world.learner)).json()["results"]
    url = f"http://testserver{vle_urls.data(world.learner, world.request)}"
    assert [(row["id"], row["data"]) for row in listed] == [(world.request.pk, url)]
    detail = client.get(vle_urls.request(world.learner, world.request)).json()
    assert detail["data"] == url
    assert detail["metadata"] == METADATA
    assert detail["instruments"] == [1, 5]
    assert [result["instrument"] for result in detail["result"]] == [1, 5]
    assert world.request.data.name not in url
    assert payload(client.get(url)) == expected_payload(world)


def test_vle_request_without_stored_data_has_null_and_404(
    api, world, vle_urls, configured_activity
):
    bare = Request.objects.create(learner=world.learner, activity=configured_activity)
    client = api("vle")
    assert client.get(vle_urls.request(world.learner, bare)).json()["data"] is None
    assert client.get(vle_urls.data(world.learner, bare)).status_code == 404


# Provider tree -------------------------------------------------------------------------------


def provider_data(provider, row) -> str:
    return reverse(
        "provider-request-data", kwargs={"provider_pk": provider.pk, "request_id": row.pk}
    )


PROVIDER_REQUEST = kw(provider_pk="fr_provider.pk", request_id="world.request.pk")
PROVIDER_CASES = [
    Case(
        "provider detail",
        "get",
        "provider-request-detail",
        PROVIDER,
        {"fr_provider"},
        kwargs=PROVIDER_REQUEST,
    ),
    Case(
        "provider data",
        "get",
        "provider-request-data",
        PROVIDER,
        {"fr_provider"},
        kwargs=PROVIDER_REQUEST,
    ),
]
# `provider` is another face-recognition provider: only its own id.
PROVIDER_PERSONAS = [
    "fr_provider",
    "anonymous",
    "provider",
    "global_admin",
    "inst_admin",
    "vle",
    "learner_token",
]


@pytest.mark.parametrize("persona", PROVIDER_PERSONAS)
def test_provider_data_is_for_the_provider_itself(request, api, world, persona):
    lookup = Fixtures(request)
    client = api(persona)
    detail, data = PROVIDER_CASES
    expected = detail.expected(persona)
    assert data.expected(persona) == expected
    download = data.call(client, lookup)
    assert (detail.call(client, lookup).status_code, download.status_code) == (expected, expected)


def test_provider_reads_the_payload_of_its_requests_only(world, fr_provider):
    client = factories.client_for(fr_provider)
    assert payload(client.get(provider_data(fr_provider, world.request))) == expected_payload(world)
    plag = factories.provider(5)  # asked nothing: the requests predate it
    assert factories.client_for(plag).get(provider_data(plag, world.request)).status_code == 404


def test_provider_list_links_the_payload_with_a_signed_link(world, fr_provider):
    from rest_framework.test import APIClient

    client = factories.client_for(fr_provider)
    listed = client.get(f"/api/v2/provider/{fr_provider.pk}/request/").json()["results"]
    links = {row["request"]["id"]: row["request"]["data"] for row in listed}
    url = links[world.request.pk]
    assert url.startswith("http://testserver/api/v2/files/")
    assert "/media/" not in url
    # The SDK downloads it with a bare GET, no token.
    assert payload(APIClient().get(url)) == expected_payload(world)
    # The detail still carries the payload inline, and the same kind of link.
    detail = client.get(f"/api/v2/provider/{fr_provider.pk}/request/{world.request.pk}/").json()
    assert detail["data"] == expected_payload(world)
    assert payload(APIClient().get(detail["request"]["data"])) == expected_payload(world)
