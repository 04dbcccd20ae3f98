"""Signed, expiring links: how stored files leave the server without a token.

Verification providers download request data, samples and models with a bare GET, and the
dashboard's PDF viewer opens consent documents the same way; neither can send an Authorization
header. Whoever is allowed to see a file (checked by the endpoint that hands out the link) gets
a URL that names the file, carries a signature over it and its expiry, and works for
`SIGNED_URL_MAX_AGE` seconds (or the `max_age` given)."""

import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse

FILE_SALT = "tesla.signing.file"


class LinkExpired(Exception):
    """A well-signed link whose time is over."""


def token_make(payload: dict[str, Any], *, salt: str, max_age: int | None = None) -> str:
    """A URL-safe token carrying `payload`, signed for `salt`, valid for `max_age` seconds."""
    age = settings.SIGNED_URL_MAX_AGE if max_age is None else max_age
    return signing.dumps({"p": payload, "e": int(time.time()) + age}, salt=salt, compress=True)


def token_read(token: str, *, salt: str) -> dict[str, Any]:
    """The payload of a token made by `token_make` with the same salt.

    Raises `signing.BadSignature` for a forged or damaged token and `LinkExpired` once it has
    expired."""
    data = signing.loads(token, salt=salt)
    if not isinstance(data, dict) or "p" not in data or "e" not in data:
        raise signing.BadSignature("Malformed token.")
    if int(data["e"]) < time.time():
        raise LinkExpired()
    return data["p"]


def absolute_url(path: str, request=None) -> str:
    """`path` on this server: as the caller reached it, or at PUBLIC_API_URL without a request."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.PUBLIC_API_URL + path


def signed_file_url(
    name: str,
    *,
    filename: str,
    content_type: str = "application/octet-stream",
    request=None,
    max_age: int | None = None,
) -> str:
    """A link that downloads the stored file `name` (a path in the default storage) as
    `filename`, without credentials, until it expires. The URL ends with the file name, so
    viewers and browsers pick the right handler."""
    return _download_link({"n": name, "t": content_type}, filename, request, max_age)


def _download_link(payload: dict[str, Any], filename: str, request, max_age: int | None) -> str:
    """The signed `/files/<token>/<filename>` link that `signed_file_view` serves."""
    token = token_make(payload, salt=FILE_SALT, max_age=max_age)
    path = reverse("signed-file", kwargs={"token": token, "filename": quote(filename, safe="")})
    return absolute_url(path, request)


UPLOAD_SALT = "tesla.signing.upload"


def signed_upload_form(
    name: str, *, max_bytes: int, request=None, max_age: int | None = None
) -> dict[str, Any]:
    """Where and how to upload the stored file `name` without credentials, shaped like an S3
    pre-signed POST (what the provider SDK sends a model to): `{url, fields}`. A multipart
    POST of `fields` plus the file as `file` replaces the stored file, up to `max_bytes`,
    until the link expires."""
    token = token_make({"n": name, "m": max_bytes}, salt=UPLOAD_SALT, max_age=max_age)
    return {"url": absolute_url(reverse("signed-upload"), request), "fields": {"token": token}}


def signed_sample_url(name: str, *, filename: str, request=None) -> str:
    """A link that shows the sample inside the stored verification payload `name` (its
    `data:` URL decoded, with its own media type), without credentials, until it expires:
    what the dashboard's audit puts in an `<img src>`."""
    return _download_link({"n": name, "k": "sample"}, filename, request, None)
