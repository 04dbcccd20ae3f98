"""Item 7 of the security pass: tokens die when their grounds do."""

import time

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from institution.models import User
from reports.models import Provider
from tesla import tokens
from tesla.models import SECRET_HASH_PREFIX
from tests import factories
from vle.models import VLE

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-1234"


def approle(credentials):
    return APIClient().post("/api/v2/auth/approle", credentials, format="json")


def refresh(pair):
    return APIClient().post("/api/v2/auth/token/refresh", {"token": pair}, format="json")


def as_bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {access}")
    return client


@pytest.fixture(params=["vle", "provider"])
def module(request, vle, provider):
    return vle if request.param == "vle" else provider


def own_path(module) -> str:
    kind = "vle" if isinstance(module, VLE) else "provider"
    return f"/api/v2/{kind}/{module.pk}/"


def test_rotating_credentials_ends_the_old_tokens(module):
    first = module.issue_credentials()
    pair = approle(first).json()["token"]
    assert as_bearer(pair["access_token"]).get(own_path(module)).status_code == 200

    second = module.issue_credentials()

    assert as_bearer(pair["access_token"]).get(own_path(module)).status_code == 401
    assert refresh(pair).status_code == 403
    assert approle(first).status_code == 401
    fresh = approle(second).json()["token"]
    assert as_bearer(fresh["access_token"]).get(own_path(module)).status_code == 200
    assert refresh(fresh).status_code == 200


def test_a_deleted_module_cannot_refresh_or_authenticate(module):
    pair = approle(module.issue_credentials()).json()["token"]
    path = own_path(module)
    module.delete()
    assert as_bearer(pair["access_token"]).get(path).status_code == 401
    assert refresh(pair).status_code == 403


def login(user):
    response = APIClient().post("/api/v2/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def test_a_password_change_ends_the_users_other_refresh_tokens(institution, global_admin):
    account = factories.user(institution, inst_admin=True)
    other_login = login(account)
    admin = factories.client_for(global_admin)
    response = admin.patch(
        f"/api/v2/admin/user/{account.pk}/",
        {"password": "new-Pass-5678", "password2": "new-Pass-5678"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert refresh(other_login).status_code == 403
    new = APIClient().post(
        "/api/v2/auth/login", {"email": account.email, "password": "new-Pass-5678"}
    )
    assert refresh(new.json()["token"]).status_code == 200


def test_a_deactivated_user_cannot_refresh_or_authenticate(institution):
    account = factories.user(institution, inst_admin=True)
    pair = login(account)
    User.objects.filter(pk=account.pk).update(is_active=False)
    assert as_bearer(pair["access_token"]).get("/api/v2/auth/profile").status_code == 401
    assert refresh(pair).status_code == 403


def test_a_token_without_exp_neither_refreshes_nor_authenticates(global_admin):
    now = int(time.time())
    claims = {"type": "admin", "pk": global_admin.pk, "group": "users", "sid": "s", "iat": now}
    sign = lambda extra: jwt.encode(  # noqa: E731
        {**claims, **extra}, settings.JWT_SIGNING_KEY, algorithm="HS256"
    )
    access = sign({"token_type": "access", "jti": "a"})
    refresh_token = sign({"token_type": "refresh", "jti": "r"})
    assert as_bearer(access).get("/api/v2/auth/profile").status_code == 401
    assert refresh({"access_token": access, "refresh_token": refresh_token}).status_code == 403
    with pytest.raises(tokens.InvalidToken):
        tokens.decode(access, token_type="access")


# Keyed hashes of module secrets (issue 14) ---------------------------------------------------
def test_module_secrets_are_stored_as_keyed_hashes(vle):
    credentials = vle.issue_credentials()
    vle.refresh_from_db()
    assert vle.secret_id_hash.startswith(SECRET_HASH_PREFIX)
    assert credentials["secret_id"] not in vle.secret_id_hash
    assert approle(credentials).status_code == 200


def test_a_legacy_password_hash_is_verified_once_then_upgraded(settings, vle):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    credentials = vle.issue_credentials()
    VLE.objects.filter(pk=vle.pk).update(secret_id_hash=make_password(credentials["secret_id"]))

    assert approle({**credentials, "secret_id": "wrong"}).status_code == 401
    assert VLE.objects.get(pk=vle.pk).secret_id_hash.startswith("pbkdf2_sha256$")
    assert approle(credentials).status_code == 200
    assert VLE.objects.get(pk=vle.pk).secret_id_hash.startswith(SECRET_HASH_PREFIX)
    assert approle(credentials).status_code == 200


def test_checking_a_secret_costs_well_under_a_millisecond_of_cpu(provider):
    credentials = provider.issue_credentials()
    row = Provider.objects.get(pk=provider.pk)
    started = time.process_time()
    for _ in range(200):
        assert row.check_secret_id(credentials["secret_id"])
    assert (time.process_time() - started) / 200 < 0.001
