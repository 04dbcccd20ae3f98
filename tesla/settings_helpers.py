"""Small readers of settings used by several modules."""

from django.conf import settings


def refresh_minutes(principal_type: str) -> int:
    """How long a refresh token issued to this kind of principal may renew access tokens."""
    if principal_type == "admin":
        return settings.JWT_REFRESH_MINUTES["admin"]
    if principal_type in {"vle", "provider"}:
        return settings.JWT_REFRESH_MINUTES["module"]
    return settings.JWT_REFRESH_MINUTES["user"]
