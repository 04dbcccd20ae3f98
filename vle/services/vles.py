"""VLEs: registering an institution's VLE, its LTI settings and its module credentials."""

import uuid
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from institution.models import Institution
from tesla.services import model_update
from vle.models import VLE


def vle_lti(*, url: str | None, lti: dict | None = None) -> dict:
    """The LTI settings of a VLE: the LTI 1.1 consumer key and secret (kept when they already
    exist, otherwise new uuid4 strings) and, when the VLE has a url, the Moodle LTI 1.3
    endpoints under it."""
    current = dict(lti or {})
    settings = {
        "consumer_key": current.get("consumer_key") or str(uuid.uuid4()),
        "consumer_secret": current.get("consumer_secret") or str(uuid.uuid4()),
    }
    if url:
        base = url.rstrip("/")
        settings.update(
            auth_login_url=f"{base}/mod/lti/auth.php",
            auth_token_url=f"{base}/mod/lti/token.php",
            key_set_url=f"{base}/mod/lti/certs.php",
        )
    return settings


def vle_check_url(*, url: str | None) -> str | None:
    """A VLE url is empty (None) or an absolute http(s) URL; host names without a domain
    (`http://moodle:8080`, common in containers) are fine."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationError({"url": ["Must be an absolute http or https URL."]})
    return url


def vle_create(
    *,
    institution: Institution,
    name: str,
    type: int = VLE.Type.MOODLE,
    url: str | None = None,
    client_id: str | None = None,
) -> tuple[VLE, dict[str, str]]:
    """Register a VLE of an institution with fresh LTI settings and module credentials. Its
    url is empty or an absolute http(s) URL (`vle_check_url`).

    Returns the VLE and its credentials `{role_id, secret_id}`; the secret is shown only now."""
    url = vle_check_url(url=url)
    vle = VLE.objects.create(
        institution=institution,
        name=name,
        type=type,
        url=url,
        client_id=client_id,
        lti=vle_lti(url=url),
    )
    return vle, vle.issue_credentials()


def vle_update(*, vle: VLE, **changes: Any) -> VLE:
    """Change a VLE's name, type, url or client id. A new url (checked as on registering)
    moves the LTI 1.3 endpoints; the LTI 1.1 key and secret stay."""
    if "url" in changes:
        changes["url"] = vle_check_url(url=changes["url"])
        changes["lti"] = vle_lti(url=changes["url"], lti=vle.lti)
    model_update(instance=vle, data=changes)
    return vle


def vle_renew_credentials(*, vle: VLE) -> dict[str, str]:
    """Give the VLE a new secret; the previous one stops working at once."""
    return vle.issue_credentials()
