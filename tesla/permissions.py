"""Role checks. A view declares which roles may do what (`access`); the caller's roles are
those of its principal plus those its URL parents grant (`CallerRoles`); tenancy itself is
enforced earlier, by resolving the URL's parents through querysets limited to the caller (a
foreign parent is a 404).

`RoleAccess` is the default permission class of every API view (settings.REST_FRAMEWORK): it
reads the view's declarations, so a view that declares none is refused, never let through.
"""

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework.permissions import BasePermission

GLOBAL_ADMIN = "GLOBAL_ADMIN"
ADMIN = "ADMIN"
LEGAL = "LEGAL"
SEND = "SEND"
DATA = "DATA"
INSTRUCTOR = "INSTRUCTOR"
LEARNER = "LEARNER"
MEMBER = "MEMBER"
COURSE_INSTRUCTOR = "COURSE_INSTRUCTOR"
COURSE_LEARNER = "COURSE_LEARNER"
VLE = "VLE"
PROVIDER = "PROVIDER"
LEARNER_TOKEN = "LEARNER_TOKEN"
# The URL names the caller's own person (a user or learner parent, or the view's object).
SELF = "SELF"

INSTITUTION_ROLES = (INSTRUCTOR, LEARNER, ADMIN, SEND, LEGAL, DATA)

ACTION_GROUPS = {
    "list": "read",
    "retrieve": "read",
    "create": "create",
    "update": "update",
    "partial_update": "update",
    "destroy": "delete",
}

# grants(request, obj, parents) -> the roles a resolved URL parent gives the caller.
Grant = Callable[[Any, Model, dict], set[str]]


class CallerRoles:
    """The caller's roles in one request: those of its principal (`held`), and those its URL
    parents grant (a course grants course roles), asked only when the held roles do not
    already answer the question, and each parent once. So an institution admin passing a
    course endpoint costs no course-role query."""

    def __init__(self, request, held: Iterable[str]) -> None:
        self.request = request
        self.held = set(held)
        self._pending: list[tuple[Grant, Model, dict]] = []

    def grant_later(self, grant: Grant, obj: Model, parents: dict) -> None:
        self._pending.append((grant, obj, parents))

    def all(self) -> set[str]:
        """Every role, the granted ones included (asks the parents still pending)."""
        while self._pending:
            grant, obj, parents = self._pending.pop(0)
            self.held |= grant(self.request, obj, parents)
        return self.held

    def holds_any(self, wanted: Collection[str]) -> bool:
        if self.held & set(wanted):
            return True
        return bool(self._pending) and bool(self.all() & set(wanted))


def narrowed_to_own(
    rows: QuerySet,
    *,
    roles: CallerRoles,
    field: str,
    sees_all: Collection[str],
    person_pk: int | None,
    narrows: Collection[str] | None = None,
) -> QuerySet:
    """Staff see all, others see their own: every row for callers holding a role of
    `sees_all`; for the others, the rows whose `field` is their own person's id. With
    `narrows`, only callers holding one of those roles are narrowed and the rest keep every
    row, for a URL parent whose role check comes after it (a caller with no role at all then
    gets its 403, not a 404)."""
    if roles.holds_any(sees_all):
        return rows
    if narrows is not None and not roles.holds_any(narrows):
        return rows
    return rows.filter(**{field: person_pk})


class RoleAccess(BasePermission):
    """Grants the request when the caller holds one of the roles the view allows for it. A
    view without role declarations (not a `TeslaViewSet`) is refused: it must name its own
    permission class."""

    def has_permission(self, request, view) -> bool:
        has_access = getattr(view, "has_access", None)
        return bool(has_access is not None and has_access(request))
