"""Search and ordering backends shared by every list.

Every list is in a total order: whatever the client asks for, the primary key is appended
as the last ordering term, so pages never overlap or skip rows."""

import copy
from typing import Any

from django.http import QueryDict
from django_filters.filters import QuerySetRequestMixin
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters


class SearchFilter(filters.SearchFilter):
    pass


class OrderingFilter(filters.OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
        ordering = [term for term in ordering if isinstance(term, str)]
        if not any(term.lstrip("-") in {"pk", "id"} for term in ordering):
            ordering.append("pk")
        return queryset.order_by(*ordering)


class _PrebuiltFilterSet(BaseFilterSet):
    """Mixed in front of a view's FilterSet by `FilterBackend`: the form class is built once
    for the FilterSet class, and each request copies the filters shallowly. django-filter
    deep-copies every filter and builds a new form class (fields, labels, translations) on
    every request, which cost more CPU than the rest of the lookup. Only FilterSets whose
    filters are the same for every request use it (see `FilterBackend.prebuilt`)."""

    _prebuilt_form = None

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, with shallow copies of the filters.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, original in self.base_filters.items():
            filter_ = copy.copy(original)
            if filter_.method is not None:
                filter_.method = filter_.method  # a method filter calls this copy's parent
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_

    def get_form_class(self):
        cls = type(self)
        if cls._prebuilt_form is None:
            cls._prebuilt_form = super().get_form_class()
        return cls._prebuilt_form


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend; a view's `filterset_class` whose filters do not depend on the
    request runs as a `_PrebuiltFilterSet` (same filters, same errors: a 400 naming the
    parameter for a bad value)."""

    _prebuilt: dict[type, type] = {}

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        if filterset_class is getattr(view, "filterset_class", None):
            filterset_class = self.prebuilt(filterset_class)
        return filterset_class(**self.get_filterset_kwargs(request, queryset, view))

    @classmethod
    def prebuilt(cls, filterset_class: type[Any]) -> type[Any]:
        if filterset_class not in cls._prebuilt:
            # A filter choosing among the caller's own rows, or a FilterSet that sets its
            # filters up itself, is built the ordinary way.
            static = (
                filterset_class.__init__ is BaseFilterSet.__init__
                and filterset_class.get_form_class is BaseFilterSet.get_form_class
                and not any(
                    isinstance(filter_, QuerySetRequestMixin)
                    for filter_ in filterset_class.base_filters.values()
                )
            )
            cls._prebuilt[filterset_class] = (
                type(
                    filterset_class.__name__,
                    (_PrebuiltFilterSet, filterset_class),
                    {"__module__": filterset_class.__module__, "__doc__": filterset_class.__doc__},
                )
                if static
                else filterset_class
            )
        return cls._prebuilt[filterset_class]
