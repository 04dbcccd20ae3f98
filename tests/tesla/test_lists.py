"""Pagination, ordering and slash tolerance, seen through a real list endpoint."""

import pytest

from institution.models import Institution
from tests import factories

LIST = "/api/v2/admin/institution/"


@pytest.fixture
def many_institutions(db):
    return [factories.institution() for _ in range(25)]


@pytest.mark.django_db
def test_default_page_has_ten_items_and_absolute_links(api, many_institutions):
    body = api("global_admin").get(LIST).json()

    assert body["count"] == 25
    assert len(body["results"]) == 10
    assert body["previous"] is None
    assert body["next"].startswith("http://testserver/api/v2/admin/institution/")


@pytest.mark.parametrize("limit", ["0", "-3", "abc", "", "1.5"])
@pytest.mark.django_db
def test_unusable_limits_fall_back_to_the_default(api, many_institutions, limit):
    response = api("global_admin").get(LIST, {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 10


@pytest.mark.django_db
def test_huge_limit_is_capped(api, many_institutions, settings):
    response = api("global_admin").get(LIST, {"limit": "10000000000000000000000"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


@pytest.mark.parametrize("offset", ["-1", "abc"])
@pytest.mark.django_db
def test_unusable_offsets_do_not_fail(api, many_institutions, offset):
    assert api("global_admin").get(LIST, {"offset": offset}).status_code == 200


@pytest.mark.parametrize("offset", ["100001", "99999999999999999999999"])
@pytest.mark.django_db
def test_offsets_beyond_the_cap_are_a_400_naming_offset(api, many_institutions, offset):
    response = api("global_admin").get(LIST, {"offset": offset})

    assert response.status_code == 400
    assert response.json() == {"offset": ["Ensure this value is at most 100000."]}


@pytest.mark.django_db
def test_the_cap_itself_is_a_valid_offset(api, many_institutions):
    body = api("global_admin").get(LIST, {"offset": 100000}).json()

    assert body["results"] == []
    assert body["count"] == 25
    assert body["next"] is None
    assert body["previous"].startswith("http://testserver/")


@pytest.mark.parametrize(
    ("offset", "limit", "has_next", "has_previous"),
    [(0, 10, True, False), (10, 10, True, True), (15, 10, False, True), (20, 5, False, True)],
)
@pytest.mark.django_db
def test_next_and_previous_are_exact_at_every_edge(
    api, many_institutions, offset, limit, has_next, has_previous
):
    body = api("global_admin").get(LIST, {"offset": offset, "limit": limit}).json()

    assert len(body["results"]) == min(limit, 25 - offset)
    assert (body["next"] is not None) is has_next
    assert (body["previous"] is not None) is has_previous
    assert body["count"] == 25
    assert body["count_estimated"] is False


@pytest.mark.django_db
def test_deep_pages_hold_the_same_rows_as_a_plain_slice(api, many_institutions):
    client = api("global_admin")
    everything = [row["id"] for row in client.get(LIST, {"limit": 100}).json()["results"]]

    walked = []
    for offset in range(0, 25, 4):
        walked += [
            row["id"] for row in client.get(LIST, {"limit": 4, "offset": offset}).json()["results"]
        ]

    assert walked == everything


@pytest.mark.django_db
def test_the_schema_advertises_the_caps_and_the_estimate_flag(api):
    schema = api("global_admin").get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v2/admin/institution/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page_schema = schema["components"]["schemas"][page.rsplit("/", 1)[1]]

    assert parameters["offset"]["schema"]["maximum"] == 100000
    assert parameters["limit"]["schema"]["maximum"] == 1000
    assert page_schema["properties"]["count_estimated"]["type"] == "boolean"


@pytest.mark.django_db
def test_pages_never_overlap_even_when_ordering_by_a_shared_value(api, many_institutions):
    Institution.objects.update(name="Same name")
    client = api("global_admin")

    seen = []
    for offset in range(0, 25, 7):
        page = client.get(LIST, {"limit": 7, "offset": offset, "ordering": "name"}).json()
        seen += [item["id"] for item in page["results"]]

    assert sorted(seen) == sorted(i.pk for i in many_institutions)
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_unknown_ordering_and_query_parameters_are_ignored(api, many_institutions):
    response = api("global_admin").get(LIST, {"ordering": "nope", "unknown": "x"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_post_without_trailing_slash_keeps_the_body(api):
    response = api("global_admin").post(LIST.rstrip("/"), {"acronym": "NOSLASH", "name": "N"})

    assert response.status_code == 201
    assert Institution.objects.filter(acronym="NOSLASH").exists()


@pytest.mark.django_db
def test_get_without_trailing_slash_is_not_redirected(api, many_institutions):
    response = api("global_admin").get(LIST.rstrip("/"))

    assert response.status_code == 200
    assert response.json()["count"] == 25


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_page(
    api, many_institutions, django_assert_max_num_queries
):
    client = api("global_admin")
    with django_assert_max_num_queries(6) as small:
        client.get(LIST, {"limit": 2})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST, {"limit": 25})


@pytest.mark.django_db
def test_browsable_api_root_lists_resources(api):
    response = api("global_admin").get("/api/v2/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert "institution" in response.json()


@pytest.mark.django_db
def test_browsable_api_renders_html(api):
    response = api("global_admin").get(LIST, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
