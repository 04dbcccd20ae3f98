"""Permission matrix: every endpoint, method and persona -> expected status.

Own-institution personas get the status of their role; a user of another institution gets
404 for anything under our institution; anonymous callers 401; VLE, provider and learner
tokens 403 (not for this kind of caller). The rule is `tests.matrix`'s."""

import pytest

from tests.conftest import PERSONAS
from tests.matrix import GLOBAL, INSTITUTION, Case, Fixtures, check, kw, params
from vle.models import Instrument

GA, IA, LG, SD, DT = "global_admin", "inst_admin", "legal_admin", "send_admin", "data_admin"
IN, LN, MB = "instructor", "learner", "member"
INSIDERS = {GA, IA, LG, SD, DT, IN, LN, MB}

I = "institution.pk"  # noqa: E741
OURS = kw(institution_pk=I)
OTHER_VLE = kw(institution_pk=I, pk="other_vle.pk")
COURSE = kw(institution_pk=I, course_pk="course.pk")
GROUP = kw(institution_pk=I, group_pk="group.pk")
GROUP_COURSE = kw(institution_pk=I, group_pk="group.pk", pk="course.pk")
INSTRUCTOR = kw(institution_pk=I, course_pk="course.pk", pk="enrolled_instructor.pk")
LEARNER = kw(institution_pk=I, course_pk="course.pk", pk="enrolled_learner.pk")
ACTIVITY = kw(institution_pk=I, course_pk="course.pk", pk="activity.pk")
ACTIVITY_INSTRUMENTS = kw(institution_pk=I, course_pk="course.pk", activity_pk="activity.pk")
FACE_ROW = kw(institution_pk=I, course_pk="course.pk", activity_pk="activity.pk", pk="face_row.pk")
SPARE_INSTRUMENT = kw(pk="spare_instrument.pk")
WRITES = (("put", "update"), ("patch", "patch"))  # the same body serves both


def inst(name, method, url_name, ok, allowed, body=None, **values):
    """A case under our institution."""
    return Case(name, method, url_name, INSTITUTION, allowed, ok, body=body, **values)


def admin(name, method, url_name, ok, body=None, **values):
    """The global-admin instrument catalogue: no institution in the URL, so outsiders get 403."""
    return Case(name, method, url_name, GLOBAL, {GA}, ok, body=body, **values)


CASES = [
    # §2 VLEs
    inst("vle-list", "get", "institution-vle-list", 200, {GA, IA}, kwargs=OURS),
    inst("vle-read", "get", "institution-vle-detail", 200, {GA, IA}, kwargs=OTHER_VLE),
    inst(
        "vle-create",
        "post",
        "institution-vle-list",
        201,
        {GA, IA},
        lambda w: {"type": 0, "name": "n"},
        kwargs=OURS,
    ),
    inst(
        "vle-update",
        "put",
        "institution-vle-detail",
        200,
        {GA, IA},
        lambda w: {"type": 0, "name": "renamed"},
        kwargs=OTHER_VLE,
    ),
    inst(
        "vle-patch",
        "patch",
        "institution-vle-detail",
        200,
        {GA, IA},
        lambda w: {"url": "https://moodle.example.org"},
        kwargs=OTHER_VLE,
    ),
    inst("vle-delete", "delete", "institution-vle-detail", 204, {GA, IA}, kwargs=OTHER_VLE),
    inst("vle-credentials", "post", "institution-vle-credentials", 201, {GA, IA}, kwargs=OTHER_VLE),
    # §3 Courses
    inst("course-list", "get", "institution-course-list", 200, INSIDERS, kwargs=OURS),
    inst(
        "course-read",
        "get",
        "institution-course-detail",
        200,
        {GA, IA, DT, IN, LN},
        kwargs=kw(institution_pk=I, pk="course.pk"),
        overrides={LG: 404, SD: 404, MB: 404},  # courses they cannot see
    ),
    inst(
        "course-delete",
        "delete",
        "institution-course-detail",
        204,
        {IA, DT},
        kwargs=kw(institution_pk=I, pk="course.pk"),
    ),
    # §5 Group courses
    inst("group-course-list", "get", "institution-group-course-list", 200, INSIDERS, kwargs=GROUP),
    inst(
        "group-course-read",
        "get",
        "institution-group-course-detail",
        200,
        INSIDERS,
        kwargs=GROUP_COURSE,
    ),
    inst(
        "group-course-create",
        "post",
        "institution-group-course-list",
        201,
        {IA},
        lambda w: {"id": w.course.pk},
        kwargs=GROUP,
    ),
    *(
        inst(
            f"group-course-{name}",
            method,
            "institution-group-course-detail",
            200,
            {IA},
            lambda w: {"id": w.course.pk},
            kwargs=GROUP_COURSE,
        )
        for method, name in WRITES
    ),
    inst(
        "group-course-delete",
        "delete",
        "institution-group-course-detail",
        204,
        {IA},
        kwargs=GROUP_COURSE,
    ),
    # §8 Instruments
    inst("instrument-list", "get", "institution-instrument-list", 200, INSIDERS, kwargs=OURS),
    inst(
        "instrument-read",
        "get",
        "institution-instrument-detail",
        200,
        INSIDERS,
        kwargs=kw(institution_pk=I, pk=1),
    ),
    # §15 Course instructors
    inst(
        "instructor-list",
        "get",
        "institution-course-instructor-list",
        200,
        {GA, IA, LG, DT, IN, LN},
        kwargs=COURSE,
    ),
    inst(
        "instructor-read",
        "get",
        "institution-course-instructor-detail",
        200,
        {GA, IA, LG, DT, IN, LN},
        kwargs=INSTRUCTOR,
    ),
    inst(
        "instructor-create",
        "post",
        "institution-course-instructor-list",
        201,
        {IA, IN},
        lambda w: {"uid": w.spare_instructor.institution_user.uid},
        kwargs=COURSE,
    ),
    *(
        inst(
            f"instructor-{name}",
            method,
            "institution-course-instructor-detail",
            200,
            {IA, IN},
            lambda w: {"uid": w.enrolled_instructor.institution_user.uid},
            kwargs=INSTRUCTOR,
        )
        for method, name in WRITES
    ),
    inst(
        "instructor-delete",
        "delete",
        "institution-course-instructor-detail",
        204,
        {IA, IN},
        kwargs=INSTRUCTOR,
    ),
    # §16 Course learners
    inst(
        "learner-list",
        "get",
        "institution-course-learner-list",
        200,
        {GA, IA, DT, IN, LN},
        kwargs=COURSE,
    ),
    inst(
        "learner-read-own-row",
        "get",
        "institution-course-learner-detail",
        200,
        {GA, IA, DT, IN, LN},
        kwargs=kw(institution_pk=I, course_pk="course.pk", pk="learner_row.pk"),
    ),
    inst(
        "learner-create",
        "post",
        "institution-course-learner-list",
        201,
        {IA, IN},
        lambda w: {"uid": w.spare_learner.institution_user.uid},
        kwargs=COURSE,
    ),
    *(
        inst(
            f"learner-{name}",
            method,
            "institution-course-learner-detail",
            200,
            {IA, IN},
            lambda w: {"uid": w.enrolled_learner.institution_user.uid},
            kwargs=LEARNER,
        )
        for method, name in WRITES
    ),
    inst(
        "learner-delete",
        "delete",
        "institution-course-learner-detail",
        204,
        {IA, IN},
        kwargs=LEARNER,
    ),
    # §17 Activities
    inst(
        "activity-list",
        "get",
        "institution-course-activity-list",
        200,
        {GA, IA, IN, LN},
        kwargs=COURSE,
    ),
    inst(
        "activity-read",
        "get",
        "institution-course-activity-detail",
        200,
        {GA, IA, IN, LN},
        kwargs=ACTIVITY,
    ),
    inst(
        "activity-create",
        "post",
        "institution-course-activity-list",
        201,
        {IA, IN},
        lambda w: {"vle_activity_type": "quiz", "vle_activity_id": "matrix"},
        kwargs=COURSE,
    ),
    inst(
        "activity-update",
        "put",
        "institution-course-activity-detail",
        200,
        {IA, IN},
        lambda w: {"enabled": True},
        kwargs=ACTIVITY,
    ),
    inst(
        "activity-patch",
        "patch",
        "institution-course-activity-detail",
        200,
        {IA, IN},
        lambda w: {"conf": "x"},
        kwargs=ACTIVITY,
    ),
    inst(
        "activity-delete",
        "delete",
        "institution-course-activity-detail",
        204,
        {IA, IN},
        kwargs=ACTIVITY,
    ),
    # §18 Activity instruments
    inst(
        "activity-instrument-list",
        "get",
        "institution-course-activity-instrument-list",
        200,
        {GA, IA, IN, LN},
        kwargs=ACTIVITY_INSTRUMENTS,
    ),
    inst(
        "activity-instrument-read",
        "get",
        "institution-course-activity-instrument-detail",
        200,
        {GA, IA, IN, LN},
        kwargs=FACE_ROW,
    ),
    inst(
        "activity-instrument-create",
        "post",
        "institution-course-activity-instrument-list",
        201,
        {IA, IN},
        lambda w: {"instrument_id": 2, "active": True},
        kwargs=ACTIVITY_INSTRUMENTS,
    ),
    inst(
        "activity-instrument-update",
        "put",
        "institution-course-activity-instrument-detail",
        200,
        {IA, IN},
        lambda w: {"instrument_id": 1, "active": False},
        kwargs=FACE_ROW,
    ),
    inst(
        "activity-instrument-patch",
        "patch",
        "institution-course-activity-instrument-detail",
        200,
        {IA, IN},
        lambda w: {"active": False},
        kwargs=FACE_ROW,
    ),
    inst(
        "activity-instrument-delete",
        "delete",
        "institution-course-activity-instrument-detail",
        204,
        {IA, IN},
        kwargs=FACE_ROW,
    ),
    # A user's activities (the learner persona's)
    inst(
        "user-activities",
        "get",
        "institution-user-activities-list",
        200,
        {GA, IA, LG, DT, LN},
        kwargs=kw(institution_pk=I, user_pk="learner_row.pk"),
    ),
    # Global-admin instrument catalogue
    admin("admin-instrument-list", "get", "admin-instrument-list", 200),
    admin("admin-instrument-read", "get", "admin-instrument-detail", 200, kwargs=kw(pk=1)),
    admin(
        "admin-instrument-create",
        "post",
        "admin-instrument-list",
        201,
        lambda w: {"name": "New", "acronym": "new", "queue": "tesla_new"},
    ),
    admin(
        "admin-instrument-put",
        "put",
        "admin-instrument-detail",
        200,
        lambda w: {"name": "Spare", "acronym": "spare", "queue": "tesla_spare", "enabled": True},
        kwargs=SPARE_INSTRUMENT,
    ),
    admin(
        "admin-instrument-update",
        "patch",
        "admin-instrument-detail",
        200,
        lambda w: {"enabled": True},
        kwargs=SPARE_INSTRUMENT,
    ),
    admin(
        "admin-instrument-delete", "delete", "admin-instrument-detail", 204, kwargs=SPARE_INSTRUMENT
    ),
]


# What every case finds in place (a case reads the rest lazily).
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
]


@pytest.fixture
def world(request, learner):
    world = Fixtures(request)
    for name in WORLD:
        request.getfixturevalue(name)
    world.learner_row = learner.institution_user.learner
    Instrument.objects.filter(pk=1).update(enabled=True)
    return world


@pytest.mark.parametrize(("case", "persona"), params(CASES, PERSONAS))
def test_permission_matrix(case, persona, api, world):
    check(case, persona, api(persona), world)
