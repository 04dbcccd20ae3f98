"""Streaming stored files (consent PDFs, verification payloads) back to authorised callers.

Stored files are never served from a public media URL: each kind has an authenticated
endpoint that checks the caller like the object's detail does, then uses these helpers."""

import base64
import binascii
import json
import logging

from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import NotAcceptable, NotFound
from rest_framework.negotiation import DefaultContentNegotiation

logger = logging.getLogger(__name__)


class DownloadNegotiation(DefaultContentNegotiation):
    """For file downloads: a client that accepts only the file's type (a PDF viewer sending
    `Accept: application/pdf`) still gets the file rather than a 406; errors are then
    rendered with the first renderer (JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


def file_download(file, *, content_type: str, filename: str) -> FileResponse:
    """A stored file streamed back inline under `filename`, never kept by shared caches (it
    is personal data); a file missing from the storage (deleted by hand, lost volume) is a
    404, not a 500."""
    try:
        handle = file.open("rb")
    except OSError:
        logger.warning("Stored file %s is missing", file.name)
        raise NotFound("The stored file is missing.") from None
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def data_url_decode(data: str) -> tuple[bytes, str]:
    """The content and media type of a sample as senders store it: a base64 `data:` URL
    (`data:image/jpeg;base64,...`) is decoded; any other text is itself, as UTF-8 plain text.
    Raises ValueError for malformed base64."""
    head, comma, content = data.partition(",")
    if not (data.startswith("data:") and comma and head.endswith(";base64")):
        return data.encode("utf-8"), "text/plain; charset=utf-8"
    media_type = head[len("data:") : -len(";base64")] or "application/octet-stream"
    try:
        return base64.b64decode(content, validate=True), media_type
    except binascii.Error as error:
        raise ValueError(str(error)) from error


def _stored_sample(name: str) -> HttpResponse:
    """The sample inside a stored verification payload (JSON with a `data` member), decoded,
    so an `<img src>` or a viewer shows the picture or document itself."""
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as handle:
        payload = json.load(handle)
    content, media_type = data_url_decode(str(payload.get("data") or ""))
    return HttpResponse(content, content_type=media_type)


def signed_file_view(request, token: str, filename: str):
    """Serve a stored file named by a signed link (`tesla.signing.signed_file_url`): no
    credentials, just a valid, unexpired signature. Anything else is a JSON 404 (or 410 once
    the link has expired), so a guessed or edited link reveals nothing."""
    from django.core.files.storage import default_storage
    from django.core.signing import BadSignature
    from django.http import JsonResponse

    from tesla.signing import FILE_SALT, LinkExpired, token_read

    if request.method not in {"GET", "HEAD"}:
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    try:
        payload = token_read(token, salt=FILE_SALT)
    except LinkExpired:
        return JsonResponse({"detail": "This link has expired."}, status=410)
    except BadSignature:
        return JsonResponse({"detail": "Not found."}, status=404)
    response: HttpResponseBase
    try:
        if payload.get("k") == "sample":
            response = _stored_sample(payload["n"])
        else:
            handle = default_storage.open(payload["n"], "rb")
            response = FileResponse(handle, content_type=payload.get("t"), filename=filename)
    except (OSError, KeyError, ValueError):
        logger.warning("Signed link to a missing or unreadable file %s", payload.get("n"))
        return JsonResponse({"detail": "The stored file is missing."}, status=404)
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
def signed_upload_view(request):
    """Store a file through a signed upload form (`tesla.signing.signed_upload_form`): a
    multipart POST with the form's `token` field and the file as `file`. No credentials, just
    a valid, unexpired signature; the file replaces whatever was stored under the signed
    name. 204 on success, JSON errors otherwise (400 no file, 404 bad token, 410 expired,
    413 too large)."""
    from django.core.files.storage import default_storage
    from django.core.signing import BadSignature
    from django.http import HttpResponse, JsonResponse

    from tesla.signing import UPLOAD_SALT, LinkExpired, token_read

    if request.method != "POST":
        return JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
    try:
        payload = token_read(request.POST.get("token", ""), salt=UPLOAD_SALT)
    except LinkExpired:
        return JsonResponse({"detail": "This link has expired."}, status=410)
    except BadSignature:
        return JsonResponse({"detail": "Not found."}, status=404)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"file": ["A file is required."]}, status=400)
    if upload.size > payload["m"]:
        return JsonResponse({"file": [f"At most {payload['m']} bytes."]}, status=413)
    name = payload["n"]
    default_storage.delete(name)
    stored = default_storage.save(name, upload)
    if stored != name:  # a concurrent upload took the name first: it stands, drop this copy
        default_storage.delete(stored)
    return HttpResponse(status=204)
