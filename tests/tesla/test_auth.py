"""The authentication contract of DESIGN.md, with every failure a client can meet."""

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from institution.models import User
from tesla import tokens
from tests import factories
from vle.models import Launcher

PASSWORD = "pass-Word-1234"


def sdk_payload(token: str) -> dict:
    """Read a token's payload the way tesla-ce-client does: plain base64, no padding added."""
    return json.loads(base64.b64decode(token.split(".")[1]))


def login(email, password=PASSWORD):
    return APIClient().post("/api/v2/auth/login", {"email": email, "password": password})


# Login ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_global_admin_logs_in_with_a_token_pair_the_sdk_can_read(global_admin):
    response = login(global_admin.email)

    assert response.status_code == 200
    pair = response.json()["token"]
    claims = sdk_payload(pair["access_token"])
    assert claims["type"] == "admin"
    assert claims["pk"] == global_admin.pk
    assert claims["group"] == "users"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert sdk_payload(pair["refresh_token"])["token_type"] == "refresh"
    global_admin.refresh_from_db()
    assert global_admin.last_login is not None


@pytest.mark.django_db
def test_every_issued_token_payload_is_plain_base64(vle):
    for pk in range(1, 60):
        pair = tokens.issue_pair(principal_type="vle", pk=pk, sub="api", refresh_minutes=120)
        for token in pair.as_dict().values():
            payload = token.split(".")[1]
            assert len(payload) % 4 == 0 and "-" not in payload and "_" not in payload
            assert sdk_payload(token)["pk"] == pk


@pytest.mark.django_db
def test_institution_user_allowed_to_log_in_gets_a_user_token(institution):
    account = factories.user(institution, inst_admin=True, login_allowed=True)

    response = login(account.email)

    assert response.status_code == 200
    assert sdk_payload(response.json()["token"]["access_token"])["type"] == "user"


@pytest.mark.parametrize(
    "case",
    ["wrong_password", "unknown_email", "login_not_allowed", "inactive", "no_institution"],
)
@pytest.mark.django_db
def test_login_failures_are_401(institution, case):
    account = factories.user(institution, login_allowed=case != "login_not_allowed")
    email, password = account.email, PASSWORD
    if case == "wrong_password":
        password = "not-the-password"
    elif case == "unknown_email":
        email = "nobody@example.org"
    elif case == "inactive":
        User.objects.filter(pk=account.pk).update(is_active=False)
    elif case == "no_institution":
        account = factories.user(None)
        email = account.email

    response = login(email, password)

    assert response.status_code == 401
    assert response.json() == "Invalid credentials"


@pytest.mark.django_db
def test_login_with_a_malformed_body_names_the_missing_field():
    response = APIClient().post("/api/v2/auth/login", {"email": "a@b.org"})

    assert response.status_code == 400
    assert "password" in response.json()


@pytest.mark.django_db
def test_login_with_malformed_json_is_400():
    response = APIClient().post(
        "/api/v2/auth/login", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400


@pytest.mark.django_db
def test_auth_endpoints_reject_get():
    assert APIClient().get("/api/v2/auth/login").status_code == 405


@pytest.mark.django_db
def test_login_ignores_a_stale_authorization_header(global_admin):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="JWT expired.garbage.token")

    response = client.post(
        "/api/v2/auth/login", {"email": global_admin.email, "password": PASSWORD}
    )

    assert response.status_code == 200


# AppRole -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_vle_approle_login_returns_what_the_plugins_read(vle):
    credentials = vle.issue_credentials()

    response = APIClient().post("/api/v2/auth/approle", credentials)

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "vle"
    assert body["vle_id"] == vle.pk
    assert body["institution_id"] == vle.institution_id
    assert body["vle"]["id"] == vle.pk
    assert body["vle"]["institution"] == vle.institution_id
    assert body["vle"]["type"] == 0
    assert isinstance(body["config"], dict)
    claims = sdk_payload(body["token"]["access_token"])
    assert (claims["type"], claims["pk"], claims["group"]) == ("vle", vle.pk, "module_api")


@pytest.mark.django_db
def test_provider_approle_login(provider):
    credentials = provider.issue_credentials()

    response = APIClient().post("/api/v2/auth/approle", credentials)

    assert response.status_code == 200
    body = response.json()
    assert (body["type"], body["provider_id"]) == ("provider", provider.pk)
    assert body["provider"]["acronym"] == provider.acronym


@pytest.mark.django_db
def test_approle_with_a_wrong_secret_is_401(vle):
    credentials = vle.issue_credentials()

    response = APIClient().post(
        "/api/v2/auth/approle", {"role_id": credentials["role_id"], "secret_id": "wrong"}
    )

    assert response.status_code == 401


@pytest.mark.django_db
def test_new_credentials_retire_the_old_secret(vle):
    old = vle.issue_credentials()
    new = vle.issue_credentials()

    assert old["role_id"] == new["role_id"]
    assert APIClient().post("/api/v2/auth/approle", old).status_code == 401
    assert APIClient().post("/api/v2/auth/approle", new).status_code == 200


@pytest.mark.django_db
def test_approle_missing_field_is_400():
    response = APIClient().post("/api/v2/auth/approle", {"role_id": "x"})

    assert response.status_code == 400
    assert "secret_id" in response.json()


@pytest.mark.django_db
def test_approle_served_with_doubled_and_trailing_slash(vle):
    credentials = vle.issue_credentials()

    # (a leading "//" cannot go through the test client, which reads it as a host name; the
    # middleware test covers it)
    assert APIClient().post("/api/v2//auth/approle", credentials).status_code == 200
    assert APIClient().post("/api/v2/auth/approle/", credentials).status_code == 200


# Using tokens --------------------------------------------------------------------------------
def profile_with(header: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client.get("/api/v2/auth/profile")


@pytest.mark.parametrize("keyword", ["JWT", "Bearer"])
@pytest.mark.django_db
def test_both_header_keywords_are_accepted(global_admin, keyword):
    token = factories.token_for(global_admin)

    assert profile_with(f"{keyword} {token}").status_code == 200


def forged(claims: dict, key="another-signing-key-of-thirty-two-bytes", algorithm="HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def valid_claims(pk, **changes):
    now = int(timezone.now().timestamp())
    return {
        "type": "admin",
        "group": "users",
        "pk": pk,
        "token_type": "access",
        "iat": now,
        "exp": now + 600,
        **changes,
    }


@pytest.mark.parametrize(
    "case", ["expired", "other_key", "alg_none", "refresh_as_access", "three_words", "garbage"]
)
@pytest.mark.django_db
def test_bad_tokens_are_401_with_www_authenticate(global_admin, settings, case):
    claims = valid_claims(global_admin.pk)
    header = None
    if case == "expired":
        claims["exp"] = claims["iat"] - 1
        header = f"JWT {forged(claims, key=settings.JWT_SIGNING_KEY)}"
    elif case == "other_key":
        header = f"JWT {forged(claims)}"
    elif case == "alg_none":
        header = f"JWT {jwt.encode(claims, None, algorithm='none')}"
    elif case == "refresh_as_access":
        pair = tokens.issue_pair(
            principal_type="admin", pk=global_admin.pk, sub="x", refresh_minutes=60
        )
        header = f"JWT {pair.refresh_token}"
    elif case == "three_words":
        header = f"JWT {factories.token_for(global_admin)} extra"
    elif case == "garbage":
        header = "JWT not-a-token"

    response = profile_with(header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "JWT"


@pytest.mark.django_db
def test_token_of_a_deleted_vle_is_401(vle):
    token = factories.token_for(vle)
    vle.delete()

    assert profile_with(f"JWT {token}").status_code == 401


@pytest.mark.django_db
def test_token_of_a_deactivated_user_is_401(global_admin):
    token = factories.token_for(global_admin)
    User.objects.filter(pk=global_admin.pk).update(is_active=False)

    assert profile_with(f"JWT {token}").status_code == 401


@pytest.mark.django_db
def test_no_header_is_401():
    response = APIClient().get("/api/v2/auth/profile")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "JWT"


@pytest.mark.django_db
def test_module_token_has_no_profile(vle):
    assert profile_with(f"JWT {factories.token_for(vle)}").status_code == 403


# Refresh -------------------------------------------------------------------------------------
def pair_for(user):
    return login(user.email).json()["token"]


@pytest.mark.django_db
def test_refresh_python_sdk_shape(global_admin):
    pair = pair_for(global_admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {pair['refresh_token']}")

    response = client.post("/api/v2/auth/token/refresh", {"token": pair["access_token"]})

    assert response.status_code == 200
    renewed = response.json()["token"]
    assert renewed["refresh_token"] == pair["refresh_token"]
    assert renewed["access_token"] != pair["access_token"]
    assert profile_with(f"JWT {renewed['access_token']}").status_code == 200


@pytest.mark.django_db
def test_refresh_dashboard_shape_ignores_extra_members_and_old_header(global_admin):
    pair = pair_for(global_admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="JWT stale-access-token")

    response = client.post(
        "/api/v2/auth/token/refresh",
        {"token": {**pair, "ownerStrategyName": "email", "createdAt": 1}, "rememberMe": True},
    )

    assert response.status_code == 200
    assert response.json()["token"]["refresh_token"] == pair["refresh_token"]


@pytest.mark.django_db
def test_refresh_works_with_an_expired_access_token(global_admin, settings):
    pair = pair_for(global_admin)
    expired_access = forged(
        valid_claims(global_admin.pk, exp=1, iat=0), key=settings.JWT_SIGNING_KEY
    )

    response = APIClient().post(
        "/api/v2/auth/token/refresh",
        {"token": {"access_token": expired_access, "refresh_token": pair["refresh_token"]}},
        format="json",
    )

    assert response.status_code == 200


@pytest.mark.parametrize("case", ["garbage", "expired", "access_as_refresh", "other_principal"])
@pytest.mark.django_db
def test_refresh_failures_are_403(global_admin, institution, settings, case):
    pair = pair_for(global_admin)
    access, refresh = pair["access_token"], pair["refresh_token"]
    if case == "garbage":
        refresh = "garbage"
    elif case == "expired":
        refresh = forged(
            {**valid_claims(global_admin.pk, token_type="refresh"), "exp": 1, "iat": 0},
            key=settings.JWT_SIGNING_KEY,
        )
    elif case == "access_as_refresh":
        refresh = access
    elif case == "other_principal":
        other = factories.user(institution, login_allowed=True)
        access = pair_for(other)["access_token"]

    response = APIClient().post(
        "/api/v2/auth/token/refresh",
        {"token": {"access_token": access, "refresh_token": refresh}},
        format="json",
    )

    assert response.status_code == 403


@pytest.mark.parametrize("body", [{}, {"token": 5}, {"token": {"access_token": "a"}}])
@pytest.mark.django_db
def test_refresh_with_neither_body_shape_is_400(body):
    response = APIClient().post("/api/v2/auth/token/refresh", body, format="json")

    assert response.status_code == 400


# Logout --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_logout_revokes_the_refresh_token(global_admin):
    pair = pair_for(global_admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {pair['access_token']}")

    assert client.delete("/api/v2/auth/logout").status_code == 204

    response = APIClient().post("/api/v2/auth/token/refresh", {"token": pair}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_logout_leaves_other_logins_working(global_admin):
    first, second = pair_for(global_admin), pair_for(global_admin)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"JWT {first['access_token']}")
    client.delete("/api/v2/auth/logout")

    response = APIClient().post("/api/v2/auth/token/refresh", {"token": second}, format="json")

    assert response.status_code == 200


# Launcher exchange ---------------------------------------------------------------------------
def make_launcher(user, **values):
    return Launcher.objects.create(
        user=user.institution_user,
        expires_at=timezone.now() + timedelta(minutes=5),
        **values,
    )


@pytest.mark.django_db
def test_launcher_exchange_returns_a_bare_pair_once(institution):
    account = factories.user(institution, instructor=True, login_allowed=False)
    launcher = make_launcher(account)
    body = {"id": str(launcher.pk), "token": str(launcher.token)}

    first = APIClient().post("/api/v2/auth/token", body)
    second = APIClient().post("/api/v2/auth/token", body)

    assert first.status_code == 200
    assert set(first.json()) == {"access_token", "refresh_token"}
    claims = sdk_payload(first.json()["access_token"])
    assert (claims["type"], claims["pk"]) == ("user", account.pk)
    assert second.status_code == 401
    assert not Launcher.objects.filter(pk=launcher.pk).exists()


@pytest.mark.django_db
def test_expired_launcher_is_401_and_used_up(institution):
    account = factories.user(institution, learner=True)
    launcher = make_launcher(account)
    Launcher.objects.filter(pk=launcher.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = APIClient().post(
        "/api/v2/auth/token", {"id": launcher.pk, "token": str(launcher.token)}
    )

    assert response.status_code == 401
    assert not Launcher.objects.filter(pk=launcher.pk).exists()


@pytest.mark.django_db
def test_launcher_with_a_wrong_token_is_401_and_kept(institution):
    launcher = make_launcher(factories.user(institution, learner=True))

    response = APIClient().post(
        "/api/v2/auth/token", {"id": launcher.pk, "token": str(uuid.uuid4())}
    )

    assert response.status_code == 401
    assert Launcher.objects.filter(pk=launcher.pk).exists()


@pytest.mark.django_db
def test_lapi_launcher_gives_a_learner_token(institution):
    account = factories.user(institution, learner=True)
    launcher = make_launcher(account, target=Launcher.Target.LAPI)

    response = APIClient().post(
        "/api/v2/auth/token", {"id": launcher.pk, "token": str(launcher.token)}
    )

    assert response.status_code == 200
    claims = sdk_payload(response.json()["access_token"])
    assert (claims["type"], claims["group"]) == ("learner", "learners")


@pytest.mark.parametrize("body", [{}, {"id": "x", "token": "y"}, {"id": 1}])
@pytest.mark.django_db
def test_launcher_exchange_bad_body_is_400(body):
    assert APIClient().post("/api/v2/auth/token", body).status_code == 400


# Profile -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_profile_of_an_institution_learner(institution):
    account = factories.user(institution, learner=True, send_admin=True)
    client = factories.client_for(account)

    body = client.get("/api/v2/auth/profile").json()

    assert body["id"] == account.pk
    assert body["institution"]["id"] == institution.pk
    assert body["institution"]["learner_id"] == str(account.institution_user.learner.learner_id)
    assert set(body["roles"]) == {"LEARNER", "SEND"}
    assert body["institutions"] == [body["institution"]]
    assert "administration-send" in body["routes"]
    assert "system" not in body["routes"]
    assert body["is_admin"] is False


@pytest.mark.django_db
def test_profile_of_a_global_admin_lists_every_institution(global_admin, institution):
    body = factories.client_for(global_admin).get("/api/v2/auth/profile").json()

    assert body["roles"] == ["GLOBAL_ADMIN"]
    assert [i["id"] for i in body["institutions"]] == [institution.pk]
    assert "system" in body["routes"]


@pytest.mark.django_db
def test_routes_disabled_for_the_institution_are_hidden(institution):
    from institution.models import UIOption

    account = factories.user(institution, inst_admin=True)
    UIOption.objects.create(route="administration-users", institution=institution, enabled=False)

    body = factories.client_for(account).get("/api/v2/auth/profile").json()

    assert "administration-users" not in body["routes"]
    assert "administration-settings" in body["routes"]
