"""Streaming stored files (consent PDFs, verification payloads) back to authorised callers.

Stored files are never served from a public media URL: each kind has an authenticated
endpoint that checks the caller like the object's detail does, then uses these helpers."""

import logging

from django.http import FileResponse
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
    try:
        handle = default_storage.open(payload["n"], "rb")
    except (OSError, KeyError):
        logger.warning("Signed link to a missing file %s", payload.get("n"))
        return JsonResponse({"detail": "The stored file is missing."}, status=404)
    response = FileResponse(handle, content_type=payload.get("t"), filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
