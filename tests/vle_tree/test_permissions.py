"""Who may call each endpoint of the VLE tree: our VLE (2xx), another VLE of our institution
and a VLE of another institution (404: the URL's VLE is not theirs), user tokens, providers
and learner tokens (403: not a VLE), anonymous callers (401).

Every case gets a body that succeeds for our VLE, so a denial cannot hide behind a 400."""

import base64

import pytest

from reports.models import Request
from tests import factories
from tests.vle_tree.conftest import PLAG, configure, give_consent
from vle.models import Activity

pytestmark = pytest.mark.django_db

DENIED = {
    "global_admin": 403,
    "inst_admin": 403,
    "instructor": 403,
    "learner": 403,
    "foreign_admin": 403,
    "provider": 403,
    "learner_token": 403,
    "anonymous": 401,
}
SCOPED = {"other_vle": 404, "foreign_vle": 404}
PERSONAS = ["vle", *SCOPED, *DENIED]


@pytest.fixture
def world(vle, course, activity, institution, consent, instruments_on):
    """Objects every endpoint needs: a consenting learner with a request in an enabled
    activity that plagiarism watches, and an instructor."""
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    activity.refresh_from_db()
    row = configure(activity, PLAG)
    # People the VLE created (no password login, no flags): the only ones it may change.
    person = factories.vle_person(vle, learner=True)
    learner_row = person.institution_user.learner
    give_consent(learner_row, consent)
    course.learners.add(learner_row)
    teacher = factories.vle_person(vle, instructor=True)
    course.instructors.add(teacher.institution_user.instructor)
    request = Request.objects.create(learner=learner_row, activity=activity)
    return {
        "v": f"/api/v2/vle/{vle.pk}",
        "c": f"/api/v2/vle/{vle.pk}/course/{course.pk}",
        "a": f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/{activity.pk}",
        "person": person,
        "learner_row": learner_row,
        "teacher": teacher,
        "row": row,
        "request": request,
        "activity": activity,
        "course": course,
    }


ZIP = "data:application/zip;base64," + base64.b64encode(b"PK").decode()


def cases(w):
    """(method, url, body, status for our VLE)."""
    v, c, a = w["v"], w["c"], w["a"]
    person, teacher, activity = w["person"], w["teacher"], w["activity"]
    uid = person.institution_user.uid
    learner_id = w["learner_row"].learner_id
    course_body = {"code": "X", "vle_course_id": "new", "vle": 1, "parent": None}
    activity_body = {"vle_activity_type": "quiz", "vle_activity_id": "new", "vle_id": 1}
    instrument_body = {"instrument": 1, "active": True, "options": None}
    person_body = {
        "uid": "new@x.example",
        "first_name": "N",
        "last_name": "M",
        "email": "new@x.example",
    }
    return {
        "vle-list": ("get", "/api/v2/vle/", None, 200),
        "vle-read": ("get", f"{v}/", None, 200),
        "instrument-list": ("get", f"{v}/instrument/", None, 200),
        "instrument-read": ("get", f"{v}/instrument/{PLAG}/", None, 200),
        "launcher": ("post", f"{v}/launcher/", {"vle_user_uid": uid}, 200),
        "assessment": (
            "post",
            f"{v}/assessment/",
            {
                "vle_activity_type": activity.vle_activity_type,
                "vle_activity_id": activity.vle_activity_id,
                "vle_learner_uid": uid,
            },
            200,
        ),
        "course-list": ("get", f"{v}/course/", None, 200),
        "course-create": ("post", f"{v}/course/", course_body, 201),
        "course-read": ("get", f"{c}/", None, 200),
        "course-put": ("put", f"{c}/", {**course_body, "vle_course_id": "changed"}, 200),
        "course-patch": ("patch", f"{c}/", {"code": "Y"}, 200),
        # The world's request is verification evidence: a VLE may not destroy it (409).
        "course-delete": ("delete", f"{c}/", None, 409),
        "instructor-list": ("get", f"{c}/instructor/", None, 200),
        "instructor-create": ("post", f"{c}/instructor/", person_body, 201),
        "instructor-read": ("get", f"{c}/instructor/{teacher.pk}/", None, 200),
        "instructor-patch": ("patch", f"{c}/instructor/{teacher.pk}/", {"first_name": "Z"}, 200),
        "instructor-delete": ("delete", f"{c}/instructor/{teacher.pk}/", None, 204),
        "learner-list": ("get", f"{c}/learner/", None, 200),
        "learner-create": ("post", f"{c}/learner/", person_body, 201),
        "learner-read": ("get", f"{c}/learner/{person.pk}/", None, 200),
        "learner-put": ("put", f"{c}/learner/{person.pk}/", {"uid": uid, "first_name": "Z"}, 200),
        "learner-delete": ("delete", f"{c}/learner/{person.pk}/", None, 204),
        "activity-list": ("get", f"{c}/activity/", None, 200),
        "activity-create": ("post", f"{c}/activity/", activity_body, 201),
        "activity-read": ("get", f"{a}/", None, 200),
        "activity-put": ("put", f"{a}/", {**activity_body, "vle_activity_id": "changed"}, 200),
        "activity-patch": ("patch", f"{a}/", {"enabled": False}, 200),
        "activity-delete": ("delete", f"{a}/", None, 409),
        "activity-instrument-list": ("get", f"{a}/instrument/", None, 200),
        "activity-instrument-create": ("post", f"{a}/instrument/", instrument_body, 201),
        "activity-instrument-read": ("get", f"{a}/instrument/{w['row'].pk}/", None, 200),
        "activity-instrument-put": (
            "put",
            f"{a}/instrument/{w['row'].pk}/",
            {"instrument": PLAG, "active": False, "options": None},
            200,
        ),
        "activity-instrument-patch": (
            "patch",
            f"{a}/instrument/{w['row'].pk}/",
            {"active": False},
            200,
        ),
        "activity-instrument-delete": ("delete", f"{a}/instrument/{w['row'].pk}/", None, 204),
        "attachment-read": ("get", f"{a}/attachment/{learner_id}/", None, 200),
        "attachment-create": (
            "post",
            f"{a}/attachment/{learner_id}/",
            {"data": ZIP, "instruments": [PLAG], "metadata": {"mimetype": "application/zip"}},
            200,
        ),
        "activity-learner-list": ("get", f"{a}/learner/", None, 200),
        "activity-learner-read": ("get", f"{a}/learner/{person.pk}/", None, 200),
        "learner-request-list": ("get", f"{a}/learner/{person.pk}/request/", None, 200),
        "learner-request-read": (
            "get",
            f"{a}/learner/{person.pk}/request/{w['request'].pk}/",
            None,
            200,
        ),
    }


CASE_NAMES = [
    "vle-list",
    "vle-read",
    "instrument-list",
    "instrument-read",
    "launcher",
    "assessment",
    "course-list",
    "course-create",
    "course-read",
    "course-put",
    "course-patch",
    "course-delete",
    "instructor-list",
    "instructor-create",
    "instructor-read",
    "instructor-patch",
    "instructor-delete",
    "learner-list",
    "learner-create",
    "learner-read",
    "learner-put",
    "learner-delete",
    "activity-list",
    "activity-create",
    "activity-read",
    "activity-put",
    "activity-patch",
    "activity-delete",
    "activity-instrument-list",
    "activity-instrument-create",
    "activity-instrument-read",
    "activity-instrument-put",
    "activity-instrument-patch",
    "activity-instrument-delete",
    "attachment-read",
    "attachment-create",
    "activity-learner-list",
    "activity-learner-read",
    "learner-request-list",
    "learner-request-read",
]


def test_case_names_cover_every_case(world):
    assert sorted(CASE_NAMES) == sorted(cases(world))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_permission_matrix(world, api, persona, case):
    method, url, body, own_status = cases(world)[case]
    if persona == "vle":
        expected = own_status
    elif persona in SCOPED:
        # The VLE list is the only endpoint without a VLE in the URL: each VLE sees itself.
        expected = 200 if case == "vle-list" else SCOPED[persona]
    else:
        expected = DENIED[persona]
    response = getattr(api(persona), method)(url, body, format="json")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("persona", ["other_vle", "foreign_vle"])
def test_other_vles_see_only_themselves_in_the_list(world, api, persona, request):
    body = api(persona).get("/api/v2/vle/").json()
    assert [row["id"] for row in body["results"]] == [request.getfixturevalue(persona).pk]


def test_own_vle_with_a_foreign_course_id_is_404(world, api, other_vle, foreign_vle):
    """Every nested parent is checked against the URL's VLE, not just the first one."""
    client = api("vle")
    v = world["v"]
    for alien in (factories.course(other_vle), factories.course(foreign_vle)):
        assert client.get(f"{v}/course/{alien.pk}/").status_code == 404
        assert client.get(f"{v}/course/{alien.pk}/activity/").status_code == 404
        assert client.post(f"{v}/course/{alien.pk}/learner/", {"uid": "x"}).status_code == 404
        alien_activity = factories.activity(alien)
        url = f"{v}/course/{world['course'].pk}/activity/{alien_activity.pk}/instrument/"
        assert client.get(url).status_code == 404


def test_invalid_token_is_401_with_challenge(world, api):
    client = api("anonymous")
    response = client.get(f"{world['v']}/", HTTP_AUTHORIZATION="JWT not.a.token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "JWT"
