"""Who may call the Course Service, and with which scopes.

The VLE is SCORM Cloud's "application": HTTP basic `role_id:secret_id` (checked by the same
credential check as `/auth/approle`), a VLE access token from `/auth/approle`, or a bearer
token from the service's own token calls. Those tokens are signed, carry the VLE, their
scopes and their expiry, and are kept nowhere (SCORM Cloud documents its tokens the same way:
unstored, not revocable, short-lived). Basic credentials and VLE access tokens hold every
scope; a bearer token holds what it was issued with.
"""

import base64
import binascii
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from rest_framework import authentication, exceptions

from tesla.authentication import JWTAuthentication
from tesla.principals import ModulePrincipal, module_authenticate
from tesla.signing import LinkExpired, token_make, token_read
from vle.models import VLE

TOKEN_SALT = "vle.content.application-token"
# The scopes each kind of access needs; a token needs one of them.
SCOPES = {
    "read": {"read", "read:course"},
    "write": {"write", "write:course"},
    "delete": {"delete", "delete:course"},
}


@dataclass(frozen=True)
class Grant:
    """What a request may do: every scope (None), or the token's scopes."""

    scopes: frozenset[str] | None = None

    def allows(self, access: str) -> bool:
        return self.scopes is None or bool(self.scopes & SCOPES[access])


def application_token_issue(*, vle: VLE, scopes: list[str], seconds: int) -> str:
    """A bearer token for the VLE with these scopes, valid `seconds`."""
    return token_make({"v": vle.pk, "s": sorted(set(scopes))}, salt=TOKEN_SALT, max_age=seconds)


def token_lifetime(expiry_seconds: int | None) -> int:
    """Seconds a new token lives: as asked, within 1 s and COURSE_TOKEN_MAX_SECONDS."""
    seconds = 3600 if expiry_seconds is None else expiry_seconds
    return max(1, min(seconds, settings.COURSE_TOKEN_MAX_SECONDS))


class CourseServiceAuthentication(authentication.BaseAuthentication):
    """Basic `role_id:secret_id`, or a bearer token (the service's own, else a TeSLA JWT)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        keyword = header[0].lower()
        if keyword == b"basic":
            return self._basic(header)
        if keyword in {b"bearer", b"jwt"} and len(header) == 2:
            return self._bearer(request, header[1])
        if keyword in {b"bearer", b"jwt"}:
            raise exceptions.AuthenticationFailed("Invalid Authorization header.")
        return None

    @staticmethod
    def _basic(header):
        try:
            decoded = base64.b64decode(header[1], validate=True).decode("utf-8")
        except (IndexError, binascii.Error, UnicodeError, ValueError):
            raise exceptions.AuthenticationFailed("Invalid basic credentials.") from None
        role_id, sep, secret_id = decoded.partition(":")
        if len(header) != 2 or not sep or not role_id or not secret_id:
            raise exceptions.AuthenticationFailed("Invalid basic credentials.")
        principal = module_authenticate(role_id, secret_id, kinds=frozenset({"vle"}))
        if principal is None:
            raise exceptions.AuthenticationFailed("Invalid credentials.")
        return principal, Grant()

    @staticmethod
    def _bearer(request, raw: bytes):
        try:
            token = raw.decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        try:
            payload = token_read(token, salt=TOKEN_SALT)
        except LinkExpired:
            raise exceptions.AuthenticationFailed("The token has expired.") from None
        except signing.BadSignature:
            # Not one of ours: a TeSLA access token, if anything.
            result = JWTAuthentication().authenticate(request)
            if result is None:
                raise exceptions.AuthenticationFailed("Invalid token.") from None
            return result[0], Grant()
        vle = VLE.objects.filter(pk=payload.get("v")).first()
        if vle is None:
            raise exceptions.AuthenticationFailed("The token's application no longer exists.")
        return ModulePrincipal(kind="vle", module=vle), Grant(frozenset(payload.get("s", [])))

    def authenticate_header(self, request):
        return 'Basic realm="TeSLA Course Service"'


def expiry_seconds_until(moment) -> int:
    """Whole seconds from now until `moment` (rounded up; zero or less once it has passed)."""
    return math.ceil(moment.timestamp() - time.time())
