"""Global-admin API (anchor-core §2.5): institutions, users with their membership, and the
global dashboard routes."""

import pytest

from institution.models import Institution, InstitutionUser, Learner, UIOption, User
from tests import factories

STRONG = "Corr3ct-Horse-Battery"


def ids(response):
    return [item["id"] for item in response.json()["results"]]


# institutions -----------------------------------------------------------------------------
def test_create_institution(api, client):
    ga = api("global_admin")
    response = ga.post("/api/v2/admin/institution/", {"acronym": "UOC", "name": "UOC"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["allowed_domains"] == "" and body["external_ic"] is False
    assert Institution.objects.get(pk=body["id"]).acronym == "UOC"
    response = ga.post("/api/v2/admin/institution/", {"acronym": "UOC", "name": "Again"})
    assert response.status_code == 400
    assert "acronym" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No acronym"}, "acronym"),
        ({"acronym": "X"}, "name"),
        ({"acronym": "x" * 256, "name": "N"}, "acronym"),
        ({"acronym": "X", "name": "N", "external_ic": "sure"}, "external_ic"),
    ],
)
def test_institution_bad_input(api, body, field):
    response = api("global_admin").post("/api/v2/admin/institution/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_rename_institution(api, institution):
    response = api("global_admin").patch(
        f"/api/v2/admin/institution/{institution.pk}/", {"acronym": "NEW"}, format="json"
    )
    assert response.status_code == 200
    institution.refresh_from_db()
    assert institution.acronym == "NEW"


# users ------------------------------------------------------------------------------------
def test_create_global_admin(api, client):
    response = api("global_admin").post(
        "/api/v2/admin/user/",
        {
            "username": "root2",
            "email": "root2@example.org",
            "is_staff": True,
            "password": STRONG,
            "password2": STRONG,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["institution"] is None and body["roles"] == ["GLOBAL_ADMIN"]
    assert "password" not in body
    login = client.post("/api/v2/auth/login", {"email": "root2@example.org", "password": STRONG})
    assert login.status_code == 200


def test_create_user_in_an_institution(api, institution):
    response = api("global_admin").post(
        "/api/v2/admin/user/",
        {
            "username": "ia",
            "email": "ia@example.org",
            "institution_id": institution.pk,
            "uid": "ia-1",
            "inst_admin": True,
            "password": STRONG,
            "password2": STRONG,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["institution"] == {
        "id": institution.pk,
        "acronym": institution.acronym,
        "uid": "ia-1",
        "roles": ["ADMIN"],
        "locale": None,
    }
    member = InstitutionUser.objects.get(pk=body["id"])
    assert member.inst_admin and member.login_allowed
    assert member.user.check_password(STRONG)


def test_attaching_needs_a_uid(api, institution):
    response = api("global_admin").post(
        "/api/v2/admin/user/",
        {"username": "nouid", "institution_id": institution.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "uid" in response.json()
    assert not User.objects.filter(username="nouid").exists()


def test_attach_move_and_detach(api, institution, other_institution):
    account = factories.user(None)
    ga = api("global_admin")
    url = f"/api/v2/admin/user/{account.pk}/"
    response = ga.patch(url, {"institution_id": institution.pk}, format="json")
    assert response.status_code == 400 and "uid" in response.json()
    response = ga.patch(url, {"institution_id": institution.pk, "uid": "x1"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["institution"]["id"] == institution.pk
    response = ga.patch(url, {"institution_id": other_institution.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["institution"]["id"] == other_institution.pk
    response = ga.patch(url, {"institution_id": -1}, format="json")
    assert response.status_code == 200
    assert response.json()["institution"] is None
    assert User.objects.filter(pk=account.pk).exists()
    assert not InstitutionUser.objects.filter(pk=account.pk).exists()


def test_a_learner_cannot_move(api, other_institution, learner):
    response = api("global_admin").patch(
        f"/api/v2/admin/user/{learner.pk}/", {"institution_id": other_institution.pk}, format="json"
    )
    assert response.status_code == 400
    assert "institution_id" in response.json()
    assert Learner.objects.get(pk=learner.pk).institution_user.institution_id != (
        other_institution.pk
    )


def test_unknown_institution_is_400(api):
    response = api("global_admin").post(
        "/api/v2/admin/user/", {"username": "u", "institution_id": 10**12, "uid": "u"}
    )
    assert response.status_code == 400
    assert "institution_id" in response.json()


def test_moving_onto_a_taken_uid_is_409(api, institution, other_institution, member):
    taken = factories.user(other_institution).institution_user.uid
    response = api("global_admin").patch(
        f"/api/v2/admin/user/{member.pk}/",
        {"institution_id": other_institution.pk, "uid": taken},
        format="json",
    )
    assert response.status_code == 409
    assert "uid" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "a", "password": STRONG, "password2": "x"}, "password2"),
        ({"username": "a", "password": "123"}, "password"),
        ({"username": "bad name"}, "username"),
        ({"username": "a", "email": "bad"}, "email"),
        ({"username": "a", "institution_id": "one"}, "institution_id"),
        ({"username": "a", "is_staff": "maybe"}, "is_staff"),
        ({}, "username"),
    ],
)
def test_user_bad_input(api, body, field):
    response = api("global_admin").post("/api/v2/admin/user/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_username_and_email_are_unique(api, member):
    ga = api("global_admin")
    response = ga.post("/api/v2/admin/user/", {"username": member.username}, format="json")
    assert response.status_code == 409 and "username" in response.json()
    response = ga.post(
        "/api/v2/admin/user/", {"username": "fresh", "email": member.email.upper()}, format="json"
    )
    assert response.status_code == 409 and "email" in response.json()


def test_admin_user_filters(api, institution, member, inst_admin, global_admin):
    ga = api("global_admin")
    response = ga.get(f"/api/v2/admin/user/?institution={institution.pk}&limit=100")
    assert {member.pk, inst_admin.pk} <= set(ids(response))
    assert global_admin.pk not in ids(response)
    assert global_admin.pk in ids(ga.get("/api/v2/admin/user/?institution=-1&limit=100"))
    assert ids(ga.get("/api/v2/admin/user/?roles=GLOBAL_ADMIN")) == [global_admin.pk]
    assert ids(ga.get("/api/v2/admin/user/?roles=ADMIN")) == [inst_admin.pk]
    assert ga.get("/api/v2/admin/user/?roles=EMPEROR").status_code == 400
    assert ids(ga.get(f"/api/v2/admin/user/?username={member.username}")) == [member.pk]


def test_global_admin_cannot_delete_themselves(api, global_admin):
    response = api("global_admin").delete(f"/api/v2/admin/user/{global_admin.pk}/")
    assert response.status_code == 403


# ui ---------------------------------------------------------------------------------------
def test_create_route_with_roles(api):
    response = api("global_admin").post(
        "/api/v2/admin/ui/",
        {"route": "statistics", "enabled": True, "roles": ["admin", " data", "ADMIN"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["roles"] == "ADMIN,DATA"
    option = UIOption.objects.get(route="statistics")
    assert option.is_global


def test_taken_route_is_409(api):
    response = api("global_admin").post("/api/v2/admin/ui/", {"route": "dashboard"}, format="json")
    assert response.status_code == 409
    assert "route" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"route": "new", "roles": "KING"}, "roles"),
        ({"route": "new", "roles": 5}, "roles"),
        ({"route": "x" * 251}, "route"),
    ],
)
def test_route_bad_input(api, body, field):
    response = api("global_admin").post("/api/v2/admin/ui/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_empty_roles_mean_everyone(api, global_route):
    response = api("global_admin").patch(
        f"/api/v2/admin/ui/{global_route.pk}/", {"roles": ""}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["roles"] is None


def test_renaming_and_deleting_a_route_carries_the_switches(api, institution):
    route = UIOption.objects.get(route="administration", institution=None)
    switch = UIOption.objects.create(institution=institution, route="administration")
    ga = api("global_admin")
    response = ga.patch(f"/api/v2/admin/ui/{route.pk}/", {"route": "admin-area"}, format="json")
    assert response.status_code == 200
    switch.refresh_from_db()
    assert switch.route == "admin-area"
    assert ga.delete(f"/api/v2/admin/ui/{route.pk}/").status_code == 204
    assert not UIOption.objects.filter(pk=switch.pk).exists()


def test_admin_ui_lists_only_global_routes(api, ui_option):
    response = api("global_admin").get("/api/v2/admin/ui/?limit=1000")
    assert ui_option.pk not in ids(response)
    assert response.json()["count"] == UIOption.objects.filter(institution=None).count()


def test_staff_member_keeps_a_password_without_login_allowed(api, institution):
    response = api("global_admin").post(
        "/api/v2/admin/user/",
        {
            "username": "staffer",
            "is_staff": True,
            "institution_id": institution.pk,
            "uid": "s1",
            "login_allowed": False,
            "password": STRONG,
            "password2": STRONG,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    user = User.objects.get(username="staffer")
    assert user.check_password(STRONG)
    response = api("global_admin").patch(
        f"/api/v2/admin/user/{user.pk}/", {"password": STRONG + "2"}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(STRONG + "2")
