"""Limit/offset pages: `{count, next, previous, results}`, 10 by default, at most 1000.

Out-of-range or non-numeric `limit`/`offset` values fall back to the defaults instead of
failing, and `next`/`previous` are absolute URLs built from the host the client used (the
Python SDK follows them only when they start with its API URL)."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 10
    max_limit = 1000
