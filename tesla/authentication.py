"""`Authorization: JWT <token>` (or `Bearer <token>`) for every API view."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from tesla import tokens
from tesla.principals import principal_from_claims

KEYWORDS = (b"jwt", b"bearer")


class JWTAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by its access token.

    No header means anonymous (the permission then answers 401, since this class declares a
    `WWW-Authenticate` header). A header that is present but malformed, a forged or expired
    token, a token whose principal no longer exists or is deactivated, and a module token
    issued before its credentials were rotated are 401s.
    """

    keyword = "JWT"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            raw = header[1].decode("ascii")
            claims = tokens.decode(raw, token_type="access")
        except (UnicodeError, tokens.InvalidToken) as exc:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token.")) from exc
        principal = principal_from_claims(claims, token_type="access")
        if principal is None:
            raise exceptions.AuthenticationFailed(_("The token's principal does not exist."))
        return principal, claims

    def authenticate_header(self, request):
        return self.keyword
