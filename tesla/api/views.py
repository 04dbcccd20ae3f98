"""Authentication endpoints under /api/v2/auth/ (served with and without a trailing slash).

They ignore any Authorization header except where they need it (refresh, logout, profile):
stale headers from the dashboard must not break a login."""

import sys
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.views import defaults as django_defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import get_authorization_header
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tesla import tokens
from tesla.api import serializers as auth_serializers
from tesla.middleware import DATABASE_ERRORS, database_unavailable, is_api_path, json_error
from tesla.models import RevokedLogin
from tesla.principals import (
    LAUNCHER_EXCHANGE,
    MODULE_DESCRIBERS,
    PROFILE_BUILDER,
    kind_of,
    module_authenticate,
    principal_from_claims,
)
from tesla.settings_helpers import refresh_minutes
from tesla.throttling import CredentialThrottledMixin
from tesla.viewsets import TransactionPerWrite

INVALID_CREDENTIALS = "Invalid credentials"


def invalid_credentials() -> Response:
    return Response(INVALID_CREDENTIALS, status=status.HTTP_401_UNAUTHORIZED)


class PublicAuthView(TransactionPerWrite, APIView):
    """An auth endpoint that anyone may call; it checks credentials itself."""

    authentication_classes = []
    permission_classes = [AllowAny]


def _header_token(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) == 2 and parts[0].lower() in (b"jwt", b"bearer"):
        try:
            return parts[1].decode("ascii")
        except UnicodeError:
            return None
    return None


THROTTLED = OpenApiResponse(description="Too many failed attempts; see Retry-After.")


def credentials_schema(request_serializer, response_serializer):
    """The schema of an endpoint that checks credentials: its answer, a 401 for wrong
    credentials, a 429 while throttled."""
    return extend_schema(
        request=request_serializer,
        responses={200: response_serializer, 401: OpenApiResponse(), 429: THROTTLED},
        tags=["auth"],
    )


def validated(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    """The request body checked by `serializer_class` (a 400 naming the fields otherwise)."""
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


class LoginView(CredentialThrottledMixin, PublicAuthView):
    """Log in a global admin or an institution user allowed to log in.

    Throttled per e-mail and per client address (`tesla.throttling`). An unknown e-mail costs
    the same password hash as a wrong password, so the answer's timing tells nothing."""

    throttle_scope = "login"
    throttle_account_field = "email"

    @credentials_schema(
        auth_serializers.LoginRequestSerializer, auth_serializers.TokenResponseSerializer
    )
    def post(self, request):
        body = validated(auth_serializers.LoginRequestSerializer, request)
        email, password = body["email"], body["password"]
        candidates = [
            user
            for user in get_user_model()
            .objects.filter(email__iexact=email, is_active=True)
            .select_related("institution_user")
            if user.is_staff
            or (
                getattr(user, "institution_user", None) is not None
                and user.institution_user.login_allowed
            )
        ]
        if not candidates:
            # As long as a real check: the refusal must not reveal that the e-mail is unknown.
            get_user_model()().set_password(password)
        for user in candidates:
            if user.check_password(password):
                user.last_login = datetime.now(UTC)
                user.save(update_fields=["last_login"])
                principal_type = "admin" if user.is_staff else "user"
                pair = tokens.issue_pair(
                    principal_type=principal_type,
                    pk=user.pk,
                    sub=user.username,
                    refresh_minutes=refresh_minutes(principal_type),
                )
                return Response({"token": pair.as_dict()})
        return self.credentials_refused(invalid_credentials())


class AppRoleView(CredentialThrottledMixin, PublicAuthView):
    """Log in a VLE or a provider with its role_id and secret_id (throttled per role_id and
    per client address)."""

    throttle_scope = "approle"
    throttle_account_field = "role_id"
    unsafe_methods_write = False  # a POST that only reads: no BEGIN/COMMIT

    @credentials_schema(
        auth_serializers.AppRoleRequestSerializer, auth_serializers.AppRoleResponseSerializer
    )
    def post(self, request):
        body = validated(auth_serializers.AppRoleRequestSerializer, request)
        principal = module_authenticate(body["role_id"], body["secret_id"])
        if principal is None:
            return self.credentials_refused(invalid_credentials())
        pair = tokens.issue_pair(
            principal_type=principal.kind,
            pk=principal.pk,
            sub="api",
            refresh_minutes=refresh_minutes(principal.kind),
            principal=principal,
        )
        return Response(
            {**MODULE_DESCRIBERS[principal.kind](principal.module), "token": pair.as_dict()}
        )


class LauncherTokenView(PublicAuthView):
    """Swap a launcher (id and token from its URL) for a token pair. Works once."""

    @extend_schema(
        request=auth_serializers.LauncherExchangeSerializer,
        responses={200: auth_serializers.TokenPairSerializer, 401: OpenApiResponse()},
        tags=["auth"],
    )
    def post(self, request):
        body = validated(auth_serializers.LauncherExchangeSerializer, request)
        pair = None
        for exchange in LAUNCHER_EXCHANGE:
            pair = exchange(body["id"], body["token"])
        if pair is None:
            return invalid_credentials()
        return Response(pair.as_dict())


def _is_revoked(claims: dict) -> bool:
    sid = claims.get("sid")
    return bool(sid) and RevokedLogin.objects.filter(sid=sid).exists()


class RefreshView(PublicAuthView):
    """A new access token from a refresh token.

    Two bodies are accepted: `{"token": "<access>"}` with `Authorization: JWT <refresh>` (the
    Python SDK), or `{"token": {"access_token", "refresh_token"}}` (the dashboard, whose
    header may carry an old access token and is then ignored)."""

    @extend_schema(
        request=auth_serializers.RefreshRequestSerializer,
        responses={200: auth_serializers.TokenResponseSerializer, 403: OpenApiResponse()},
        tags=["auth"],
    )
    def post(self, request):
        pair = validated(auth_serializers.RefreshRequestSerializer, request)["token"]
        refresh = pair["refresh_token"] or _header_token(request)
        if not refresh:
            raise exceptions.ValidationError({"token": ["No refresh token was given."]})
        try:
            refresh_claims = tokens.decode(refresh, token_type="refresh")
            access_claims = (
                tokens.decode(pair["access_token"], token_type="access", verify_exp=False)
                if pair["access_token"]
                else None
            )
        except tokens.InvalidToken:
            return Response("Invalid token", status=status.HTTP_403_FORBIDDEN)
        if access_claims is not None and any(
            access_claims.get(key) != refresh_claims.get(key) for key in tokens.IDENTITY_CLAIMS
        ):
            return Response("Token mismatch", status=status.HTTP_403_FORBIDDEN)
        if _is_revoked(refresh_claims):
            return Response("Token revoked", status=status.HTTP_403_FORBIDDEN)
        if principal_from_claims(refresh_claims, token_type="refresh") is None:
            # Deactivated or deleted, or its password or credentials changed since.
            return Response("Token revoked", status=status.HTTP_403_FORBIDDEN)
        access = tokens.renew_access(refresh_claims, access_claims)
        return Response({"token": {"access_token": access, "refresh_token": refresh}})


class LogoutView(PublicAuthView):
    """End a login: its refresh token stops renewing access tokens."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def delete(self, request):
        candidates = [_header_token(request)]
        data = request.data if isinstance(request.data, dict) else {}
        token = data.get("token")
        if isinstance(token, dict):
            candidates += [token.get("refresh_token"), token.get("access_token")]
        candidates.append(data.get("refresh_token"))
        for raw in [value for value in candidates if isinstance(value, str) and value]:
            for token_type in ("access", "refresh"):
                try:
                    claims = tokens.decode(raw, token_type=token_type, verify_exp=False)
                except tokens.InvalidToken:
                    continue
                if claims.get("sid"):
                    RevokedLogin.objects.get_or_create(
                        sid=claims["sid"],
                        defaults={
                            "expires_at": datetime.fromtimestamp(
                                claims.get("exp", 0) + refresh_minutes("user") * 60, UTC
                            )
                        },
                    )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileView(TransactionPerWrite, APIView):
    """The logged-in user: institution, roles and the dashboard routes they may see."""

    # Any authenticated caller; `get` answers users only.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "AuthProfile",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "email": serializers.CharField(),
                    "first_name": serializers.CharField(),
                    "last_name": serializers.CharField(),
                    "full_name": serializers.CharField(),
                    "is_admin": serializers.BooleanField(),
                    "uid": serializers.CharField(allow_null=True),
                    "locale": serializers.CharField(allow_null=True),
                    "institution": serializers.DictField(allow_null=True),
                    "institutions": serializers.ListField(child=serializers.DictField()),
                    "roles": serializers.ListField(child=serializers.CharField()),
                    "routes": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
        tags=["auth"],
    )
    def get(self, request):
        if kind_of(request.user) not in {"admin", "user"}:
            raise exceptions.PermissionDenied("Only users have a profile.")
        return Response(PROFILE_BUILDER[0](request))


class HealthView(PublicAuthView):
    """200 when the database answers, 503 otherwise."""

    @extend_schema(exclude=True)
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any database failure means unhealthy
            return Response(
                {"status": "unavailable"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(settings.DATABASE_RETRY_AFTER_SECONDS)},
            )
        return Response({"status": "ok"})


def not_found(request, exception=None):
    """handler404: a JSON 404 for API paths, Django's page elsewhere (the admin site)."""
    if is_api_path(request.path):
        return json_error("Not found.", 404)
    return django_defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: a database outage is a 503 with Retry-After; any other crash on an API path
    is a JSON 500 (the admin site keeps Django's page)."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable()
    if is_api_path(request.path):
        return json_error("Server error.", 500)
    return django_defaults.server_error(request)
