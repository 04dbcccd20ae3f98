"""The first page of a list the plugins look up by exact values, its SQL compiled once.

The VLE plugins find a course by `vle_course_id` and an activity by its VLE type and id
through the lists, on almost every page a learner opens. `CompiledFirstPage` serves such a
request through a `tesla.precompiled.Lookup` of the whole page query: the request's filters are
validated as usual, and the query that the view's own `get_queryset`, filters and ordering
build is compiled once per connection and shape (which filters are given, the page size), then
only executed with the request's values. Anything else (another page, search, ordering, a
filter that is not an exact text match, an invalid value) goes the usual way, so answers and
errors are the same; only the CPU differs.
"""

import builtins
import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.http import HttpRequest, QueryDict
from django_filters import CharFilter
from rest_framework.request import Request

from tesla.filters import FilterBackend
from tesla.pagination import LimitOffsetPagination, count_rows
from tesla.precompiled import Lookup, instance_stand_ins, shape_of
from tesla.viewsets import TeslaViewSet, attach_parents

# The start of a filter value's stand-in while compiling (see `Lookup`): text no client
# filters by.
TEXT_STAND_IN = "tesla-stand-in-7000401"


# What the mixin goes into, for the type checker (a list view of the project).
if TYPE_CHECKING:
    _ViewBase = TeslaViewSet
else:
    _ViewBase = object


class CompiledFirstPage(_ViewBase):
    """For a list view whose `get_queryset` reads nothing of the request but its URL parents
    (and whose rows no caller narrows): see the module docstring."""

    # (view class, parents' names and models, given filters, limit) -> Lookup
    _page_lookups: dict[tuple, Lookup] = {}

    def list(self, request, *args, **kwargs):
        page = self.compiled_first_page(request)
        if page is None:
            return super().list(request, *args, **kwargs)  # type: ignore[misc] # ListModelMixin follows
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def compiled_first_page(self, request) -> builtins.list | None:
        """The first page through a compiled query, or None when the request does not fit."""
        paginator = self.paginator
        if self.own_field is not None or not isinstance(paginator, LimitOffsetPagination):
            return None  # rows narrowed to the caller, or another kind of page
        params = request.query_params
        page_params = {paginator.limit_query_param, paginator.offset_query_param}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None or not params.keys() - page_params:
            return None
        filterset = FilterBackend.prebuilt(filterset_class)(
            data=params, queryset=filterset_class._meta.model._default_manager.none()
        )
        if not filterset.is_valid():
            return None
        given = {}
        for name in params.keys() - page_params:
            filter_ = filterset.filters.get(name)
            if not _exact_text(filter_):
                return None
            value = filterset.form.cleaned_data.get(name)
            if value not in (None, ""):
                given[name] = value
        paginator.begin(request)
        if paginator.offset != 0:
            return None
        lookup = self._page_lookup(sorted(given), paginator.limit)
        rows = lookup.all(**self.parents, **{f"filter_{name}": v for name, v in given.items()})
        for row in rows:
            attach_parents(row, self.parents)
        return paginator.page_from(
            rows,
            lambda: count_rows(self.filter_queryset(self.get_queryset())),
        )

    def _page_lookup(self, names: Sequence[str], limit: int) -> Lookup:
        parents = self.parents
        key = (type(self), shape_of(parents), tuple(names), limit)
        lookup = self._page_lookups.get(key)
        if lookup is None:
            stand_ins: dict = instance_stand_ins(parents, -7_000_501)
            for name in names:
                stand_ins[f"filter_{name}"] = f"{TEXT_STAND_IN}-{name}"
            # The plan is built from a bare copy of this view, not the view: no request kept.
            template = copy.copy(self)
            template.__dict__.pop("roles_held", None)
            template.request = None  # type: ignore[assignment]
            lookup = self._page_lookups[key] = Lookup(
                self.get_queryset().model,
                lambda **values: template._first_page_query(values, names, limit),
                ignorable=[name for name in parents],
                **stand_ins,
            )
        return lookup

    def _first_page_query(self, values: dict, names: Sequence[str], limit: int):
        """The query the usual path runs for the first page, built with `values`."""
        clone = copy.copy(self)
        clone.parents = {name: values[name] for name in self.parents}
        query = QueryDict(mutable=True)
        for name in names:
            query[name] = values[f"filter_{name}"]
        http_request = HttpRequest()
        http_request.method = "GET"
        http_request.GET = query
        clone.request = Request(http_request)
        rows = clone.filter_queryset(clone.get_queryset())
        return rows[: limit + 1]


def _exact_text(filter_) -> bool:
    """Whether a filter matches its text value exactly, as given (what a stand-in can take)."""
    return (
        type(filter_) is CharFilter
        and filter_.lookup_expr == "exact"
        and filter_.method is None
        and not filter_.exclude
        and not filter_.distinct
    )
