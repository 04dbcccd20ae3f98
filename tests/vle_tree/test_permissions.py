"""Who may call each endpoint of the VLE tree: our VLE (2xx), another VLE of our institution
and a VLE of another institution (404: the URL's VLE is not theirs), user tokens, providers
and learner tokens (403: not a VLE), anonymous callers (401).

Every case gets a body that succeeds for our VLE, so a denial cannot hide behind a 400. The
rule is `tests.matrix`'s."""

import base64
from types import SimpleNamespace

import pytest
from django.urls import reverse

from reports.models import Request
from tests import factories
from tests.matrix import VLE, Case, check, kw, params, personas_without
from tests.vle_tree.conftest import PLAG, configure, give_consent
from vle.models import Activity

pytestmark = pytest.mark.django_db

PERSONAS = personas_without("legal_admin", "send_admin", "data_admin", "member")


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
    return SimpleNamespace(
        vle=vle,
        person=person,
        learner_row=learner_row,
        teacher=teacher,
        row=row,
        request=request,
        activity=activity,
        course=course,
    )


ZIP = "data:application/zip;base64," + base64.b64encode(b"PK").decode()

V = kw(vle_pk="vle.pk")
C = kw(vle_pk="vle.pk", course_pk="course.pk")
A = kw(vle_pk="vle.pk", course_pk="course.pk", activity_pk="activity.pk")
COURSE = kw(vle_pk="vle.pk", pk="course.pk")
TEACHER = kw(vle_pk="vle.pk", course_pk="course.pk", pk="teacher.pk")
PERSON = kw(vle_pk="vle.pk", course_pk="course.pk", pk="person.pk")
ACTIVITY = kw(vle_pk="vle.pk", course_pk="course.pk", pk="activity.pk")
ROW = kw(vle_pk="vle.pk", course_pk="course.pk", activity_pk="activity.pk", pk="row.pk")
ATTACHMENT = kw(
    vle_pk="vle.pk",
    course_pk="course.pk",
    activity_pk="activity.pk",
    learner_id="learner_row.learner_id",
)
ACTIVITY_LEARNER = kw(
    vle_pk="vle.pk", course_pk="course.pk", activity_pk="activity.pk", pk="person.pk"
)
REQUESTS = kw(
    vle_pk="vle.pk", course_pk="course.pk", activity_pk="activity.pk", learner_pk="person.pk"
)
REQUEST = kw(
    vle_pk="vle.pk",
    course_pk="course.pk",
    activity_pk="activity.pk",
    learner_pk="person.pk",
    pk="request.pk",
)
COURSE_BODY = {"code": "X", "vle_course_id": "new", "vle": 1, "parent": None}
ACTIVITY_BODY = {"vle_activity_type": "quiz", "vle_activity_id": "new", "vle_id": 1}
INSTRUMENT_BODY = {"instrument": 1, "active": True, "options": None}
PERSON_BODY = {
    "uid": "new@x.example",
    "first_name": "N",
    "last_name": "M",
    "email": "new@x.example",
}


def ours(name, method, url_name, ok, kwargs=V, body=None, **values):
    """A case in our VLE's tree: only our VLE is allowed."""
    data = body if body is None or callable(body) else (lambda w, body=body: body)
    return Case(name, method, url_name, VLE, {"vle"}, ok, kwargs=kwargs, body=data, **values)


def uid(w):
    return w.person.institution_user.uid


CASES = [
    # The VLE list is the only endpoint without a VLE in the URL: each VLE sees itself.
    ours(
        "vle-list",
        "get",
        "vle-list",
        200,
        kwargs=kw(),
        overrides={"other_vle": 200, "foreign_vle": 200},
    ),
    ours("vle-read", "get", "vle-detail", 200, kwargs=kw(pk="vle.pk")),
    ours("instrument-list", "get", "vle-instrument-list", 200),
    ours(
        "instrument-read", "get", "vle-instrument-detail", 200, kwargs=kw(vle_pk="vle.pk", pk=PLAG)
    ),
    ours("launcher", "post", "vle-launcher-list", 200, body=lambda w: {"vle_user_uid": uid(w)}),
    ours(
        "assessment",
        "post",
        "vle-assessment-list",
        200,
        body=lambda w: {
            "vle_activity_type": w.activity.vle_activity_type,
            "vle_activity_id": w.activity.vle_activity_id,
            "vle_learner_uid": uid(w),
        },
    ),
    ours("course-list", "get", "vle-course-list", 200),
    ours("course-create", "post", "vle-course-list", 201, body=COURSE_BODY),
    ours("course-read", "get", "vle-course-detail", 200, kwargs=COURSE),
    ours(
        "course-put",
        "put",
        "vle-course-detail",
        200,
        kwargs=COURSE,
        body={**COURSE_BODY, "vle_course_id": "changed"},
    ),
    ours("course-patch", "patch", "vle-course-detail", 200, kwargs=COURSE, body={"code": "Y"}),
    # The world's request is verification evidence: a VLE may not destroy it (409).
    ours("course-delete", "delete", "vle-course-detail", 409, kwargs=COURSE),
    ours("instructor-list", "get", "vle-course-instructor-list", 200, kwargs=C),
    ours(
        "instructor-create", "post", "vle-course-instructor-list", 201, kwargs=C, body=PERSON_BODY
    ),
    ours("instructor-read", "get", "vle-course-instructor-detail", 200, kwargs=TEACHER),
    ours(
        "instructor-put",
        "put",
        "vle-course-instructor-detail",
        200,
        kwargs=TEACHER,
        body=lambda w: {"uid": w.teacher.institution_user.uid, "first_name": "Z"},
    ),
    ours(
        "instructor-patch",
        "patch",
        "vle-course-instructor-detail",
        200,
        kwargs=TEACHER,
        body={"first_name": "Z"},
    ),
    ours("instructor-delete", "delete", "vle-course-instructor-detail", 204, kwargs=TEACHER),
    ours("learner-list", "get", "vle-course-learner-list", 200, kwargs=C),
    ours("learner-create", "post", "vle-course-learner-list", 201, kwargs=C, body=PERSON_BODY),
    ours("learner-read", "get", "vle-course-learner-detail", 200, kwargs=PERSON),
    ours(
        "learner-put",
        "put",
        "vle-course-learner-detail",
        200,
        kwargs=PERSON,
        body=lambda w: {"uid": uid(w), "first_name": "Z"},
    ),
    ours(
        "learner-patch",
        "patch",
        "vle-course-learner-detail",
        200,
        kwargs=PERSON,
        body={"first_name": "Z"},
    ),
    ours("learner-delete", "delete", "vle-course-learner-detail", 204, kwargs=PERSON),
    ours("activity-list", "get", "vle-course-activity-list", 200, kwargs=C),
    ours("activity-create", "post", "vle-course-activity-list", 201, kwargs=C, body=ACTIVITY_BODY),
    ours("activity-read", "get", "vle-course-activity-detail", 200, kwargs=ACTIVITY),
    ours(
        "activity-put",
        "put",
        "vle-course-activity-detail",
        200,
        kwargs=ACTIVITY,
        body={**ACTIVITY_BODY, "vle_activity_id": "changed"},
    ),
    ours(
        "activity-patch",
        "patch",
        "vle-course-activity-detail",
        200,
        kwargs=ACTIVITY,
        body={"enabled": False},
    ),
    ours("activity-delete", "delete", "vle-course-activity-detail", 409, kwargs=ACTIVITY),
    ours("activity-instrument-list", "get", "vle-course-activity-instrument-list", 200, kwargs=A),
    ours(
        "activity-instrument-create",
        "post",
        "vle-course-activity-instrument-list",
        201,
        kwargs=A,
        body=INSTRUMENT_BODY,
    ),
    ours(
        "activity-instrument-read", "get", "vle-course-activity-instrument-detail", 200, kwargs=ROW
    ),
    ours(
        "activity-instrument-put",
        "put",
        "vle-course-activity-instrument-detail",
        200,
        kwargs=ROW,
        body={"instrument": PLAG, "active": False, "options": None},
    ),
    ours(
        "activity-instrument-patch",
        "patch",
        "vle-course-activity-instrument-detail",
        200,
        kwargs=ROW,
        body={"active": False},
    ),
    ours(
        "activity-instrument-delete",
        "delete",
        "vle-course-activity-instrument-detail",
        204,
        kwargs=ROW,
    ),
    ours("attachment-read", "get", "vle-activity-attachment", 200, kwargs=ATTACHMENT),
    ours(
        "attachment-create",
        "post",
        "vle-activity-attachment",
        200,
        kwargs=ATTACHMENT,
        body={"data": ZIP, "instruments": [PLAG], "metadata": {"mimetype": "application/zip"}},
    ),
    ours("activity-learner-list", "get", "vle-activity-learner-list", 200, kwargs=A),
    ours(
        "activity-learner-read", "get", "vle-activity-learner-detail", 200, kwargs=ACTIVITY_LEARNER
    ),
    ours("learner-request-list", "get", "vle-activity-learner-request-list", 200, kwargs=REQUESTS),
    ours("learner-request-read", "get", "vle-activity-learner-request-detail", 200, kwargs=REQUEST),
]


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("case", "persona"), params(CASES, PERSONAS))
def test_permission_matrix(world, api, case, persona):
    check(case, persona, api(persona), world)


@pytest.mark.parametrize("persona", ["other_vle", "foreign_vle"])
def test_other_vles_see_only_themselves_in_the_list(world, api, persona, request):
    body = api(persona).get(reverse("vle-list")).json()
    assert [row["id"] for row in body["results"]] == [request.getfixturevalue(persona).pk]


def test_own_vle_with_a_foreign_course_id_is_404(world, api, other_vle, foreign_vle):
    """Every nested parent is checked against the URL's VLE, not just the first one."""
    client = api("vle")
    v = world.vle.pk
    for alien in (factories.course(other_vle), factories.course(foreign_vle)):
        course = {"vle_pk": v, "course_pk": alien.pk}
        assert (
            client.get(
                reverse("vle-course-detail", kwargs={"vle_pk": v, "pk": alien.pk})
            ).status_code
            == 404
        )
        assert client.get(reverse("vle-course-activity-list", kwargs=course)).status_code == 404
        learners = reverse("vle-course-learner-list", kwargs=course)
        assert client.post(learners, {"uid": "x"}).status_code == 404
        alien_activity = factories.activity(alien)
        url = reverse(
            "vle-course-activity-instrument-list",
            kwargs={"vle_pk": v, "course_pk": world.course.pk, "activity_pk": alien_activity.pk},
        )
        assert client.get(url).status_code == 404


def test_invalid_token_is_401_with_challenge(world, api):
    client = api("anonymous")
    url = reverse("vle-detail", kwargs={"pk": world.vle.pk})
    response = client.get(url, HTTP_AUTHORIZATION="JWT not.a.token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "JWT"
