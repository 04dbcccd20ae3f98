"""§10 institution users: passwords and login, uniqueness, mail domains, what each role sees,
who may grant admin flags, self-deletion and the profile action."""

import pytest

from institution.models import InstitutionUser, User
from tests import factories

STRONG = "Corr3ct-Horse-Battery"


def user_body(**values):
    return {"username": "ann", "uid": "u-ann", "email": "ann@example.org", **values}


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def test_create_user_who_can_log_in(api, base, client):
    response = api("inst_admin").post(
        base("user/"),
        user_body(password=STRONG, password2=STRONG, login_allowed=True, legal_admin=True),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body and "password2" not in body
    assert body["legal_admin"] is True and body["login_allowed"] is True
    member = InstitutionUser.objects.get(pk=body["id"])
    assert member.user.check_password(STRONG)
    login = client.post(
        "/api/v2/auth/login", {"email": "ann@example.org", "password": STRONG}, format="json"
    )
    assert login.status_code == 200


def test_user_without_login_gets_an_unusable_password(api, base):
    response = api("inst_admin").post(
        base("user/"), user_body(password=STRONG, password2=STRONG), format="json"
    )
    assert response.status_code == 201
    user = User.objects.get(username="ann")
    assert not user.has_usable_password()
    assert response.json()["login_allowed"] is False


def test_switching_login_off_makes_the_password_unusable(api, base, other_member):
    other_member.login_allowed = True
    other_member.save()
    assert other_member.user.has_usable_password()
    response = api("inst_admin").patch(
        base(f"user/{other_member.pk}/"), {"login_allowed": False}, format="json"
    )
    assert response.status_code == 200
    other_member.user.refresh_from_db()
    assert not other_member.user.has_usable_password()


def test_other_changes_keep_the_password(api, base, other_member):
    other_member.login_allowed = True
    other_member.save()
    api("inst_admin").patch(base(f"user/{other_member.pk}/"), {"first_name": "Z"}, format="json")
    other_member.user.refresh_from_db()
    assert other_member.user.check_password("pass-Word-1234")


def test_passwords_must_match(api, base):
    response = api("inst_admin").post(
        base("user/"),
        user_body(password=STRONG, password2=STRONG + "x", login_allowed=True),
        format="json",
    )
    assert response.status_code == 400
    assert "password2" in response.json()
    assert not User.objects.filter(username="ann").exists()


@pytest.mark.parametrize("weak", ["123456789012", "password", "abc"])
def test_weak_passwords_are_refused(api, base, weak):
    response = api("inst_admin").post(
        base("user/"), user_body(password=weak, password2=weak, login_allowed=True), format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_admin_sets_a_new_password(api, base, other_member):
    other_member.login_allowed = True
    other_member.save()
    response = api("inst_admin").patch(
        base(f"user/{other_member.pk}/"), {"password": STRONG, "password2": STRONG}, format="json"
    )
    assert response.status_code == 200
    other_member.user.refresh_from_db()
    assert other_member.user.check_password(STRONG)


@pytest.mark.parametrize(
    ("clash", "field"),
    [
        ({"username": "taken"}, "username"),
        ({"email": "TAKEN@example.org"}, "email"),
        ({"uid": "taken-uid"}, "uid"),
    ],
)
def test_uniqueness(api, base, institution, clash, field):
    existing = factories.user(institution)
    existing.username, existing.email = "taken", "taken@example.org"
    existing.save()
    existing.institution_user.uid = "taken-uid"
    existing.institution_user.save()
    response = api("inst_admin").post(base("user/"), user_body(**clash), format="json")
    assert response.status_code == 409
    assert field in response.json()


def test_uid_may_repeat_across_institutions(api, base, other_institution):
    foreign = factories.user(other_institution)
    response = api("inst_admin").post(
        base("user/"), user_body(uid=foreign.institution_user.uid), format="json"
    )
    assert response.status_code == 201


def test_mail_domain_is_enforced(api, base, institution):
    institution.mail_domain = "uni.edu, @campus.org"
    institution.save()
    client = api("inst_admin")
    response = client.post(base("user/"), user_body(email="ann@gmail.com"), format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    for n, email in enumerate(["a@uni.edu", "b@mail.uni.edu", "c@CAMPUS.org"]):
        response = client.post(
            base("user/"), user_body(username=f"u{n}", uid=f"u{n}", email=email), format="json"
        )
        assert response.status_code == 201, (email, response.json())
    response = client.post(
        base("user/"), user_body(username="e", uid="e", email="e@notuni.edu"), format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (user_body(username="x" * 151), "username"),
        (user_body(username="bad name!"), "username"),
        (user_body(email="not-an-email"), "email"),
        (user_body(uid="u" * 256), "uid"),
        (user_body(locale="x" * 11), "locale"),
        (user_body(inst_admin="yes please"), "inst_admin"),
        (user_body(first_name="f" * 151), "first_name"),
        ({"uid": "x"}, "username"),
        ({"username": "x"}, "uid"),
    ],
)
def test_user_bad_input(api, base, body, field):
    response = api("inst_admin").post(base("user/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_members_without_admin_role_see_only_themselves(api, base, member, other_member):
    response = api("member").get(base("user/"))
    assert ids(response) == [member.pk]
    response = api("legal_admin").get(base("user/?limit=100"))
    assert {member.pk, other_member.pk} <= set(ids(response))


def test_users_of_other_institutions_are_invisible(api, base, other_institution):
    foreign = factories.user(other_institution)
    response = api("inst_admin").get(base("user/?limit=100"))
    assert foreign.pk not in ids(response)
    assert api("inst_admin").get(base(f"user/{foreign.pk}/")).status_code == 404


def test_role_filter(api, base, inst_admin, send_admin, learner, instructor, other_member):
    client = api("inst_admin")
    assert set(ids(client.get(base("user/?roles=SEND")))) == {send_admin.pk}
    response = client.get(base("user/?roles=LEARNER&roles=INSTRUCTOR"))
    assert set(ids(response)) == {learner.pk, instructor.pk}
    response = client.get(base("user/?roles=ADMIN"))
    assert set(ids(response)) == {inst_admin.pk}
    response = client.get(base("user/?roles=KING"))
    assert response.status_code == 400
    assert "roles" in response.json()


def test_text_filters_are_case_insensitive(api, base, other_member):
    user = other_member.user
    user.first_name, user.email = "Bartholomew", "bart@school.org"
    user.save()
    client = api("inst_admin")
    assert ids(client.get(base("user/?first_name=tholo"))) == [other_member.pk]
    assert ids(client.get(base("user/?email=SCHOOL"))) == [other_member.pk]
    assert ids(client.get(base(f"user/?uid={other_member.uid}"))) == [other_member.pk]
    assert ids(client.get(base("user/?search=bartholomew"))) == [other_member.pk]


def test_ordering_by_client_field_names(api, base, institution):
    for name in ("zed", "abe", "mia"):
        User.objects.filter(pk=factories.user(institution).pk).update(username=name)
    client = api("inst_admin")
    names = [
        u["username"]
        for u in client.get(base("user/?ordering=username&limit=100")).json()["results"]
    ]
    assert names == sorted(names)
    names = [
        u["username"]
        for u in client.get(base("user/?ordering=-username&limit=100")).json()["results"]
    ]
    assert names == sorted(names, reverse=True)


def test_nobody_deletes_themselves(api, base, inst_admin, data_admin):
    for persona, account in (("inst_admin", inst_admin), ("data_admin", data_admin)):
        response = api(persona).delete(base(f"user/{account.pk}/"))
        assert response.status_code == 403
        assert User.objects.filter(pk=account.pk).exists()


def test_delete_removes_the_user(api, base, other_member):
    assert api("data_admin").delete(base(f"user/{other_member.pk}/")).status_code == 204
    assert not User.objects.filter(pk=other_member.pk).exists()


def test_data_admin_cannot_grant_admin_flags(api, base, other_member):
    client = api("data_admin")
    response = client.patch(base(f"user/{other_member.pk}/"), {"inst_admin": True}, format="json")
    assert response.status_code == 403
    response = client.post(base("user/"), user_body(data_admin=True), format="json")
    assert response.status_code == 403
    other_member.refresh_from_db()
    assert not other_member.inst_admin
    # sending the current value is no change
    response = client.patch(base(f"user/{other_member.pk}/"), {"inst_admin": False}, format="json")
    assert response.status_code == 200


def test_data_admin_cannot_touch_an_institution_admin(api, base, inst_admin):
    client = api("data_admin")
    response = client.patch(base(f"user/{inst_admin.pk}/"), {"password": STRONG}, format="json")
    assert response.status_code == 403
    assert client.delete(base(f"user/{inst_admin.pk}/")).status_code == 403
    inst_admin.refresh_from_db()
    assert not inst_admin.check_password(STRONG)


def test_institution_admin_cannot_take_over_a_global_admin(api, base, institution):
    staff = factories.user(institution, is_staff=True)
    client = api("inst_admin")
    response = client.patch(base(f"user/{staff.pk}/"), {"password": STRONG}, format="json")
    assert response.status_code == 403
    assert client.delete(base(f"user/{staff.pk}/")).status_code == 403
    staff.refresh_from_db()
    assert staff.check_password("pass-Word-1234")


def test_is_staff_is_not_writable_here(api, base, other_member):
    response = api("inst_admin").patch(
        base(f"user/{other_member.pk}/"), {"is_staff": True}, format="json"
    )
    assert response.status_code == 200
    other_member.user.refresh_from_db()
    assert other_member.user.is_staff is False


# profile ----------------------------------------------------------------------------------
def test_profile_changes_own_locale_and_password(api, base, member):
    client = api("member")
    response = client.post(
        base(f"user/{member.pk}/profile/"),
        {"locale": "ca", "password": STRONG, "password2": STRONG},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["locale"] == "ca"
    member.refresh_from_db()
    assert member.check_password(STRONG)
    assert member.institution_user.locale == "ca"


def test_profile_of_someone_else_is_403(api, base, other_member):
    response = api("inst_admin").post(
        base(f"user/{other_member.pk}/profile/"), {"locale": "es"}, format="json"
    )
    assert response.status_code == 403
    other_member.refresh_from_db()
    assert other_member.locale is None


def test_profile_password_needs_login_allowed(api, base, member):
    member.institution_user.login_allowed = False
    member.institution_user.save()
    response = api("member").post(
        base(f"user/{member.pk}/profile/"), {"password": STRONG}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"locale": "x" * 11}, "locale"),
        ({"password": STRONG, "password2": "other"}, "password2"),
        ({"password": "short"}, "password"),
    ],
)
def test_profile_bad_input(api, base, member, body, field):
    response = api("member").post(base(f"user/{member.pk}/profile/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
