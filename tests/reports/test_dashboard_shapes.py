"""The report pages of the original Angular dashboard (tesla-ce/frontend-angular): the JSON
it reads must have the shapes it parses, or the page breaks on a 200.

- report page: `JSON.parse(session.data.data[instrumentId].requests)` for each id in
  `session.data.instruments`;
- audit page: `audit.enrolment_samples[sid].data` and `audit.requests[rid].data` as image
  sources, `requests[rid].results[pid].audit.faces`."""

import base64
import json
from datetime import datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reports.models import EnrolmentSample, ReportActivity, SampleStatus
from reports.services.enrolment import provider_enrolment_store
from reports.services.samples import enrolment_sample_create
from tests import factories
from tests.reports.conftest import answer, enrol, give_consent, submit
from vle.models import AssessmentSession

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0 a tiny picture"


@pytest.fixture
def session_report(configured_activity, consenting_learner, fr_provider, committed):
    """One session with two face-recognition samples answered (one without a provider
    audit); plagiarism watches the activity but got no data in the session."""
    enrol(consenting_learner, fr_provider)
    session = AssessmentSession.objects.create(
        activity=configured_activity, learner=consenting_learner
    )
    picture = "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()
    with committed():
        first = submit(
            consenting_learner,
            configured_activity,
            [1],
            session=session,
            data=picture,
            metadata={"mimetype": "image/jpeg"},
        )
        second = submit(consenting_learner, configured_activity, [1], session=session)
        answer(fr_provider, first, status=1, result=0.9, code=1, audit={"faces": [1]})
        answer(fr_provider, second, status=1, result=0.7, code=1)
    return {"report": ReportActivity.objects.get(), "first": first, "second": second}


def report_url(institution, course, activity, report) -> str:
    return (
        f"/api/v2/institution/{institution.pk}/course/{course.pk}/activity/{activity.pk}"
        f"/report/{report.pk}/"
    )


def test_report_data_requests_are_json_text_and_instruments_have_data(
    api, institution, course, configured_activity, session_report
):
    url = report_url(institution, course, configured_activity, session_report["report"])
    body = api("inst_admin").get(f"{url}data/").json()
    [session] = body["sessions"]
    # fr and plag watch the learner, but only fr has data in this session.
    assert session["data"]["instruments"] == [1]
    series = session["data"]["data"]["1"]["requests"]
    assert isinstance(series, str)
    points = json.loads(series)
    assert [point[1] for point in points] == [0.9, 0.7]
    assert all(isinstance(point[0], str) and point[0] for point in points)


def test_audit_requests_show_their_sample_through_a_signed_link(
    api, institution, course, configured_activity, session_report
):
    url = report_url(institution, course, configured_activity, session_report["report"])
    detail = api("inst_admin").get(f"{url}audit/1/").json()
    audit = api("inst_admin").get(detail["audit_data"]).json()
    # No sample has been enrolled yet.
    assert audit["enrolment_samples"] == {}
    first = audit["requests"][str(session_report["first"].pk)]
    second = audit["requests"][str(session_report["second"].pk)]
    provider = next(iter(audit["providers"]))
    assert audit["providers"][provider]["enrolment_samples"] == []
    # A provider that sent no audit still gives an object the page can read `.faces` from.
    assert first["results"][provider]["audit"] == {"faces": [1]}
    assert second["results"][provider]["audit"] == {}
    # `data` is fetched by an <img> tag: no Authorization header, the picture itself.
    picture = Client().get(first["data"])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/jpeg"
    assert b"".join(picture) == JPEG
    assert picture["Cache-Control"] == "private, no-store"
    text = Client().get(second["data"])
    assert text.status_code == 200 and b"".join(text) == b"sample"
    tampered = first["data"].replace("/files/", "/files/x")
    assert Client().get(tampered).status_code == 404


def picture_url(content: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(content).decode()


def model_built_from(learner, provider, pictures: list[bytes]) -> list[EnrolmentSample]:
    """Enrolment samples sent by the browser plugin for `learner`, then stored by `provider`
    as the ones its model was built from (its `used_samples`)."""
    with transaction.atomic():
        samples = [
            enrolment_sample_create(
                learner=learner,
                instruments=[provider.instrument_id],
                data=picture_url(content),
                metadata={"filename": f"face{index}.jpg", "mimetype": "image/jpeg"},
            )
            for index, content in enumerate(pictures)
        ]
    used = [sample.pk for sample in samples]
    provider_enrolment_store(
        enrolment=enrol(learner, provider), percentage=1.0, can_analyse=True, used_samples=used
    )
    return samples


def audit_of(client, institution, course, activity, report) -> dict:
    detail = client.get(f"{report_url(institution, course, activity, report)}audit/1/").json()
    response = client.get(detail["audit_data"])
    assert response.status_code == 200, response.content
    return response.json()


def test_audit_shows_the_samples_the_model_was_built_from(
    api,
    institution,
    course,
    configured_activity,
    consenting_learner,
    consent,
    fr_provider,
    session_report,
):
    samples = model_built_from(consenting_learner, fr_provider, [JPEG, b"\xff\xd8 another"])
    # Another learner enrolled with the same provider: none of their samples shows here.
    other = give_consent(factories.user(institution, learner=True), consent)
    [foreign] = model_built_from(other, fr_provider, [b"\xff\xd8 someone else"])
    # Even a foreign sample wrongly tied to this learner's model stays out.
    fr_provider.enrolments.get(learner=consenting_learner).model_samples.add(foreign)

    audit = audit_of(
        api("inst_admin"), institution, course, configured_activity, session_report["report"]
    )
    ids = [sample.pk for sample in samples]
    assert audit["providers"][str(fr_provider.pk)]["enrolment_samples"] == ids
    assert list(audit["enrolment_samples"]) == [str(pk) for pk in ids]
    first = audit["enrolment_samples"][str(ids[0])]
    assert first["id"] == ids[0]
    assert first["instruments"] == [1]
    # No provider validates face samples here: valid as soon as stored.
    assert first["status"] == SampleStatus.VALID
    assert datetime.fromisoformat(first["created_at"]) == samples[0].created_at
    assert first["error_message"] is None
    # The page puts `data` in an <img src>: no Authorization header, the picture itself,
    # under a name that ends like the file the plugin sent.
    assert first["data"].startswith("http")
    assert first["data"].endswith("_face0.jpg")
    for sample_id, content in zip(ids, [JPEG, b"\xff\xd8 another"], strict=True):
        picture = Client().get(audit["enrolment_samples"][str(sample_id)]["data"])
        assert picture.status_code == 200
        assert picture["Content-Type"] == "image/jpeg"
        assert b"".join(picture) == content
    tampered = first["data"].replace("/files/", "/files/x")
    assert Client().get(tampered).status_code == 404
    assert str(foreign.pk) not in audit["enrolment_samples"]


def test_audit_costs_the_same_with_one_or_several_samples(
    api, institution, course, configured_activity, consenting_learner, fr_provider, session_report
):
    client = api("inst_admin")
    detail = client.get(
        f"{report_url(institution, course, configured_activity, session_report['report'])}audit/1/"
    ).json()

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(detail["audit_data"]).json()
        return len(queries), len(body["enrolment_samples"])

    model_built_from(consenting_learner, fr_provider, [JPEG])
    one, shown = cost()
    assert shown == 1
    model_built_from(consenting_learner, fr_provider, [JPEG, JPEG, JPEG, JPEG])
    several, shown = cost()
    assert shown == 4
    assert several == one
