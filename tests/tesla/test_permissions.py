"""Permission matrix of the authentication endpoints. Logins, the launcher exchange and
refresh are public: whatever the Authorization header, the body decides; so is logout. The
profile needs a user's token (modules and learner tokens have no profile: 403). The rule is
`tests.matrix`'s."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories
from tests.matrix import GLOBAL, PUBLIC, Case, Fixtures, check, params
from vle.models import Launcher

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-1234"
CALLERS = {"anonymous", "inst_admin", "vle", "provider", "learner_token"}
USERS = {"global_admin", "inst_admin", "legal_admin", "instructor", "learner", "member"}
PERSONAS = [
    "anonymous",
    "global_admin",
    "inst_admin",
    "legal_admin",
    "instructor",
    "learner",
    "member",
    "vle",
    "provider",
    "learner_token",
]


def login_pair(world) -> dict:
    response = APIClient().post(
        "/api/v2/auth/login", {"email": world.global_admin.email, "password": PASSWORD}
    )
    return response.json()["token"]


def launcher_body(world) -> dict:
    account = factories.user(world.institution, instructor=True, login_allowed=False)
    launcher = Launcher.objects.create(
        user=account.institution_user, expires_at=timezone.now() + timedelta(minutes=5)
    )
    return {"id": str(launcher.pk), "token": str(launcher.token)}


CASES = [
    Case(
        "login",
        "post",
        "auth-login",
        PUBLIC,
        CALLERS,
        body=lambda w: {"email": w.global_admin.email, "password": PASSWORD},
    ),
    Case(
        "approle",
        "post",
        "auth-approle",
        PUBLIC,
        CALLERS,
        body=lambda w: w.other_vle.issue_credentials(),
    ),
    Case("launcher exchange", "post", "auth-token", PUBLIC, CALLERS, body=launcher_body),
    Case(
        "refresh",
        "post",
        "auth-token-refresh",
        PUBLIC,
        CALLERS,
        body=lambda w: {"token": login_pair(w)},
    ),
    # Logging out is idempotent: any caller may end the login its header or body names.
    Case("logout", "delete", "auth-logout", PUBLIC, {*PERSONAS}, 204),
    Case("profile", "get", "auth-profile", GLOBAL, USERS),
]


@pytest.mark.parametrize(
    ("case", "persona"),
    [
        *params(CASES[:4], sorted(CALLERS)),
        *params(CASES[4:], PERSONAS),
    ],
)
def test_permission_matrix(request, api, case, persona):
    check(case, persona, api(persona), Fixtures(request))
