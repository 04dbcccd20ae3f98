"""The base of every API viewset: parents from the URL, scoped to the caller, then roles.

A nested viewset declares its `parent_chain`; each `Parent` resolves one URL kwarg through a
queryset that is already limited to the caller and to the parents outside it. A parent that
does not exist or that the caller cannot reach is a 404, for lists as much as for details.
Only then do role rules (`access`) apply, so a 403 never reveals another tenant's objects.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import exceptions, mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from tesla import permissions as perms
from tesla.deletion import force_requested, owner_delete
from tesla.principals import institution_user_of, kind_of


@dataclass(frozen=True)
class Parent:
    """One URL parent: `name` in `view.parents`, read from URL kwarg `kwarg`, looked up by
    `field` in `queryset(request, outer_parents)`.

    `known(request, outer_parents)` may return the object the request has loaded already (the
    caller's own VLE or institution, read with the principal): when the URL names it, it is
    used as it is, without a query; any other value goes through `queryset`."""

    name: str
    kwarg: str
    queryset: Callable[..., QuerySet]
    field: str = "pk"
    known: Callable[..., Model | None] | None = None
    # An outer parent found with this one, in the same query: (name, URL kwarg, attribute).
    # The lookup also matches `<attribute>_id` against the kwarg, and the outer parent is the
    # attribute of the object found (its queryset must select_related it and scope it).
    carries: tuple[str, str, str] | None = None

    def resolve(self, request, parents: dict, kwargs: dict):
        value = kwargs.get(self.kwarg)
        if value in (None, ""):
            return None
        if self.known is not None and self.field == "pk":
            obj = self.known(request, parents)
            if obj is not None and str(obj.pk) == str(value):
                return obj
        lookup = {self.field: value}
        if self.carries is not None:
            _, outer_kwarg, attribute = self.carries
            if kwargs.get(outer_kwarg) in (None, ""):
                return None
            lookup[f"{attribute}_id"] = kwargs[outer_kwarg]
        return self.queryset(request, parents).filter(**lookup).first()


def resolve_parents(chain, request, kwargs) -> dict:
    parents: dict = {}
    for parent in chain:
        obj = parent.resolve(request, parents, kwargs)
        if obj is None:
            raise Http404
        if parent.carries is not None:
            outer_name, _, attribute = parent.carries
            parents[outer_name] = getattr(obj, attribute)
        parents[parent.name] = obj
    return parents


class TransactionPerWrite:
    """One transaction per writing request, none for reads.

    Mixed into every API view. `ATOMIC_REQUESTS` stays on for the rest of the site, but these
    views are exempt from it and open their own transaction only for unsafe methods, so a read
    costs no BEGIN/COMMIT round trips. DRF's exception handler still rolls a write back when it
    turns an exception into an error response (it marks the open atomic block)."""

    runs_in_transaction = True

    @classmethod
    def as_view(cls, *args, **kwargs):
        return transaction.non_atomic_requests(super().as_view(*args, **kwargs))

    def dispatch(self, request, *args, **kwargs):
        self.runs_in_transaction = request.method not in SAFE_METHODS
        if not self.runs_in_transaction:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class TeslaViewSet(TransactionPerWrite, viewsets.GenericViewSet):
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
