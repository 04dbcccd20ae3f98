"""Permission matrix: every endpoint, method and persona -> expected status.

Own-institution personas get the status of their role; a user of another institution gets
404 for anything under our institution; anonymous callers 401; VLE, provider and learner
tokens 403 (not for this kind of caller)."""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import PERSONAS
from tests.vle_institution.conftest import ADMIN_INSTRUMENTS, Urls
from vle.models import Instrument

GA, IA, LG, SD, DT = "global_admin", "inst_admin", "legal_admin", "send_admin", "data_admin"
IN, LN, MB = "instructor", "learner", "member"
INSIDERS = {GA, IA, LG, SD, DT, IN, LN, MB}
WRONG_KIND = {"vle", "other_vle", "foreign_vle", "provider", "learner_token"}


@dataclass
class Case:
    name: str
    method: str
    url: Any  # (world) -> str
    ok: int
    allowed: set[str]
    body: Any = None  # (world) -> dict
    hidden: set[str] = field(default_factory=set)  # insiders who get 404 instead of 403
    foreign: int = 404

    def expected(self, persona: str) -> int:
        if persona == "anonymous":
            return 401
        if persona in WRONG_KIND:
            return 403
        if persona == "foreign_admin":
            return self.foreign
        if persona in self.allowed:
            return self.ok
        return 404 if persona in self.hidden else 403


def u(world) -> Urls:
    return world.urls


CASES = [
    # §2 VLEs
    Case("vle-list", "get", lambda w: u(w).vle(), 200, {GA, IA}),
    Case("vle-read", "get", lambda w: u(w).vle(w.other_vle.pk), 200, {GA, IA}),
    Case(
        "vle-create",
        "post",
        lambda w: u(w).vle(),
        201,
        {GA, IA},
        lambda w: {"type": 0, "name": "n"},
    ),
    Case(
        "vle-update",
        "put",
        lambda w: u(w).vle(w.other_vle.pk),
        200,
        {GA, IA},
        lambda w: {"type": 0, "name": "renamed"},
    ),
    Case(
        "vle-patch",
        "patch",
        lambda w: u(w).vle(w.other_vle.pk),
        200,
        {GA, IA},
        lambda w: {"url": "https://moodle.example.org"},
    ),
    Case("vle-delete", "delete", lambda w: u(w).vle(w.other_vle.pk), 204, {GA, IA}),
    Case(
        "vle-credentials", "post", lambda w: u(w).vle(w.other_vle.pk, "credentials"), 201, {GA, IA}
    ),
    # §3 Courses
    Case("course-list", "get", lambda w: u(w).course(), 200, INSIDERS),
    Case(
        "course-read",
        "get",
        lambda w: u(w).course(w.course.pk),
        200,
        {GA, IA, DT, IN, LN},
        hidden={LG, SD, MB},
    ),
    Case("course-delete", "delete", lambda w: u(w).course(w.course.pk), 204, {IA, DT}),
    # §5 Group courses
    Case("group-course-list", "get", lambda w: u(w).group_course(w.group.pk), 200, INSIDERS),
    Case(
        "group-course-read",
        "get",
        lambda w: u(w).group_course(w.group.pk, w.course.pk),
        200,
        INSIDERS,
    ),
    Case(
        "group-course-create",
        "post",
        lambda w: u(w).group_course(w.group.pk),
        201,
        {IA},
        lambda w: {"id": w.course.pk},
    ),
    Case(
        "group-course-update",
        "put",
        lambda w: u(w).group_course(w.group.pk, w.course.pk),
        200,
        {IA},
        lambda w: {"id": w.course.pk},
    ),
    Case(
        "group-course-delete",
        "delete",
        lambda w: u(w).group_course(w.group.pk, w.course.pk),
        204,
        {IA},
    ),
    # §8 Instruments
    Case("instrument-list", "get", lambda w: u(w).instrument(), 200, INSIDERS),
    Case("instrument-read", "get", lambda w: u(w).instrument(1), 200, INSIDERS),
    # §15 Course instructors
    Case(
        "instructor-list",
        "get",
        lambda w: u(w).instructor(w.course.pk),
        200,
        {GA, IA, LG, DT, IN, LN},
    ),
    Case(
        "instructor-read",
        "get",
        lambda w: u(w).instructor(w.course.pk, w.enrolled_instructor.pk),
        200,
        {GA, IA, LG, DT, IN, LN},
    ),
    Case(
        "instructor-create",
        "post",
        lambda w: u(w).instructor(w.course.pk),
        201,
        {IA, IN},
        lambda w: {"uid": w.spare_instructor.institution_user.uid},
    ),
    Case(
        "instructor-update",
        "put",
        lambda w: u(w).instructor(w.course.pk, w.enrolled_instructor.pk),
        200,
        {IA, IN},
        lambda w: {"uid": w.enrolled_instructor.institution_user.uid},
    ),
    Case(
        "instructor-delete",
        "delete",
        lambda w: u(w).instructor(w.course.pk, w.enrolled_instructor.pk),
        204,
        {IA, IN},
    ),
    # §16 Course learners
    Case("learner-list", "get", lambda w: u(w).learner(w.course.pk), 200, {GA, IA, DT, IN, LN}),
    Case(
        "learner-read-own-row",
        "get",
        lambda w: u(w).learner(w.course.pk, w.learner_row.pk),
        200,
        {GA, IA, DT, IN, LN},
    ),
    Case(
        "learner-create",
        "post",
        lambda w: u(w).learner(w.course.pk),
        201,
        {IA, IN},
        lambda w: {"uid": w.spare_learner.institution_user.uid},
    ),
    Case(
        "learner-update",
        "put",
        lambda w: u(w).learner(w.course.pk, w.enrolled_learner.pk),
        200,
        {IA, IN},
        lambda w: {"uid": w.enrolled_learner.institution_user.uid},
    ),
    Case(
        "learner-delete",
        "delete",
        lambda w: u(w).learner(w.course.pk, w.enrolled_learner.pk),
        204,
        {IA, IN},
    ),
    # §17 Activities
    Case("activity-list", "get", lambda w: u(w).activity(w.course.pk), 200, {GA, IA, IN, LN}),
    Case(
        "activity-read",
        "get",
        lambda w: u(w).activity(w.course.pk, w.activity.pk),
        200,
        {GA, IA, IN, LN},
    ),
    Case(
        "activity-create",
        "post",
        lambda w: u(w).activity(w.course.pk),
        201,
        {IA, IN},
        lambda w: {"vle_activity_type": "quiz", "vle_activity_id": "matrix"},
    ),
    Case(
        "activity-update",
        "put",
        lambda w: u(w).activity(w.course.pk, w.activity.pk),
        200,
        {IA, IN},
        lambda w: {"enabled": True},
    ),
    Case(
        "activity-patch",
        "patch",
        lambda w: u(w).activity(w.course.pk, w.activity.pk),
        200,
        {IA, IN},
        lambda w: {"conf": "x"},
    ),
    Case(
        "activity-delete",
        "delete",
        lambda w: u(w).activity(w.course.pk, w.activity.pk),
        204,
        {IA, IN},
    ),
    # §18 Activity instruments
    Case(
        "activity-instrument-list",
        "get",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk),
        200,
        {GA, IA, IN, LN},
    ),
    Case(
        "activity-instrument-read",
        "get",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk, w.face_row.pk),
        200,
        {GA, IA, IN, LN},
    ),
    Case(
        "activity-instrument-create",
        "post",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk),
        201,
        {IA, IN},
        lambda w: {"instrument_id": 2, "active": True},
    ),
    Case(
        "activity-instrument-update",
        "put",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk, w.face_row.pk),
        200,
        {IA, IN},
        lambda w: {"instrument_id": 1, "active": False},
    ),
    Case(
        "activity-instrument-patch",
        "patch",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk, w.face_row.pk),
        200,
        {IA, IN},
        lambda w: {"active": False},
    ),
    Case(
        "activity-instrument-delete",
        "delete",
        lambda w: u(w).activity_instrument(w.course.pk, w.activity.pk, w.face_row.pk),
        204,
        {IA, IN},
    ),
    # A user's activities (the learner persona's)
    Case(
        "user-activities",
        "get",
        lambda w: u(w).user_activities(w.learner_row.pk),
        200,
        {GA, IA, LG, DT, LN},
    ),
    # Global-admin instrument catalogue: no institution in the URL, so outsiders get 403.
    Case("admin-instrument-list", "get", lambda w: ADMIN_INSTRUMENTS, 200, {GA}, foreign=403),
    Case(
        "admin-instrument-read", "get", lambda w: f"{ADMIN_INSTRUMENTS}1/", 200, {GA}, foreign=403
    ),
    Case(
        "admin-instrument-create",
        "post",
        lambda w: ADMIN_INSTRUMENTS,
        201,
        {GA},
        lambda w: {"name": "New", "acronym": "new", "queue": "tesla_new"},
        foreign=403,
    ),
    Case(
        "admin-instrument-update",
        "patch",
        lambda w: f"{ADMIN_INSTRUMENTS}{w.spare_instrument.pk}/",
        200,
        {GA},
        lambda w: {"enabled": True},
        foreign=403,
    ),
    Case(
        "admin-instrument-delete",
        "delete",
        lambda w: f"{ADMIN_INSTRUMENTS}{w.spare_instrument.pk}/",
        204,
        {GA},
        foreign=403,
    ),
]

WORLD = [
    "institution",
    "course",
    "activity",
    "other_vle",
    "group",
    "enrolled_instructor",
    "enrolled_learner",
    "spare_instructor",
    "spare_learner",
    "face_row",
    "spare_instrument",
    "urls",
]


@pytest.fixture
def world(request):
    values = {name: request.getfixturevalue(name) for name in WORLD}
    values["learner_row"] = request.getfixturevalue("learner").institution_user.learner
    Instrument.objects.filter(pk=1).update(enabled=True)
    return SimpleNamespace(**values)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(case, persona, api, world):
    client = api(persona)
    body = case.body(world) if case.body else None
    response = getattr(client, case.method)(case.url(world), body, format="json")
    assert response.status_code == case.expected(persona), response.content
