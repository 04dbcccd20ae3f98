"""GET /institution/{i}/user/{u}/activities/: a user's enabled, currently open activities."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import SENDCategory, SENDLearner
from tests import factories
from vle.models import ActivityInstrument
from vle.selectors import activity_learner_instruments


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def learner_row(learner):
    return learner.institution_user.learner


def test_only_enabled_activities_open_now_of_the_users_courses(api, urls, course, vle, learner_row):
    now = timezone.now()
    day = timedelta(days=1)
    open_ = factories.activity(course, enabled=True)
    window = factories.activity(course, enabled=True, start=now - day, end=now + day)
    factories.activity(course, enabled=False)
    factories.activity(course, enabled=True, start=now + day)
    factories.activity(course, enabled=True, end=now - day)
    factories.activity(factories.course(vle), enabled=True)  # not their course
    items = results(api("learner").get(urls.user_activities(learner_row.pk)))
    assert {item["id"] for item in items} == {open_.pk, window.pk}


def test_items_carry_course_roles_and_instruments(api, urls, course, learner_row):
    activity = factories.activity(course, enabled=True)
    row = ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    ActivityInstrument.objects.create(activity=activity, instrument_id=2, active=False)
    [item] = results(api("learner").get(urls.user_activities(learner_row.pk)))
    assert item["course_id"] == course.pk
    assert item["course"]["id"] == course.pk
    assert item["course"]["user_roles"] == ["LEARNER"]
    assert [i["instrument_id"] for i in item["instruments"]] == [1, 2]
    assert [i["id"] for i in item["user_instruments"]] == [row.pk]
    assert item["user_instruments"][0]["instrument"]["acronym"] == "fr"


def test_user_instruments_follow_the_learners_send(api, urls, course, institution, learner_row):
    activity = factories.activity(course, enabled=True)
    face = ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    keys = ActivityInstrument.objects.create(
        activity=activity, instrument_id=2, active=True, alternative_to=face
    )
    plag = ActivityInstrument.objects.create(activity=activity, instrument_id=5, active=True)
    category = SENDCategory.objects.create(
        institution=institution, description="No camera", data={"disabled_instruments": [1]}
    )
    SENDLearner.objects.create(learner=learner_row, category=category)
    [item] = results(api("inst_admin").get(urls.user_activities(learner_row.pk)))
    expected = activity_learner_instruments(activity=activity, learner=learner_row)
    assert [i["id"] for i in item["user_instruments"]] == [row.pk for row in expected]
    assert {i["id"] for i in item["user_instruments"]} == {keys.pk, plag.pk}


def test_instructors_get_no_user_instruments(api, urls, course, instructor):
    activity = factories.activity(course, enabled=True)
    ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    [item] = results(api("instructor").get(urls.user_activities(instructor.pk)))
    assert item["course"]["user_roles"] == ["INSTRUCTOR"]
    assert len(item["instruments"]) == 1
    assert item["user_instruments"] == []


def test_roles_shown_are_the_users_not_the_callers(api, urls, course, learner_row):
    factories.activity(course, enabled=True)
    [item] = results(api("inst_admin").get(urls.user_activities(learner_row.pk)))
    assert item["course"]["user_roles"] == ["LEARNER"]


def test_someone_elses_activities_are_403_for_plain_members(api, urls, learner_row, instructor):
    assert api("instructor").get(urls.user_activities(learner_row.pk)).status_code == 403
    assert api("member").get(urls.user_activities(learner_row.pk)).status_code == 403


def test_user_of_another_institution_is_404(api, urls, other_institution):
    outsider = factories.user(other_institution, learner=True)
    assert api("inst_admin").get(urls.user_activities(outsider.pk)).status_code == 404


def test_user_without_courses_has_none(api, urls, member):
    assert results(api("member").get(urls.user_activities(member.pk))) == []


def test_pages_follow_next_links(api, urls, course, learner_row):
    for _ in range(3):
        factories.activity(course, enabled=True)
    client = api("learner")
    page = client.get(urls.user_activities(learner_row.pk), {"limit": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert client.get(page["next"]).json()["results"][0]["id"] not in {
        item["id"] for item in page["results"]
    }


def test_query_count_is_fixed_per_page(
    api, urls, course, vle, institution, learner_row, django_assert_max_num_queries
):
    category = SENDCategory.objects.create(
        institution=institution, description="x", data={"disabled_instruments": [1]}
    )
    SENDLearner.objects.create(learner=learner_row, category=category)
    other_course = factories.course(vle)
    other_course.learners.add(learner_row)

    def add(n):
        for index in range(n):
            activity = factories.activity(course if index % 2 else other_course, enabled=True)
            face = ActivityInstrument.objects.create(
                activity=activity, instrument_id=1, active=True
            )
            ActivityInstrument.objects.create(
                activity=activity, instrument_id=2, active=True, alternative_to=face
            )

    client = api("learner")
    add(2)
    with django_assert_max_num_queries(16) as small:
        assert len(results(client.get(urls.user_activities(learner_row.pk)))) == 2
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        items = results(client.get(urls.user_activities(learner_row.pk), {"limit": 50}))
    assert len(items) == 12
    assert all([i["instrument_id"] for i in item["user_instruments"]] == [2] for item in items)


def test_activities_are_read_only(api, urls, learner_row):
    assert api("learner").post(urls.user_activities(learner_row.pk), {}).status_code == 405
