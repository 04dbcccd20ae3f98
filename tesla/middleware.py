"""Serve every API path as real clients spell it, without redirects."""

import re

from django.urls import Resolver404, get_resolver

DOUBLE_SLASH = re.compile(r"/{2,}")


class TolerantPathMiddleware:
    """Resolve `/x` as `/x/` (and `/x/` as `/x`), and collapse doubled slashes, in place.

    The PHP SDK and the dashboard call some routes without their trailing slash, and a 301
    would make curl re-send a POST without its body, so the path is fixed here instead of
    redirected. Only paths that do not resolve as given are touched.
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
        try:
            get_resolver().resolve(path)
        except Resolver404:
            return False
        return True
