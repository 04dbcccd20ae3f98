"""The Moodle plugin enrols the same learner (and may create the same course or activity) from
several page views at once. Concurrent identical calls must end with one row and no 500.

These tests run real threads, each with its own database connection and request transaction,
against committed data (transaction=True), so the uniqueness races really happen in
PostgreSQL."""

import pytest

from institution.models import InstitutionUser, Instructor, Learner, User
from tests import factories
from tests.concurrency import requires_postgresql, run_concurrently
from vle.models import Activity, Course

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]

THREADS = 8


def same_post(vle, url, body, count=THREADS):
    clients = [factories.client_for(vle) for _ in range(count)]
    return [lambda client=client: client.post(url, body, format="json") for client in clients]


@pytest.mark.parametrize("role", ["learner", "instructor"])
def test_concurrent_enrol_of_a_new_person(vle, course, role):
    body = {
        "uid": "ada@uni.example",
        "first_name": "Ada",
        "last_name": "L",
        "email": "ada@uni.example",
    }
    url = f"/api/v2/vle/{vle.pk}/course/{course.pk}/{role}/"
    outcomes = run_concurrently(same_post(vle, url, body))
    assert outcomes == [201] * THREADS
    assert InstitutionUser.objects.filter(uid=body["uid"]).count() == 1
    assert User.objects.filter(email=body["email"]).count() == 1
    model = Learner if role == "learner" else Instructor
    assert model.objects.filter(institution_user__uid=body["uid"]).count() == 1
    people = course.learners if role == "learner" else course.instructors
    assert people.count() == 1


def test_concurrent_enrol_of_a_new_person_in_two_courses(vle, course):
    other_course = factories.course(vle)
    body = {
        "uid": "bob@uni.example",
        "first_name": "Bob",
        "last_name": "B",
        "email": "bob@uni.example",
    }
    calls = []
    for target in (course, other_course):
        url = f"/api/v2/vle/{vle.pk}/course/{target.pk}/learner/"
        calls += same_post(vle, url, body, count=THREADS // 2)
    assert run_concurrently(calls) == [201] * THREADS
    learner = Learner.objects.get(institution_user__uid=body["uid"])
    assert set(learner.courses.values_list("pk", flat=True)) == {course.pk, other_course.pk}


def test_concurrent_course_create(vle):
    body = {"code": "C", "vle_course_id": "77", "vle": vle.pk, "parent": None}
    outcomes = run_concurrently(same_post(vle, f"/api/v2/vle/{vle.pk}/course/", body))
    assert sorted(outcomes) == [201] + [409] * (THREADS - 1)
    assert Course.objects.filter(vle=vle, vle_course_id="77").count() == 1


def test_concurrent_activity_create(vle, course):
    body = {"vle_activity_type": "quiz", "vle_activity_id": "5", "vle_id": vle.pk, "conf": None}
    url = f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/"
    outcomes = run_concurrently(same_post(vle, url, body))
    assert sorted(outcomes) == [201] + [409] * (THREADS - 1)
    assert Activity.objects.filter(vle=vle, vle_activity_id="5").count() == 1


def test_concurrent_close_of_one_session(vle, course, institution):
    from vle.models import AssessmentSession

    account = factories.user(institution, learner=True)
    session = AssessmentSession.objects.create(
        activity=factories.activity(course), learner=account.institution_user.learner
    )
    body = {"session_id": session.pk, "close": True}
    outcomes = run_concurrently(same_post(vle, f"/api/v2/vle/{vle.pk}/assessment/", body))
    assert sorted(outcomes) == [200] + [400] * (THREADS - 1)
