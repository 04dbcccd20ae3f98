"""Query helpers shared by the apps."""

import json
from datetime import UTC

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class JSONArrayAgg(Aggregate):
    """The aggregated values as one JSON array: JSONB_AGG on PostgreSQL, JSON_GROUP_ARRAY on
    SQLite."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def json_rows(related: QuerySet, link: str, **fields) -> Subquery:
    """An annotation holding, for each outer row, the rows of `related` whose `link` points to
    it, as a JSON list of `{name: value}` objects (None when there are none).

    It replaces a prefetch where a list must stay within a fixed, small number of queries: the
    related rows come back inside the page query itself. Read the values with `json_value`
    and `json_datetime`: backends differ in how they write JSON columns and datetimes."""
    rows = (
        related.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONArrayAgg(JSONObject(**fields)))
        .values("rows")
    )
    return Subquery(rows, output_field=JSONField())


def json_value(value):
    """A JSON column read through `json_rows`: SQLite hands nested JSON over as its text."""
    return json.loads(value) if isinstance(value, str) else value


def json_datetime(value):
    """A datetime read through `json_rows` (ISO text, naive on SQLite where it is UTC)."""
    if value is None:
        return None
    moment = parse_datetime(value.replace(" ", "T", 1)) if isinstance(value, str) else value
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment
