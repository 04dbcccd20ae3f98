"""§13 SEND categories, §14 learners' SEND assignments and §9 the institution's UI options."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import SENDCategory, SENDLearner, UIOption
from tests import factories


def ids(response):
    return [item["id"] for item in response.json()["results"]]


# §13 --------------------------------------------------------------------------------------
def test_create_category(api, base, institution):
    response = api("send_admin").post(
        base("send/"),
        {
            "description": "Motor impairment",
            "data": {
                "enabled_options": ["high_contrast", "big_fonts", "big_fonts"],
                "disabled_instruments": [2, "3"],
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["data"] == {
        "enabled_options": ["high_contrast", "big_fonts"],
        "disabled_instruments": [2, 3],
    }
    assert body["institution"]["id"] == institution.pk
    assert SENDCategory.objects.get(pk=body["id"]).institution == institution


def test_category_data_defaults_to_empty(api, base):
    response = api("send_admin").post(base("send/"), {"description": "Other"}, format="json")
    assert response.status_code == 201
    assert response.json()["data"] == {"enabled_options": [], "disabled_instruments": []}


def test_category_data_as_json_text(api, base):
    response = api("send_admin").post(
        base("send/"),
        {"description": "X", "data": '{"enabled_options": ["text_to_speech"]}'},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["data"] == {
        "enabled_options": ["text_to_speech"],
        "disabled_instruments": [],
    }


@pytest.mark.parametrize(
    "data",
    [
        {"enabled_options": ["flying"]},
        {"enabled_options": "big_fonts"},
        {"enabled_options": [1]},
        {"disabled_instruments": [999]},
        {"disabled_instruments": ["fr"]},
        {"disabled_instruments": [True]},
        {"disabled_instruments": 1},
        {"disabled_instruments": ["²"]},
        {"enabled_options": ""},
        {"colour": "blue"},
        ["big_fonts"],
        "not json",
        42,
    ],
)
def test_category_bad_data(api, base, data):
    response = api("send_admin").post(
        base("send/"), {"description": "X", "data": data}, format="json"
    )
    assert response.status_code == 400
    assert "data" in response.json()
    assert not SENDCategory.objects.exists()


def test_category_update_checks_data(api, base, send_category):
    client = api("send_admin")
    response = client.patch(
        base(f"send/{send_category.pk}/"), {"data": {"disabled_instruments": [77]}}, format="json"
    )
    assert response.status_code == 400
    response = client.patch(
        base(f"send/{send_category.pk}/"), {"data": {"disabled_instruments": [5]}}, format="json"
    )
    assert response.status_code == 200
    send_category.refresh_from_db()
    assert send_category.data == {"enabled_options": [], "disabled_instruments": [5]}


def test_category_description_is_required(api, base):
    response = api("send_admin").post(base("send/"), {"data": {}}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()


def test_categories_are_scoped(api, base, send_category, foreign_send_category):
    client = api("send_admin")
    assert ids(client.get(base("send/"))) == [send_category.pk]
    assert client.get(base(f"send/{foreign_send_category.pk}/")).status_code == 404
    assert ids(client.get(base("send/?description=VISION"))) == [send_category.pk]


# §14 --------------------------------------------------------------------------------------
def assignments_url(base, learner, tail=""):
    return base(f"learner/{learner.pk}/send/{tail}")


def test_assign_category(api, base, other_learner, send_category):
    response = api("send_admin").post(
        assignments_url(base, other_learner),
        {"category": send_category.pk, "expires_at": "2031-01-01T00:00:00Z", "info": {"x": 1}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["category"] == send_category.pk
    assert body["info"]["description"] == "Low vision"
    assert body["info"]["data"]["enabled_options"] == ["big_fonts"]
    assert SENDLearner.objects.get(pk=body["id"]).learner == other_learner


def test_category_of_another_institution_is_400(api, base, other_learner, foreign_send_category):
    response = api("send_admin").post(
        assignments_url(base, other_learner), {"category": foreign_send_category.pk}, format="json"
    )
    assert response.status_code == 400
    assert "category" in response.json()
    assert not SENDLearner.objects.exists()


def test_same_category_twice_is_409(api, base, other_learner, send_category, send_assignment):
    response = api("send_admin").post(
        assignments_url(base, other_learner), {"category": send_category.pk}, format="json"
    )
    assert response.status_code == 409
    assert "category" in response.json()


def test_moving_an_assignment_onto_a_held_category_is_409(
    api, base, other_learner, send_category, send_assignment, institution
):
    second = SENDCategory.objects.create(institution=institution, description="Second")
    other = SENDLearner.objects.create(learner=other_learner, category=second)
    response = api("send_admin").patch(
        assignments_url(base, other_learner, f"{other.pk}/"),
        {"category": send_category.pk},
        format="json",
    )
    assert response.status_code == 409


def test_expired_assignments_stop_counting(api, base, other_learner, send_assignment):
    client = api("send_admin")
    client.patch(
        assignments_url(base, other_learner, f"{send_assignment.pk}/"),
        {"expires_at": (timezone.now() - timedelta(days=1)).isoformat()},
        format="json",
    )
    body = client.get(base(f"learner/{other_learner.pk}/")).json()
    assert body["send"]["is_send"] is False


def test_assignments_of_another_learner_are_404(api, base, other_learner, learner, send_assignment):
    url = assignments_url(base, learner.institution_user.learner, f"{send_assignment.pk}/")
    assert api("send_admin").get(url).status_code == 404
    assert api("send_admin").delete(url).status_code == 404
    assert SENDLearner.objects.filter(pk=send_assignment.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "category"),
        ({"category": "abc"}, "category"),
        ({"category": 10**20}, "category"),
        ({"category": None}, "category"),
        ({"category": 1, "expires_at": "someday"}, "expires_at"),
    ],
)
def test_assignment_bad_input(api, base, other_learner, body, field):
    response = api("send_admin").post(assignments_url(base, other_learner), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# §9 ---------------------------------------------------------------------------------------
def test_disable_a_route_for_the_institution(api, base, institution, send_admin):
    profile = api("send_admin").get("/api/v2/auth/profile").json()
    assert "administration-send" in profile["routes"]
    response = api("inst_admin").post(
        base("ui/"), {"route": "administration-send", "enabled": False}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_global"] is False and body["user"] is None and body["roles"] is None
    profile = api("send_admin").get("/api/v2/auth/profile").json()
    assert "administration-send" not in profile["routes"]


def test_disable_a_route_for_one_user(api, base, send_admin, other_member):
    response = api("inst_admin").post(
        base("ui/"), {"route": "course", "user": other_member.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["user"] == other_member.pk
    # one row per route and user; another user may have their own
    response = api("inst_admin").post(
        base("ui/"), {"route": "course", "user": other_member.pk}, format="json"
    )
    assert response.status_code == 409 and "route" in response.json()
    response = api("inst_admin").post(
        base("ui/"), {"route": "course", "user": send_admin.pk}, format="json"
    )
    assert response.status_code == 201


def test_unknown_route_is_400(api, base):
    response = api("inst_admin").post(base("ui/"), {"route": "no-such-route"}, format="json")
    assert response.status_code == 400
    assert response.json()["route"] == ["Invalid Route"]


def test_duplicate_institution_route_is_409(api, base, ui_option):
    response = api("inst_admin").post(base("ui/"), {"route": ui_option.route}, format="json")
    assert response.status_code == 409
    assert "route" in response.json()


def test_user_of_another_institution_is_400(api, base, other_institution):
    foreign = factories.user(other_institution).institution_user
    response = api("inst_admin").post(
        base("ui/"), {"route": "course", "user": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()


def test_ui_list_has_only_this_institutions_rows(api, base, ui_option, other_institution):
    UIOption.objects.create(institution=other_institution, route="course")
    response = api("inst_admin").get(base("ui/"))
    assert ids(response) == [ui_option.pk]
    assert all(not row["is_global"] for row in response.json()["results"])


def test_roles_are_read_only(api, base, ui_option):
    response = api("inst_admin").patch(
        base(f"ui/{ui_option.pk}/"), {"roles": "GLOBAL_ADMIN"}, format="json"
    )
    assert response.status_code == 200
    ui_option.refresh_from_db()
    assert ui_option.roles is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"route": "x" * 251}, "route"),
        ({}, "route"),
        ({"route": "course", "enabled": "perhaps"}, "enabled"),
        ({"route": "course", "user": "abc"}, "user"),
    ],
)
def test_ui_bad_input(api, base, body, field):
    response = api("inst_admin").post(base("ui/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
