"""§3 Institution courses and §5 group courses."""

import pytest

from institution.models import CourseGroup
from tests import factories
from vle.models import Course


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# §3 ------------------------------------------------------------------------------------------


def test_course_payload_has_nested_vle_with_institution_and_user_roles(
    api, urls, course, vle, institution, instructor
):
    body = api("instructor").get(urls.course(course.pk)).json()
    assert body["id"] == course.pk
    assert body["vle_course_id"] == course.vle_course_id
    assert body["code"] == course.code
    assert body["vle"]["id"] == vle.pk
    assert body["vle"]["type"] == 0
    assert body["vle"]["institution"]["id"] == institution.pk
    assert body["vle"]["institution"]["acronym"] == institution.acronym
    assert body["user_roles"] == ["INSTRUCTOR"]


def test_user_roles_list_both_roles(api, urls, course, institution):
    both = factories.user(institution, learner=True, instructor=True)
    course.learners.add(both.institution_user.learner)
    course.instructors.add(both.institution_user.instructor)
    client = factories.client_for(both)
    assert client.get(urls.course(course.pk)).json()["user_roles"] == ["LEARNER", "INSTRUCTOR"]


def test_user_roles_are_empty_for_admins_outside_the_course(api, urls, course):
    assert api("inst_admin").get(urls.course(course.pk)).json()["user_roles"] == []
    assert api("global_admin").get(urls.course(course.pk)).json()["user_roles"] == []


def test_members_see_only_their_courses(api, urls, vle, course, learner):
    other = factories.course(vle)
    assert [c["id"] for c in results(api("learner").get(urls.course()))] == [course.pk]
    assert results(api("member").get(urls.course())) == []
    assert api("learner").get(urls.course(other.pk)).status_code == 404
    admin_ids = {c["id"] for c in results(api("data_admin").get(urls.course()))}
    assert admin_ids == {course.pk, other.pk}


def test_courses_of_every_vle_of_the_institution_but_no_other(
    api, urls, course, other_vle, foreign_vle
):
    mine = factories.course(other_vle)
    foreign = factories.course(foreign_vle)
    ids = {c["id"] for c in results(api("inst_admin").get(urls.course()))}
    assert ids == {course.pk, mine.pk}
    assert api("inst_admin").get(urls.course(foreign.pk)).status_code == 404
    assert api("inst_admin").delete(urls.course(foreign.pk)).status_code == 404
    assert Course.objects.filter(pk=foreign.pk).exists()


def test_delete_course(api, urls, course, activity):
    assert api("data_admin").delete(urls.course(course.pk)).status_code == 204
    assert not Course.objects.filter(pk=course.pk).exists()


def test_courses_cannot_be_created_or_changed(api, urls, course):
    client = api("inst_admin")
    assert client.post(urls.course(), {"code": "x"}).status_code == 405
    assert client.patch(urls.course(course.pk), {"code": "x"}).status_code == 405


def test_course_filters_and_search(api, urls, vle):
    wanted = factories.course(vle, code="MATH101", vle_course_id="m-1")
    factories.course(vle, code="HIST", vle_course_id="h-1")
    client = api("inst_admin")
    assert [c["id"] for c in results(client.get(urls.course(), {"vle_course_id": "m-1"}))] == [
        wanted.pk
    ]
    assert [c["id"] for c in results(client.get(urls.course(), {"search": "math"}))] == [wanted.pk]
    ordered = [c["code"] for c in results(client.get(urls.course(), {"ordering": "-code"}))]
    assert ordered == sorted(ordered, reverse=True)


def test_course_list_query_count_is_fixed(api, urls, vle, learner, django_assert_max_num_queries):
    def enrol(n):
        for _ in range(n):
            factories.course(vle).learners.add(learner.institution_user.learner)

    for persona in ("inst_admin", "learner"):
        client = api(persona)
        enrol(2)
        with django_assert_max_num_queries(12) as small:
            assert len(results(client.get(urls.course(), {"limit": 100}))) >= 2
        enrol(10)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert len(results(client.get(urls.course(), {"limit": 100}))) >= 12


# §5 ------------------------------------------------------------------------------------------


def test_group_course_payload(api, urls, group, course):
    body = api("member").get(urls.group_course(group.pk, course.pk)).json()
    assert body["id"] == course.pk
    assert body["vle_id"] == course.vle_id
    assert body["code"] == course.code


def test_add_existing_course_to_group(api, urls, group, vle):
    extra = factories.course(vle)
    response = api("inst_admin").post(urls.group_course(group.pk), {"id": extra.pk})
    assert response.status_code == 201
    assert response.json()["id"] == extra.pk
    assert group.courses.filter(pk=extra.pk).exists()
    # Adding it again changes nothing.
    assert api("inst_admin").post(urls.group_course(group.pk), {"id": extra.pk}).status_code == 201
    assert group.courses.filter(pk=extra.pk).count() == 1


@pytest.mark.parametrize("value", [999999, "abc", None, [1], 0, -3])
def test_group_course_bad_ids_are_400(api, urls, group, value):
    response = api("inst_admin").post(urls.group_course(group.pk), {"id": value}, format="json")
    assert response.status_code == 400
    assert "id" in response.json()


def test_group_course_missing_id_is_400(api, urls, group):
    response = api("inst_admin").post(urls.group_course(group.pk), {})
    assert response.status_code == 400
    assert "id" in response.json()


def test_course_of_another_institution_cannot_join(api, urls, group, foreign_vle):
    foreign = factories.course(foreign_vle)
    response = api("inst_admin").post(urls.group_course(group.pk), {"id": foreign.pk})
    assert response.status_code == 400
    assert "id" in response.json()
    assert not group.courses.filter(pk=foreign.pk).exists()


def test_delete_unlinks_but_keeps_the_course(api, urls, group, course):
    assert api("inst_admin").delete(urls.group_course(group.pk, course.pk)).status_code == 204
    assert not group.courses.exists()
    assert Course.objects.filter(pk=course.pk).exists()


def test_put_relinks(api, urls, group, course, vle):
    extra = factories.course(vle)
    response = api("inst_admin").put(urls.group_course(group.pk, course.pk), {"id": extra.pk})
    assert response.status_code == 200
    assert response.json()["id"] == extra.pk
    assert list(group.courses.values_list("pk", flat=True)) == [extra.pk]


def test_patch_without_id_changes_nothing(api, urls, group, course):
    response = api("inst_admin").patch(urls.group_course(group.pk, course.pk), {})
    assert response.status_code == 200
    assert list(group.courses.values_list("pk", flat=True)) == [course.pk]


def test_course_not_in_the_group_is_404(api, urls, group, vle):
    outside = factories.course(vle)
    assert api("inst_admin").get(urls.group_course(group.pk, outside.pk)).status_code == 404
    assert api("inst_admin").delete(urls.group_course(group.pk, outside.pk)).status_code == 404


def test_group_of_another_institution_is_404(api, urls, other_institution, course):
    foreign_group = CourseGroup.objects.create(institution=other_institution, name="x")
    client = api("inst_admin")
    assert client.get(urls.group_course(foreign_group.pk)).status_code == 404
    assert client.post(urls.group_course(foreign_group.pk), {"id": course.pk}).status_code == 404
    assert not foreign_group.courses.exists()


def test_group_course_list_query_count_is_fixed(
    api, urls, group, vle, django_assert_max_num_queries
):
    client = api("member")
    group.courses.add(factories.course(vle))
    with django_assert_max_num_queries(10) as small:
        assert len(results(client.get(urls.group_course(group.pk)))) == 2
    group.courses.add(*[factories.course(vle) for _ in range(10)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(urls.group_course(group.pk), {"limit": 50}))) == 12
