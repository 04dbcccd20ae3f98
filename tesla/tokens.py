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
from rest_framework_simplejwt.exceptions import TokenBackendError

GROUPS = {
    "admin": "users",
    "user": "users",
    "learner": "learners",
    "vle": "module_api",
    "provider": "module_api",
}
FILLER = "_f"


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
        if verify_exp:
            claims = _backend().decode(token, verify=True)
        else:
            # The refresh flow carries over the claims of an access token that may have
            # expired; its signature is still checked.
            claims = jwt.decode(
                token,
                settings.JWT_SIGNING_KEY,
                algorithms=["HS256"],
                options={"verify_exp": False},
            )
    except (TokenBackendError, jwt.PyJWTError) as exc:
        raise InvalidToken(str(exc)) from exc
    if not isinstance(claims, dict):
        raise InvalidToken("malformed claims")
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
) -> TokenPair:
    """Mint an access token and the refresh token that can renew it."""
    now = timezone.now()
    base = {
        "sid": uuid.uuid4().hex,
        "type": principal_type,
        "pk": pk,
        "sub": sub,
        "group": GROUPS[principal_type],
        **(extra or {}),
    }
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
