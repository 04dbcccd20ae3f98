"""The base of every API viewset: parents from the URL, scoped to the caller, then roles.

A nested viewset declares its `parent_chain`; each `Parent` resolves one URL kwarg through a
queryset that is already limited to the caller and to the parents outside it. A parent that
does not exist or that the caller cannot reach is a 404, for lists as much as for details.
Only then do role rules (`access`) apply, so a 403 never reveals another tenant's objects.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, mixins, viewsets

from tesla import permissions as perms
from tesla.deletion import force_requested, owner_delete
from tesla.principals import institution_user_of, kind_of


@dataclass(frozen=True)
class Parent:
    """One URL parent: `name` in `view.parents`, read from URL kwarg `kwarg`, looked up by
    `field` in `queryset(request, outer_parents)`."""

    name: str
    kwarg: str
    queryset: Callable[..., QuerySet]
    field: str = "pk"


def resolve_parents(chain, request, kwargs) -> dict:
    parents: dict = {}
    for parent in chain:
        value = kwargs.get(parent.kwarg)
        if value in (None, ""):
            raise Http404
        obj = parent.queryset(request, parents).filter(**{parent.field: value}).first()
        if obj is None:
            raise Http404
        parents[parent.name] = obj
    return parents


class TeslaViewSet(viewsets.GenericViewSet):
    """Authentication, principal kind, parents, then roles, in that order."""

    parent_chain: tuple[Parent, ...] = ()
    # Which kinds of principal may use the endpoint at all: admin, user, learner, vle, provider.
    allowed_kinds: frozenset[str] = frozenset({"admin", "user"})
    # Roles allowed per action group: read, create, update, delete (or an action's own name);
    # "write" stands for create and update.
    access: dict[str, frozenset[str] | set[str]] = {}
    permission_classes = [perms.RoleAccess]
    lookup_value_regex = "[0-9]+"

    def initial(self, request, *args, **kwargs):
        self.parents = {}
        super().initial(request, *args, **kwargs)

    def check_permissions(self, request):
        if not getattr(request.user, "is_authenticated", False):
            self.permission_denied(request)
        if kind_of(request.user) not in self.allowed_kinds:
            self.permission_denied(request, message="This endpoint is not for this kind of caller.")
        if getattr(self, "action", None) is None and request.method != "OPTIONS":
            # A method the endpoint does not have is a 405, not a 403 from unmatched roles.
            raise exceptions.MethodNotAllowed(request.method)
        if not self.schema_only():
            self.parents = resolve_parents(self.parent_chain, request, self.kwargs)
        super().check_permissions(request)

    def schema_only(self) -> bool:
        """True while drf-spectacular inspects the view (no request, no parents)."""
        return getattr(self, "swagger_fake_view", False)

    # Roles ---------------------------------------------------------------------------------
    def caller_roles(self) -> set[str]:
        """The caller's roles for this request; course-nested views add course roles."""
        user = self.request.user
        kind = kind_of(user)
        if kind in {"vle", "provider"}:
            return {perms.VLE if kind == "vle" else perms.PROVIDER}
        if kind == "learner":
            return {perms.LEARNER_TOKEN}
        roles: set[str] = set()
        if user.is_staff:
            roles.add(perms.GLOBAL_ADMIN)
        member = institution_user_of(self.request)
        if member is not None:
            roles.add(perms.MEMBER)
            roles.update(member.roles)
        return roles

    def access_group(self) -> str:
        action = getattr(self, "action", None) or ""
        return perms.ACTION_GROUPS.get(action, action)

    def allowed_roles(self) -> set[str]:
        group = self.access_group()
        if group in self.access:
            return set(self.access[group])
        if group in {"create", "update"}:
            return set(self.access.get("write", ()))
        return set()

    def has_access(self, request) -> bool:
        return bool(self.caller_roles() & self.allowed_roles())

    # Deleting -----------------------------------------------------------------------------
    def delete_owner(self, owner, delete=None) -> None:
        """Delete `owner` (with `delete()`, by default `owner.delete()`), refusing with a 409
        while it owns verification evidence unless an admin forces it (`tesla.deletion`)."""
        owner_delete(
            owner=owner,
            delete=delete or owner.delete,
            force=force_requested(self.request),
            may_force=bool(self.caller_roles() & {perms.ADMIN, perms.GLOBAL_ADMIN}),
        )

    # Serializer context --------------------------------------------------------------------
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parents"] = getattr(self, "parents", {})
        return context


class DestroyMixin(mixins.DestroyModelMixin):
    """DELETE, refused while the object owns verification evidence (`delete_owner`)."""

    def perform_destroy(self, instance):
        self.delete_owner(instance)


class TeslaModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    DestroyMixin,
    TeslaViewSet,
):
    """Create, read, update and delete, nested and scoped."""


class TeslaReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TeslaViewSet):
    """List and read, nested and scoped."""
