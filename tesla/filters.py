"""Search and ordering backends shared by every list.

Every list is in a total order: whatever the client asks for, the primary key is appended
as the last ordering term, so pages never overlap or skip rows."""

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
