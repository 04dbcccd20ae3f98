"""The shortcuts of the plugin lookups' hot path behave exactly like the ORM and django-filter
paths they replace: the calling module with its related rows, and list filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tesla.filters import FilterBackend
from tesla.precompiled import Lookup, row_by_pk
from tests import factories
from vle.filters import VLECourseFilter
from vle.models import VLE, Course
from vle.parents import with_enabled_flag


@pytest.mark.django_db
def test_row_by_pk_is_the_orm_row_with_its_related_rows(vle):
    VLE.objects.filter(pk=vle.pk).update(lti={"client": "x", "keys": [1, 2]})
    expected = VLE.objects.select_related("institution").get(pk=vle.pk)
    for _ in range(2):  # compiled on the first call, reused on the second
        with CaptureQueriesContext(connection) as queries:
            loaded = row_by_pk(VLE, vle.pk, related=("institution",))
            assert loaded.institution.acronym == expected.institution.acronym
        assert len(queries) == 1
        assert loaded.lti == {"client": "x", "keys": [1, 2]}
        assert loaded.created_at == expected.created_at
        assert [getattr(loaded, f.attname) for f in VLE._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in VLE._meta.concrete_fields
        ]
        assert not loaded._state.adding and loaded._state.db == "default"


@pytest.mark.django_db
def test_row_by_pk_of_a_missing_row_is_none(vle):
    assert row_by_pk(VLE, vle.pk + 1000, related=("institution",)) is None


def test_a_deleted_vle_token_is_refused(api, vle, course):
    client = api("vle")
    assert client.get(f"/api/v2/vle/{vle.pk}/course/").status_code == 200
    VLE.objects.filter(pk=vle.pk).delete()
    assert client.get(f"/api/v2/vle/{vle.pk}/course/").status_code == 401


def test_filters_apply_per_request(api, vle):
    first, second = factories.course(vle), factories.course(vle)
    client = api("vle")
    base = f"/api/v2/vle/{vle.pk}/course/"
    for course in (first, second, first):
        response = client.get(f"{base}?vle_course_id={course.vle_course_id}")
        assert [row["id"] for row in response.json()["results"]] == [course.pk]
    assert client.get(base).json()["count"] == 2


def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, vle):
    response = api("vle").get(f"/api/v2/vle/{vle.pk}/course/?vle=abc")
    assert response.status_code == 400
    assert "vle" in response.json()


def test_filtersets_are_prebuilt_once_with_their_own_filters():
    prebuilt = FilterBackend.prebuilt(VLECourseFilter)
    assert prebuilt is FilterBackend.prebuilt(VLECourseFilter)
    assert issubclass(prebuilt, VLECourseFilter)
    one, two = prebuilt({"vle_course_id": "1"}), prebuilt({"vle_course_id": "2"})
    assert one.filters["vle_course_id"] is not two.filters["vle_course_id"]
    assert one.filters["vle_course_id"].parent is one
    assert one.get_form_class() is two.get_form_class()
    assert one.is_valid() and one.form.cleaned_data["vle_course_id"] == "1"


# Lookups compiled once (tesla.precompiled.Lookup) ------------------------------------------


def _courses_with_flag(vle_id, code):
    return with_enabled_flag(Course.objects.filter(vle_id=vle_id, code=code)).order_by("pk")


@pytest.mark.django_db
def test_a_lookup_is_the_orm_query_with_annotations_and_related_rows(vle, other_vle):
    first = factories.course(vle, code="C1")
    factories.course(vle, code="C1")
    factories.course(other_vle, code="C1")
    factories.activity(first, enabled=True)
    expected = list(_courses_with_flag(vle.pk, "C1").select_related("vle"))
    lookup = Lookup(
        Course,
        lambda vle_id, code: _courses_with_flag(vle_id, code).select_related("vle"),
        vle_id=-1,
        code="\x00code",
    )
    for _ in range(2):  # compiled on the first call, reused on the second
        with CaptureQueriesContext(connection) as queries:
            found = lookup.all(vle_id=vle.pk, code="C1")
            assert [course.vle.name for course in found] == [vle.name, vle.name]
        assert len(queries) == 1
        assert (
            [(c.pk, c.has_enabled_activity) for c in found]
            == [(c.pk, c.has_enabled_activity) for c in expected]
            == [(first.pk, True), (expected[1].pk, False)]
        )
    assert lookup.first(vle_id=vle.pk, code="none") is None
    with pytest.raises(TypeError):
        lookup.all(vle_id=str(vle.pk), code="C1")


@pytest.mark.django_db
def test_a_lookup_takes_times_and_instances(vle):
    from datetime import UTC, datetime, timedelta

    old = factories.course(vle)
    Course.objects.filter(pk=old.pk).update(start=datetime(2020, 1, 1, tzinfo=UTC))
    lookup = Lookup(
        Course,
        lambda vle, since: Course.objects.filter(vle=vle, start__gte=since),
        vle=VLE(pk=-1),
        since=datetime(2000, 1, 1, tzinfo=UTC),
    )
    since = datetime(2019, 1, 1, tzinfo=UTC)
    assert [c.pk for c in lookup.all(vle=vle, since=since)] == [old.pk]
    assert lookup.all(vle=vle, since=since + timedelta(days=800)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build, refusal",
    [
        # A clock read while building would be frozen into the plan.
        (lambda vle_id: Course.objects.filter(vle_id=vle_id, start__lte=timezone.now()), "nor"),
        (lambda vle_id: Course.objects.all(), "ignores"),
        (lambda vle_id: Course.objects.filter(vle_id=vle_id).values("pk"), "model rows"),
        (lambda vle_id: VLE.objects.filter(pk=vle_id), "no Course"),
    ],
)
def test_a_lookup_refuses_what_no_compiled_plan_can_hold(build, refusal):
    with pytest.raises(ValueError, match=refusal):
        Lookup(Course, build, vle_id=-1).all(vle_id=1)


def test_a_compiled_parent_is_404_outside_the_callers_tree(api, vle, other_vle, course):
    foreign = factories.course(other_vle)
    client = api("vle")
    assert client.get(f"/api/v2/vle/{vle.pk}/course/{course.pk}/").status_code == 200
    assert client.get(f"/api/v2/vle/{vle.pk}/course/{foreign.pk}/activity/").status_code == 404
    assert client.get(f"/api/v2/vle/{vle.pk}/course/99999999/activity/").status_code == 404


def test_a_compiled_parent_comes_with_its_outer_parents(api, vle, course, activity):
    client = api("vle")
    url = f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/{activity.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["course"]["id"] == course.pk
    # The VLE (with the token), the course, the activity: nothing joined or read again.
    assert len(queries) == 3


# The plugins' lookup lists (tesla.compiled_lists.CompiledFirstPage) ------------------------


def _usual(client, url):
    """The same list the usual way: an ordering parameter takes it off the compiled path (its
    links carry the parameter on)."""
    body = client.get(f"{url}&ordering=pk").json()
    if body["next"]:
        body["next"] = body["next"].replace("&ordering=pk", "")
    return body


def test_a_compiled_lookup_page_is_the_usual_page(api, vle, other_vle):
    mine = factories.course(vle, vle_course_id="shared", code="K")
    factories.course(other_vle, vle_course_id="shared", code="K")
    factories.activity(mine, enabled=True)
    client = api("vle")
    url = f"/api/v2/vle/{vle.pk}/course/?vle_course_id=shared"
    for _ in range(2):  # compiled on the first request, reused on the second
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        assert len(queries) == 2  # the VLE with the token, the page
        assert [row["id"] for row in body["results"]] == [mine.pk]
        assert body["results"][0]["enabled"] is True
        assert body == _usual(client, url)
    assert client.get(f"/api/v2/vle/{vle.pk}/course/?vle_course_id=none").json()["count"] == 0


def test_a_compiled_lookup_page_pages_and_counts_like_the_usual_one(api, vle, course):
    for _ in range(3):
        factories.activity(course, vle_activity_type="forum")
    factories.activity(course, vle_activity_type="quiz")
    client = api("vle")
    url = f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/?vle_activity_type=forum&limit=2"
    body = client.get(url).json()
    assert body["count"] == 3 and body["count_estimated"] is False
    assert body["next"] and body["previous"] is None
    assert len(body["results"]) == 2
    assert body == _usual(client, url)
    # Blank values filter nothing, the usual way.
    blank = f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/?vle_activity_type=&limit=10"
    assert client.get(blank).json()["count"] == 4


def test_a_compiled_lookup_page_keeps_the_usual_errors(api, vle):
    client = api("vle")
    response = client.get(f"/api/v2/vle/{vle.pk}/course/?vle_course_id=x&offset=100001")
    assert response.status_code == 400
    assert "offset" in response.json()
