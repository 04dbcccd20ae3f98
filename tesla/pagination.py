"""Limit/offset pages: `{count, count_estimated, next, previous, results}`, 10 rows by default,
at most 1000, starting at most `MAX_OFFSET` rows in.

- Non-numeric or negative `limit`/`offset` values fall back to the defaults instead of failing;
  an `offset` beyond `MAX_OFFSET` is a 400 naming `offset` (deep pages are for walking with
  filters and ordering, not for scanning a whole tenant).
- `next` and `previous` are exact: the page is read with one row beyond it, so `next` exists
  exactly when that row does. They are absolute URLs built from the host the client used (the
  Python SDK follows them only when they start with its API URL).
- `count` is exact up to `EXACT_COUNT_LIMIT` rows. Above it PostgreSQL answers the planner's
  estimate instead of counting every row, and `count_estimated` says so. SQLite always counts.
  When the page itself shows where the list ends, no count query runs at all.
- Pages past the first read their rows with a deferred join: the primary keys of the page are
  found first, on the narrow filtered and ordered query, and only those rows are then loaded
  with their related rows.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.db import connections
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

if TYPE_CHECKING:
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

MAX_OFFSET = 100_000
EXACT_COUNT_LIMIT = 10_000


def count_rows(queryset: QuerySet) -> tuple[int, bool]:
    """(number of rows, whether it is an estimate). Exact up to EXACT_COUNT_LIMIT rows; above,
    on PostgreSQL, the planner's estimate, from the same single query."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), False
    rows = queryset.order_by().values("pk")
    bounded = rows[: EXACT_COUNT_LIMIT + 1]
    bounded_sql, bounded_params = bounded.query.sql_with_params()
    full_sql, full_params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # The estimate's query is handed over as text, its parameters quoted by the driver.
        ops = cast("PostgresOperations", connection.ops)
        estimated_query = ops.compose_sql(full_sql, full_params)
        cursor.execute(
            "SELECT CASE WHEN counted.n <= %s THEN counted.n "
            "ELSE GREATEST(tesla_count_estimate(%s), counted.n) END, counted.n > %s "
            f"FROM (SELECT COUNT(*) AS n FROM ({bounded_sql}) AS page_rows) AS counted",
            (EXACT_COUNT_LIMIT, estimated_query, EXACT_COUNT_LIMIT, *bounded_params),
        )
        count, estimated = cursor.fetchone()
    return int(count), bool(estimated)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    default_limit = 10
    max_limit = 1000
    max_offset = MAX_OFFSET
    # Set by `paginate_queryset` before anything reads them; with a default limit, a page
    # always has one.
    request: Request
    limit: int
    offset: int
    count: int
    count_estimated: bool
    has_next: bool

    def get_limit(self, request) -> int:
        return super().get_limit(request) or self.default_limit

    def get_offset(self, request):
        offset = super().get_offset(request)
        if offset > self.max_offset:
            raise ValidationError(
                {self.offset_query_param: [f"Ensure this value is at most {self.max_offset}."]}
            )
        return offset

    def paginate_queryset(self, queryset, request, view=None):
        self.begin(request)
        if isinstance(queryset, QuerySet):
            return self.page_from(list(self.page_rows(queryset)), lambda: count_rows(queryset))
        rows = list(queryset)
        page = rows[self.offset : self.offset + self.limit + 1]
        return self.page_from(page, lambda: (len(rows), False))

    def begin(self, request) -> None:
        """Read the request's limit and offset (a 400 for an offset beyond the cap)."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)

    def page_from(self, rows: list, count: Callable[[], tuple[int, bool]]) -> list:
        """The page, from its rows read with one beyond it; `count()` gives (number of rows,
        estimated), asked only when the page does not show where the list ends."""
        self.has_next = len(rows) > self.limit
        page = rows[: self.limit]
        if not self.has_next and (page or self.offset == 0):
            # The page shows where the list ends: nothing left to count.
            self.count, self.count_estimated = self.offset + len(page), False
        else:
            self.count, self.count_estimated = count()
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return page

    def page_rows(self, queryset: QuerySet):
        """The page and the row after it. Past the first page, a deferred join: the page's
        keys from the bare filtered and ordered query, then just those rows in full."""
        end = self.offset + self.limit + 1
        if self.offset == 0 or queryset.query.distinct or queryset.query.combinator:
            return queryset[self.offset : end]
        keys = queryset.values("pk")[self.offset : end]
        return queryset.filter(pk__in=keys)

    def get_next_link(self):
        if not self.has_next:
            return None
        url = replace_query_param(
            self.request.build_absolute_uri(), self.limit_query_param, self.limit
        )
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_estimated": self.count_estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            f"Number of rows: exact up to {EXACT_COUNT_LIMIT}, above that possibly the "
            "database's estimate (see `count_estimated`)."
        )
        response["properties"] = {
            "count": properties.pop("count"),
            "count_estimated": {
                "type": "boolean",
                "description": "True when `count` is an estimate rather than an exact count.",
            },
            **properties,
        }
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.offset_query_param:
                parameter["schema"]["maximum"] = self.max_offset
                parameter["description"] = (
                    f"The initial index from which to return the results (at most "
                    f"{self.max_offset})."
                )
            elif parameter["name"] == self.limit_query_param:
                parameter["schema"]["maximum"] = self.max_limit
        return parameters
