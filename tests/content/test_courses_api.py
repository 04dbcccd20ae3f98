"""Courses, versions, titles, tags and configuration as the VLE sees them."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.content import packages
from tests.content.conftest import COURSES
from vle.content.models import Course, CourseSetting, CourseVersion


@pytest.fixture
def golf(app, upload):
    upload(app, "golf", packages.scorm12_package(title="Golf"))
    return Course.objects.get(course_id="golf")


def make_courses(vle, count: int) -> list[Course]:
    courses = []
    base = timezone.now() - timedelta(days=1)
    for n in range(count):
        course = Course.objects.create(vle=vle, course_id=f"c{n:02d}", title=f"Title {n:02d}")
        Course.objects.filter(pk=course.pk).update(
            created_at=base + timedelta(minutes=n), updated_at=base + timedelta(minutes=n)
        )
        CourseVersion.objects.create(
            course=course,
            version=0,
            title=course.title,
            storage_folder=f"content/t{course.pk}",
            root_activity={"externalIdentifier": "org", "activityType": "AGGREGATION"},
        )
        courses.append(course)
    return courses


@pytest.mark.django_db
def test_the_list_pages_with_more_until_the_last_page_has_none(app, settings):
    settings.COURSE_LIST_PAGE_SIZE = 2
    make_courses(app.vle, 5)

    seen = []
    response = app.get(f"{COURSES}?includeTotalCount=True")
    assert response["X-Total-Count"] == "5"
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [course["id"] for course in body["courses"]]
        if "more" not in body:
            break
        response = app.get(COURSES, {"more": body["more"]})
    assert seen == ["c04", "c03", "c02", "c01", "c00"]  # created_desc by default


@pytest.mark.django_db
def test_a_list_costs_the_same_queries_whatever_its_size(
    app, settings, django_assert_max_num_queries
):
    settings.COURSE_LIST_PAGE_SIZE = 100
    make_courses(app.vle, 3)
    with django_assert_max_num_queries(9) as small:
        app.get(COURSES)
    Course.objects.all().delete()
    make_courses(app.vle, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = app.get(COURSES)
    assert len(response.json()["courses"]) == 40


@pytest.mark.django_db
def test_list_filters_order_and_dates(app):
    courses = make_courses(app.vle, 4)
    courses[1].tags.create(name="red")
    courses[2].tags.create(name="blue")
    since = Course.objects.get(pk=courses[1].pk).updated_at

    def ids(**query):
        response = app.get(COURSES, query)
        assert response.status_code == 200, response.content
        return [course["id"] for course in response.json()["courses"]]

    assert ids(tags="red,blue", orderBy="course_id_asc") == ["c01", "c02"]
    assert ids(filter="03") == ["c03"]
    assert ids(filter="title 00", filterBy="course_title") == ["c00"]
    assert ids(orderBy="title_asc") == ["c00", "c01", "c02", "c03"]
    naive = since.replace(tzinfo=None).isoformat()  # the client sends naive datetimes as UTC
    assert ids(since=naive, orderBy="created_asc") == ["c01", "c02", "c03"]
    assert ids(until=naive, datetimeFilter="created", orderBy="created_asc") == ["c00", "c01"]
    assert ids(more="None", orderBy="course_id_desc") == ["c03", "c02", "c01", "c00"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"orderBy": "sideways"}, "orderBy"),
        ({"since": "yesterday"}, "since"),
        ({"datetimeFilter": "deleted"}, "datetimeFilter"),
        ({"more": "forged"}, "more"),
        ({"includeTotalCount": "maybe"}, "includeTotalCount"),
    ],
)
@pytest.mark.django_db
def test_bad_list_queries_are_400_naming_the_field(app, query, field):
    response = app.get(COURSES, query)

    assert response.status_code == 400
    assert response.json()["message"].startswith(field)


@pytest.mark.django_db
def test_get_a_course_with_its_metadata(app, golf):
    response = app.get(
        f"{COURSES}/golf", {"includeCourseMetadata": "True", "includeRegistrationCount": "True"}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["id"] == "golf"
    assert body["title"] == "Golf"
    assert body["registrationCount"] == 0
    assert body["metadata"]["keywords"] == []
    assert body["rootActivity"]["children"][0]["activityType"] == "SCO"
    assert app.get(f"{COURSES}/nope").json() == {"message": "Course 'nope' was not found."}


@pytest.mark.django_db
def test_title_is_set(app, golf):
    response = app.put(f"{COURSES}/golf/title", {"title": "Golf for beginners"}, format="json")

    assert response.status_code == 204
    assert app.get(f"{COURSES}/golf").json()["title"] == "Golf for beginners"
    assert app.put(f"{COURSES}/golf/title", {}, format="json").status_code == 400


@pytest.mark.django_db
def test_versions_from_zero_and_deleting_the_last_deletes_the_course(
    app, upload, golf, django_capture_on_commit_callbacks
):
    upload(app, "golf", packages.scorm12_package(title="Golf 2"), mayCreateNewVersion=True)

    versions = app.get(f"{COURSES}/golf/versions").json()["courses"]
    assert [(v["version"], v["title"]) for v in versions] == [(0, "Golf"), (1, "Golf 2")]
    assert app.get(f"{COURSES}/golf/versions/1").json()["version"] == 1
    assert app.get(f"{COURSES}/golf/versions/7").status_code == 404
    assert app.get(f"{COURSES}/golf/versions/x").status_code == 400
    folder = golf.versions.get(version=0).storage_folder

    assert default_storage.exists(f"{folder}/index.html")
    with django_capture_on_commit_callbacks(execute=True):
        assert app.delete(f"{COURSES}/golf/versions/0").status_code == 204
    assert not default_storage.exists(f"{folder}/index.html")
    assert app.get(f"{COURSES}/golf").json()["version"] == 1
    assert app.delete(f"{COURSES}/golf/versions/1").status_code == 204
    assert not Course.objects.filter(course_id="golf").exists()
    assert app.get(f"{COURSES}/golf").status_code == 404


@pytest.mark.django_db
def test_deleting_a_course_removes_its_files(app, golf, django_capture_on_commit_callbacks):
    folder = golf.versions.get().storage_folder

    with django_capture_on_commit_callbacks(execute=True):
        assert app.delete(f"{COURSES}/golf").status_code == 204
    assert not default_storage.exists(f"{folder}/index.html")
    assert app.delete(f"{COURSES}/golf").status_code == 404


@pytest.mark.django_db
def test_tags_put_get_delete_and_batch(app, golf):
    other = make_courses(app.vle, 1)[0]

    assert app.put(f"{COURSES}/golf/tags", {"tags": ["a", "b"]}, format="json").status_code == 204
    assert app.put(f"{COURSES}/golf/tags", {"tags": ["b", "c"]}, format="json").status_code == 204
    assert sorted(app.get(f"{COURSES}/golf/tags").json()["tags"]) == ["b", "c"]
    response = app.delete(f"{COURSES}/golf/tags", {"tags": ["c", "zzz"]}, format="json")
    assert response.status_code == 204
    assert app.get(f"{COURSES}/golf/tags").json()["tags"] == ["b"]

    batch = {"ids": ["golf", other.course_id], "tags": ["x"]}
    assert app.put(f"{COURSES}/tags", batch, format="json").status_code == 204
    assert sorted(app.get(f"{COURSES}/golf/tags").json()["tags"]) == ["b", "x"]
    assert app.get(f"{COURSES}/{other.course_id}/tags").json()["tags"] == ["x"]
    missing = {"ids": ["golf", "ghost"], "tags": ["y"]}
    assert app.put(f"{COURSES}/tags", missing, format="json").status_code == 404
    assert "y" not in app.get(f"{COURSES}/golf/tags").json()["tags"]


@pytest.mark.django_db
def test_configuration_cascades_and_falls_back_to_defaults(app, golf):
    url = f"{COURSES}/golf/configuration"

    def items(path, **query):
        response = app.get(path, query)
        assert response.status_code == 200
        return {item["id"]: item for item in response.json()["settingItems"]}

    default = items(url, includeMetadata="True")["PlayerShowNavBar"]
    assert default["effectiveValue"] == "true"
    assert default["effectiveValueSource"] == "default"
    assert "explicitValue" not in default
    assert default["metadata"]["dataType"] == "bool"

    body = {"settings": [{"settingId": "PlayerShowNavBar", "value": "false", "explicit": False}]}
    assert app.post(url, body, format="json").status_code == 204
    course_level = items(url)["PlayerShowNavBar"]
    assert course_level == {
        "id": "PlayerShowNavBar",
        "effectiveValue": "false",
        "effectiveValueSource": "course",
        "explicitValue": "false",
    }
    version_url = f"{COURSES}/golf/versions/0/configuration"
    assert items(version_url)["PlayerShowNavBar"]["effectiveValue"] == "false"
    body = {"settings": [{"settingId": "PlayerCourseStructureWidth", "value": "420"}]}
    assert app.post(version_url, body, format="json").status_code == 204
    assert items(version_url)["PlayerCourseStructureWidth"]["explicitValue"] == "420"
    assert "explicitValue" not in items(url)["PlayerCourseStructureWidth"]

    assert app.delete(f"{url}/PlayerShowNavBar").status_code == 204
    assert items(url)["PlayerShowNavBar"]["effectiveValueSource"] == "default"
    assert app.delete(f"{version_url}/PlayerCourseStructureWidth").status_code == 204
    assert not CourseSetting.objects.exists()


@pytest.mark.parametrize(
    "item, fragment",
    [
        ({"settingId": "Nope", "value": "1"}, "Unknown setting"),
        ({"settingId": "PlayerShowNavBar", "value": "yes"}, "'true' or 'false'"),
        ({"settingId": "PlayerCourseStructureWidth", "value": "9999999"}, "from 50 to 2000"),
        ({"settingId": "PlayerLaunchType", "value": "POPUP"}, "FRAMESET"),
    ],
)
@pytest.mark.django_db
def test_bad_configuration_values_are_400(app, golf, item, fragment):
    response = app.post(f"{COURSES}/golf/configuration", {"settings": [item]}, format="json")

    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert not CourseSetting.objects.exists()
