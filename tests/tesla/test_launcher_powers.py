"""Item 1 of the security pass: a VLE never obtains administrative power through a launcher."""

import pytest
from rest_framework.test import APIClient

from institution.models import InstitutionUser, User
from tests import factories

pytestmark = pytest.mark.django_db


def launcher_for(vle, uid):
    return factories.client_for(vle).post(
        f"/api/v2/vle/{vle.pk}/launcher/", {"vle_user_uid": uid}, format="json"
    )


def exchange(launcher) -> dict:
    response = APIClient().post(
        "/api/v2/auth/token", {"id": launcher["id"], "token": launcher["token"]}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def as_bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {access}")
    return client


@pytest.mark.parametrize("flags", [{"inst_admin": True}, {"is_staff": True}, {"data_admin": True}])
def test_no_launcher_for_people_the_vle_does_not_teach_or_enrol(vle, institution, flags):
    admin = factories.user(institution, **flags)
    response = launcher_for(vle, admin.institution_user.uid)
    assert response.status_code == 404


def test_no_launcher_for_a_learner_of_another_vle(vle, other_vle, institution):
    account = factories.user(institution, learner=True)
    factories.course(other_vle).learners.add(account.pk)
    assert launcher_for(vle, account.institution_user.uid).status_code == 404


@pytest.mark.parametrize("flags", [{"inst_admin": True}, {"is_staff": True}])
def test_a_launcher_session_carries_no_admin_power(vle, course, institution, flags):
    """An admin who also teaches a course of the VLE: the launcher logs them in as an
    instructor only, before and after refreshing the token."""
    account = factories.user(institution, instructor=True, **flags)
    course.instructors.add(account.pk)
    response = launcher_for(vle, account.institution_user.uid)
    assert response.status_code == 200
    pair = exchange(response.json())

    refreshed = APIClient().post("/api/v2/auth/token/refresh", {"token": pair}, format="json")
    assert refreshed.status_code == 200
    for access in (pair["access_token"], refreshed.json()["token"]["access_token"]):
        client = as_bearer(access)
        profile = client.get("/api/v2/auth/profile")
        assert profile.status_code == 200
        assert profile.json()["roles"] == ["INSTRUCTOR"]
        assert profile.json()["is_admin"] is False
        created = client.post(
            f"/api/v2/institution/{institution.pk}/user/",
            {
                "username": "mallory",
                "uid": "mallory",
                "email": "mallory@example.org",
                "password": "pass-Word-1234",
                "password2": "pass-Word-1234",
                "inst_admin": True,
                "login_allowed": True,
            },
            format="json",
        )
        assert created.status_code == 403
        assert client.get("/api/v2/admin/institution/").status_code in {403, 404}
        assert client.get(f"/api/v2/institution/{institution.pk}/vle/").status_code == 403
    assert not User.objects.filter(username="mallory").exists()
    # The person keeps their real flags.
    account.refresh_from_db()
    assert account.is_staff == flags.get("is_staff", False)
    assert InstitutionUser.objects.get(pk=account.pk).inst_admin == flags.get("inst_admin", False)


def test_a_launcher_scope_cannot_be_shed_with_another_access_token(vle, course, institution):
    """Refreshing a launcher's refresh token with the same person's full-power access token
    is a mismatch, not a way to regain power."""
    account = factories.user(institution, instructor=True, inst_admin=True)
    course.instructors.add(account.pk)
    pair = exchange(launcher_for(vle, account.institution_user.uid).json())
    full = APIClient().post(
        "/api/v2/auth/login", {"email": account.email, "password": "pass-Word-1234"}
    )
    mixed = {
        "access_token": full.json()["token"]["access_token"],
        "refresh_token": pair["refresh_token"],
    }
    response = APIClient().post("/api/v2/auth/token/refresh", {"token": mixed}, format="json")
    assert response.status_code == 403
