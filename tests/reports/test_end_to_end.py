"""A whole verification round driven only through the public API.

Given an institution (external consent), its admin and a registered VLE, everything else goes
over HTTP: the global admin enables instruments and registers providers (which log in with
approle), the VLE sets up a course, a learner and an activity watched by face recognition
and plagiarism, the fr provider builds the learner's model, the browser plugin's sample
arrives through the LAPI and a document through the VLE attachment endpoint, each provider
answers its request, and the institution admin and the VLE read the reports.
"""

import uuid

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


def module_client(credentials) -> tuple[APIClient, dict]:
    """A client logged in with approle, and the login body."""
    login = ok(APIClient().post("/api/v2/auth/approle", credentials, format="json"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {login['token']['access_token']}")
    return client, login


@pytest.fixture
def world(institution, vle):
    institution.external_ic = True  # consent handled by the institution: every learner VALID
    institution.save()
    return {"vle_credentials": vle.issue_credentials()}


def test_attachment_and_lapi_sample_to_report_levels_and_audit(
    api, institution, vle, world, committed
):
    admin = api("global_admin")
    inst_admin = api("inst_admin")
    with committed():
        # Global admin: instruments on, one provider each (credentials in the create answer).
        for instrument_id in (1, 5):
            ok(admin.patch(f"/api/v2/admin/instrument/{instrument_id}/", {"enabled": True}))
        fr_body = ok(
            admin.post(
                "/api/v2/admin/instrument/1/provider/",
                {
                    "name": "Face",
                    "acronym": "e2e_fr",
                    "queue": "e2e_fr",
                    "enabled": True,
                    "alert_below": "0.30",
                    "warning_below": "0.60",
                },
                format="json",
            ),
            201,
        )
        plag_body = ok(
            admin.post(
                "/api/v2/admin/instrument/5/provider/",
                {
                    "name": "Plag",
                    "acronym": "e2e_plag",
                    "queue": "e2e_plag",
                    "enabled": True,
                    "inverted_polarity": True,
                    "alert_below": "0.70",
                    "warning_below": "0.50",
                },
                format="json",
            ),
            201,
        )
        fr, fr_login = module_client(fr_body["credentials"])
        plag, _ = module_client(plag_body["credentials"])
        assert fr_login["provider_id"] == fr_body["id"]

        # The VLE: course, learner, activity watched by fr and plag.
        vle_client, _ = module_client(world["vle_credentials"])
        root = f"/api/v2/vle/{vle.pk}"
        course = ok(
            vle_client.post(f"{root}/course/", {"code": "E2E", "vle_course_id": "e2e"}), 201
        )
        learner = ok(
            vle_client.post(
                f"{root}/course/{course['id']}/learner/",
                {
                    "uid": "ada@example.org",
                    "email": "ada@example.org",
                    "first_name": "Ada",
                    "last_name": "L",
                },
            ),
            201,
        )
        activity = ok(
            vle_client.post(
                f"{root}/course/{course['id']}/activity/",
                {"vle_activity_type": "assign", "vle_activity_id": "7", "enabled": True},
            ),
            201,
        )
        activity_root = f"{root}/course/{course['id']}/activity/{activity['id']}"
        for instrument_id in (1, 5):
            ok(
                vle_client.post(
                    f"{activity_root}/instrument/",
                    {"instrument": instrument_id, "active": True, "options": None},
                    format="json",
                ),
                201,
            )
        learner_uuid = learner["learner_id"]

        # The fr provider builds the learner's model.
        task = str(uuid.uuid4())
        ok(
            fr.post(
                f"/api/v2/provider/{fr_body['id']}/enrolment/",
                {"learner_id": learner_uuid, "task_id": task},
            ),
            201,
        )
        ok(
            fr.put(
                f"/api/v2/provider/{fr_body['id']}/enrolment/{learner_uuid}/",
                {"task_id": task, "percentage": "0.90", "can_analyse": True},
            )
        )

        # A camera sample through the LAPI, a document through the attachment endpoint.
        sample = ok(
            vle_client.post(
                f"/lapi/v1/verification/{institution.pk}/{learner_uuid}/",
                {
                    "learner_id": learner_uuid,
                    "course_id": course["id"],
                    "activity_id": activity["id"],
                    "data": "data:image/jpeg;base64,AAAA",
                    "instruments": [1],
                    "metadata": {"mimetype": "image/jpeg"},
                },
                format="json",
            )
        )
        document = ok(
            vle_client.post(
                f"{activity_root}/attachment/{learner_uuid}/",
                {
                    "data": "data:text/plain;base64,SGVsbG8=",
                    "instruments": [5],
                    "metadata": {"mimetype": "text/plain", "filename": "essay.txt"},
                },
                format="json",
            )
        )
        assert sample["status"] == document["status"] == "OK"

    # Reports exist at once, pending until the providers answer.
    reports_url = (
        f"/api/v2/institution/{institution.pk}/course/{course['id']}"
        f"/activity/{activity['id']}/report/"
    )
    pending = ok(inst_admin.get(reports_url))["results"][0]
    assert (pending["identity_level"], pending["content_level"]) == (0, 0)

    with committed():
        # Each provider sees only its own request, reads it and answers.
        fr_queue = ok(fr.get(f"/api/v2/provider/{fr_body['id']}/request/"))
        assert [row["request"]["id"] for row in fr_queue["results"]] == [sample["request_id"]]
        fr_request = f"/api/v2/provider/{fr_body['id']}/request/{sample['request_id']}/"
        assert ok(fr.get(fr_request))["data"]["data"] == "data:image/jpeg;base64,AAAA"
        ok(
            fr.put(
                fr_request,
                {"status": 1, "result": 0.95, "code": 1, "audit_data": {"faces": 1}},
                format="json",
            )
        )
        plag_queue = ok(plag.get(f"/api/v2/provider/{plag_body['id']}/request/"))
        assert [row["request"]["id"] for row in plag_queue["results"]] == [document["request_id"]]
        ok(
            plag.put(
                f"/api/v2/provider/{plag_body['id']}/request/{document['request_id']}/",
                {"status": 1, "result": 0.85, "code": 1, "audit_data": {"matches": 3}},
                format="json",
            )
        )

    listed = ok(inst_admin.get(reports_url))
    assert listed["count"] == 1
    report = listed["results"][0]
    # Identity Ok (fr 95 %); content Alert (plagiarism 0.85 beyond 0.70); no integrity
    # instrument.
    assert (report["identity_level"], report["content_level"], report["integrity_level"]) == (
        2,
        4,
        1,
    )
    detail = {row["instrument_id"]: row for row in report["detail"]}
    assert (detail[1]["result"], detail[1]["confidence"], detail[1]["enrolment"]) == (95, 100, 90)
    assert (detail[5]["result"], detail[5]["content_level"]) == (85, 4)
    assert ok(inst_admin.get(f"{reports_url}?level=4"))["count"] == 1

    explained = ok(inst_admin.get(f"{reports_url}{report['id']}/"))
    plag_item = next(row for row in explained["detail"] if row["instrument_id"] == 5)
    assert plag_item["instrument_polarity"] == -1
    assert plag_item["thresholds"] == {"warning_below": 0.5, "alert_below": 0.7}
    audit = ok(inst_admin.get(f"{reports_url}{report['id']}/audit/5/"))
    trail = audit["audit"]["requests"][str(document["request_id"])]
    assert trail["results"][str(plag_body["id"])]["audit"] == {"matches": 3}
    assert trail["code"] == 3

    vle_reports = ok(vle_client.get(f"{activity_root}/report/"))
    assert vle_reports["results"][0]["content_level"] == 4

    # The providers' requests are done: their queues are empty.
    assert ok(fr.get(f"/api/v2/provider/{fr_body['id']}/request/"))["count"] == 0


def test_a_provider_token_cannot_touch_another_providers_tree(api):
    admin = api("global_admin")
    first = ok(
        admin.post(
            "/api/v2/admin/instrument/1/provider/", {"name": "a", "acronym": "a1", "queue": "a1"}
        ),
        201,
    )
    second = ok(
        admin.post(
            "/api/v2/admin/instrument/1/provider/", {"name": "b", "acronym": "b1", "queue": "b1"}
        ),
        201,
    )
    client, _ = module_client(first["credentials"])
    assert client.get(f"/api/v2/provider/{second['id']}/").status_code == 404
    assert client.get(f"/api/v2/provider/{second['id']}/request/").status_code == 404
    assert client.get("/api/v2/admin/instrument/1/provider/").status_code == 403
    assert factories.client_for(None).get(f"/api/v2/provider/{first['id']}/").status_code == 401
