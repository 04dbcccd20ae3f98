"""Access and refresh tokens.

Tokens are HS256 JWTs signed with `JWT_SIGNING_KEY` (so they survive restarts) through
simplejwt's token backend. Claims follow the original server: `type` (admin, user, learner,
vle, provider), `pk`, `group`, `sub`, plus `token_type`, `jti`, `iat` and `exp`.

The Python SDK reads `exp` by decoding the payload segment with plain `base64.b64decode`,
adding no padding and using the standard alphabet. A filler claim `_f` is therefore sized so
that the payload segment is a multiple of four characters long and holds no `-` or `_`.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.backends import TokenBackend

from tesla.principals import GROUNDS, GROUNDS_CLAIM, PRINCIPAL_RESOLVERS, grounds_fingerprint

GROUPS = {
    "admin": "users",
    "user": "users",
    "learner": "learners",
    "vle": "module_api",
    "provider": "module_api",
}
FILLER = "_f"
# Claims that narrow what a token may do. A launcher login carries `scope: launcher`: the
# person acts only as a learner and/or instructor, never with admin flags (see institution.auth).
SCOPE_CLAIM = "scope"
LAUNCHER_SCOPE = "launcher"
# Claims that must match between an access token and the refresh token renewing it.
IDENTITY_CLAIMS = ("type", "pk", "group", SCOPE_CLAIM)


class InvalidToken(Exception):
    """The token is malformed, forged, expired or of the wrong kind."""


def _backend() -> TokenBackend:
    return TokenBackend(algorithm="HS256", signing_key=settings.JWT_SIGNING_KEY, leeway=0)


def _sdk_readable(token: str) -> bool:
    payload = token.split(".")[1]
    return len(payload) % 4 == 0 and "-" not in payload and "_" not in payload


def encode(claims: dict) -> str:
    """Sign `claims`, choosing a filler that keeps the payload readable by the Python SDK."""
    backend = _backend()
    for size in range(0, 24):
        token = backend.encode({**claims, FILLER: "x" * size})
        if _sdk_readable(token):
            return token
    raise RuntimeError("no filler size made the token payload base64-clean")  # pragma: no cover


def decode(token: str, *, token_type: str, verify_exp: bool = True) -> dict:
    """Verify a token's signature (and expiry) and return its claims."""
    try:
        # Without `verify_exp` (the refresh flow carries over the claims of an access token
        # that may have expired) the signature is still checked.
        claims = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=["HS256"],
            options={"verify_exp": verify_exp},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if not isinstance(claims, dict):
        raise InvalidToken("malformed claims")
    if not isinstance(claims.get("exp"), int | float):
        # A token that never expires would outlive every revocation.
        raise InvalidToken("the token has no expiry")
    if claims.get("token_type") != token_type or claims.get("type") not in GROUPS:
        raise InvalidToken("wrong token type")
    if claims.get("group") != GROUPS[claims["type"]]:
        raise InvalidToken("wrong token group")
    return claims


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def as_dict(self) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token}


def issue_pair(
    *,
    principal_type: str,
    pk: int,
    sub: str,
    refresh_minutes: int,
    extra: dict | None = None,
    principal=None,
) -> TokenPair:
    """Mint an access token and the refresh token that can renew it, both resting on the
    principal's current grounds (its password or credentials, see `principals.GROUNDS`).
    `principal`: the principal of `pk`, when the caller holds it already (else it is loaded)."""
    now = timezone.now()
    base = {
        "sid": uuid.uuid4().hex,
        "type": principal_type,
        "pk": pk,
        "sub": sub,
        "group": GROUPS[principal_type],
        **(extra or {}),
    }
    if principal_type in GROUNDS:
        if principal is None:
            principal = PRINCIPAL_RESOLVERS[principal_type](pk, base)
        base[GROUNDS_CLAIM] = grounds_fingerprint(principal_type, principal) if principal else ""
    access = encode(
        {
            **base,
            "token_type": "access",
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=settings.JWT_ACCESS_MINUTES)).timestamp()),
        }
    )
    refresh = encode(
        {
            **base,
            "token_type": "refresh",
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=refresh_minutes)).timestamp()),
            "ttl": settings.JWT_ACCESS_MINUTES,
        }
    )
    return TokenPair(access, refresh)


def renew_access(refresh_claims: dict, access_claims: dict | None = None) -> str:
    """A new access token for the principal of a valid refresh token."""
    now = timezone.now()
    carried = {
        key: value
        for key, value in (access_claims or refresh_claims).items()
        if key not in {"iat", "exp", "jti", "token_type", "ttl", FILLER}
    }
    # The grounds are the refresh token's, which were checked just now.
    if GROUNDS_CLAIM in refresh_claims:
        carried[GROUNDS_CLAIM] = refresh_claims[GROUNDS_CLAIM]
    minutes = int(refresh_claims.get("ttl") or settings.JWT_ACCESS_MINUTES)
    return encode(
        {
            **carried,
            "token_type": "access",
            "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        }
    )
