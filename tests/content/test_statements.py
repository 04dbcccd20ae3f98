"""xAPI statements of a course and of a version: filters and `more` paging."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.content.conftest import COURSES
from vle.content.models import Course, CourseVersion, Statement
from vle.content.services import statement_record


@pytest.fixture
def course(vle):
    course = Course.objects.create(vle=vle, course_id="golf", title="Golf")
    CourseVersion.objects.create(course=course, version=0, storage_folder="content/g0")
    CourseVersion.objects.create(course=course, version=1, storage_folder="content/g1")
    return course


def record(course, version, learner, minutes_ago):
    statement = statement_record(
        course=course,
        version=course.versions.get(version=version),
        statement={
            "actor": {"objectType": "Agent", "account": {"homePage": "https://v", "name": learner}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"objectType": "Activity", "id": "https://example.org/golf"},
        },
    )
    stored = timezone.now() - timedelta(minutes=minutes_ago)
    Statement.objects.filter(pk=statement.pk).update(stored=stored)
    return statement


@pytest.mark.django_db
def test_statements_page_newest_first_with_filters(app, course, settings):
    settings.COURSE_STATEMENT_PAGE_SIZE = 2
    made = [record(course, n % 2, "ann" if n < 4 else "bob", minutes_ago=10 - n) for n in range(6)]

    seen = []
    response = app.get(f"{COURSES}/golf/xAPIStatements")
    while True:
        body = response.json()
        seen += [statement["id"] for statement in body["statements"]]
        if "more" not in body:
            break
        response = app.get(f"{COURSES}/golf/xAPIStatements", {"more": body["more"]})
    assert seen == [str(s.pk) for s in reversed(made)]

    first = body["statements"][-1]
    assert first["objectActivity"]["id"] == "https://example.org/golf"
    assert first["verb"]["id"].endswith("experienced")
    assert first["stored"].endswith("Z")

    bob = app.get(f"{COURSES}/golf/xAPIStatements", {"learnerId": "bob"}).json()["statements"]
    assert {s["actor"]["account"]["name"] for s in bob} == {"bob"}
    one = app.get(f"{COURSES}/golf/versions/1/xAPIStatements").json()
    assert len(one["statements"]) == 2 and "more" in one
    stored = Statement.objects.get(pk=made[2].pk).stored
    window = app.get(
        f"{COURSES}/golf/xAPIStatements",
        {"since": stored.isoformat(), "until": stored.isoformat()},
    ).json()
    assert [s["id"] for s in window["statements"]] == [str(made[2].pk)]


@pytest.mark.django_db
def test_no_statements_is_an_empty_list_without_more(app, course):
    response = app.get(f"{COURSES}/golf/versions/0/xAPIStatements")

    assert response.json() == {"statements": []}


@pytest.mark.django_db
def test_statement_and_version_lists_cost_fixed_queries(
    app, course, django_assert_num_queries, django_assert_max_num_queries
):
    record(course, 0, "ann", 1)
    with django_assert_max_num_queries(20) as few:
        app.get(f"{COURSES}/golf/xAPIStatements")
        app.get(f"{COURSES}/golf/versions")
    for n in range(20):
        record(course, n % 2, f"l{n}", n)
    with django_assert_num_queries(len(few.captured_queries)):
        app.get(f"{COURSES}/golf/xAPIStatements")
        app.get(f"{COURSES}/golf/versions")
