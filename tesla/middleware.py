"""Serve every API path as real clients spell it, without redirects."""

import functools
import re

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.urls import Resolver404, get_resolver

DOUBLE_SLASH = re.compile(r"/{2,}")
# Paths whose clients read JSON: an unknown one is a JSON 404, never Django's HTML page.
API_PREFIXES = ("/api/", "/lapi/", "/health")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def json_error(detail: str, status: int, **headers) -> JsonResponse:
    """An error in the API's shape (`{"detail": ...}`) for answers given outside DRF."""
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class TolerantPathMiddleware:
    """Resolve `/x` as `/x/` (and `/x/` as `/x`), and collapse doubled slashes, in place.

    The PHP SDK and the dashboard call some routes without their trailing slash, and a 301
    would make curl re-send a POST without its body, so the path is fixed here instead of
    redirected. Only paths that do not resolve as given are touched; an API path that resolves
    in no spelling is a JSON 404 here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not self._resolves(path):
            for candidate in self._candidates(path):
                if self._resolves(candidate):
                    request.path_info = candidate
                    break
            else:
                if is_api_path(path):
                    return json_error("Not found.", 404)
        return self.get_response(request)

    @staticmethod
    def _candidates(path: str):
        collapsed = DOUBLE_SLASH.sub("/", path)
        for base in dict.fromkeys((collapsed, path)):
            if base != path:
                yield base
            if base.endswith("/"):
                yield base.rstrip("/")
            else:
                yield base + "/"

    @staticmethod
    def _resolves(path: str) -> bool:
        return path_resolves(settings.ROOT_URLCONF, path)


@functools.lru_cache(maxsize=4096)
def path_resolves(urlconf: str, path: str) -> bool:
    """Whether `path` matches a URL pattern. Remembered per process (it depends on the code
    alone), so that a request whose path is spelled right is resolved once, by Django, not
    twice: the plugins' lookups repeat a few paths (the query string is not part of it)."""
    try:
        get_resolver(urlconf).resolve(path)
    except Resolver404:
        return False
    return True


DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly."


def database_unavailable() -> JsonResponse:
    """503 with Retry-After: the database is down, unreachable or timed out."""
    return json_error(
        DATABASE_UNAVAILABLE, 503, Retry_After=str(settings.DATABASE_RETRY_AFTER_SECONDS)
    )


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database (connection refused, timeout, a connection lost
    mid-request) answers 503 JSON with Retry-After instead of a 500. DRF views get the same
    answer from the exception handler; this catches the rest, such as the failure to open the
    request's transaction. Django closes the broken connection when the request ends, so the
    next request reconnects as soon as the database is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable()
        return None


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is larger than `REQUEST_BODY_MAX_BYTES` with a
    JSON 413, before anything reads it.

    Django caps form and JSON bodies only once they are being read, and never caps the files
    of a multipart body (they stream to temporary files), so without this an anonymous client
    could make any endpoint spool a body of any size to disk. A body without Content-Length
    (chunked) is not read by Django's WSGI handler at all. Attachments keep their own, smaller
    per-document cap (`ATTACHMENT_MAX_BYTES`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error("Invalid Content-Length.", 400)
        if declared > settings.REQUEST_BODY_MAX_BYTES:
            # The server (gunicorn, runserver) drops the unread body with the connection.
            return json_error(
                f"Request body is too large (at most {settings.REQUEST_BODY_MAX_BYTES} bytes).",
                413,
            )
        return self.get_response(request)
