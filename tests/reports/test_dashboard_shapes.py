"""The report pages of the original Angular dashboard (tesla-ce/frontend-angular): the JSON
it reads must have the shapes it parses, or the page breaks on a 200.

- report page: `JSON.parse(session.data.data[instrumentId].requests)` for each id in
  `session.data.instruments`;
- audit page: `audit.enrolment_samples[sid].data` and `audit.requests[rid].data` as image
  sources, `requests[rid].results[pid].audit.faces`."""

import base64
import json

import pytest
from django.test import Client

from reports.models import ReportActivity
from tests.reports.conftest import answer, enrol, submit
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
