"""The base of every API viewset: parents from the URL, scoped to the caller, then roles.

A nested viewset declares its `parent_chain`; each `Parent` resolves one URL kwarg through a
queryset that is already limited to the caller and to the parents outside it. A parent that
does not exist or that the caller cannot reach is a 404, for lists as much as for details.
Only then do role rules (`access`) apply, so a 403 never reveals another tenant's objects.

A parent may grant roles (`grants`: the course grants course-instructor and course-learner),
and a view or a parent may show callers without an all-seeing role only their own rows
(`own_field` and `sees_all`): these are declarations, read by `TeslaViewSet` and
`tesla.permissions.RoleAccess`, never hand-written checks.
"""

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from rest_framework import exceptions, mixins, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from tesla import permissions as perms
from tesla.deletion import force_requested, owner_delete
from tesla.precompiled import Lookup, instance_stand_ins, shape_of
from tesla.principals import caller_person_pk, institution_user_of, kind_of


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
    # grants(request, obj, parents): roles the caller holds because of this parent (asked
    # only when the caller's own roles do not answer, see `perms.CallerRoles`).
    grants: perms.Grant | None = None
    # Callers holding a role of `narrows` but none of `sees_all` reach only the parents
    # whose `own_field` is their own person (another learner's report is a 404 to a learner).
    own_field: str | None = None
    sees_all: frozenset[str] = frozenset()
    narrows: frozenset[str] | None = None
    # Look the parent up with SQL compiled once per connection (`tesla.precompiled`): for the
    # parents every request of a hot path resolves. Their `queryset` must read nothing but the
    # outer parents' primary keys (not the request), and they have no `own_field` nor
    # `carries`. The outer parents the object points to are set on it, without a query.
    compiled: bool = False

    def __post_init__(self):
        if self.compiled and (self.own_field is not None or self.carries is not None):
            raise ValueError(f"{self.name}: a compiled parent has no own_field nor carries")

    def resolve(self, request, parents: dict, kwargs: dict, roles: perms.CallerRoles):
        value = kwargs.get(self.kwarg)
        if value in (None, ""):
            return None
        if self.known is not None and self.field == "pk":
            obj = self.known(request, parents)
            if obj is not None and str(obj.pk) == str(value):
                return obj
        if self.compiled:
            return compiled_parent(self, parents, value)
        lookup = {self.field: value}
        if self.carries is not None:
            _, outer_kwarg, attribute = self.carries
            if kwargs.get(outer_kwarg) in (None, ""):
                return None
            lookup[f"{attribute}_id"] = kwargs[outer_kwarg]
        rows = self.queryset(request, parents)
        if self.own_field is not None:
            rows = perms.narrowed_to_own(
                rows,
                roles=roles,
                field=self.own_field,
                sees_all=self.sees_all,
                person_pk=caller_person_pk(request),
                narrows=self.narrows,
            )
        try:
            return rows.filter(**lookup).first()
        except ValidationError:
            # A malformed value (a learner UUID) cannot name a parent: a 404 like any other.
            return None


# (parent, the outer parents' names and models) -> its Lookup
_COMPILED_PARENTS: dict[tuple, Lookup] = {}


def _lookup_field(model: type[Model], name: str) -> models.Field:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)  # type: ignore[return-value]


def _stand_in(field: models.Field):
    """A stand-in of a value of `field` for a `Lookup`'s compilation."""
    if isinstance(field, models.IntegerField):
        return -7_000_201
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=7_000_201)
    return "\x00tesla-stand-in"


def _parent_lookup(parent: Parent, parents: dict) -> Lookup:
    model = parent.queryset(None, parents).model
    outer = instance_stand_ins(parents, -7_000_301)

    def build(**values):
        rows = parent.queryset(None, {name: values[name] for name in outer})
        rows = rows.filter(**{parent.field: values["value"]})
        return (rows if rows.ordered else rows.order_by("pk"))[:1]

    stand_in = _stand_in(_lookup_field(model, parent.field))
    # A parent's query need not name every outer parent (an activity is found by its course).
    return Lookup(model, build, ignorable=outer, value=stand_in, **outer)


def compiled_parent(parent: Parent, parents: dict, value) -> Model | None:
    """`parent.queryset(None, parents).filter(<field>=value).first()` through a `Lookup`,
    with the outer parents it points to set on it."""
    key = (parent, shape_of(parents))
    lookup = _COMPILED_PARENTS.get(key)
    if lookup is None:
        lookup = _COMPILED_PARENTS[key] = _parent_lookup(parent, parents)
    model = lookup.model
    try:
        value = _lookup_field(model, parent.field).to_python(value)
    except ValidationError:
        return None
    obj = lookup.first(value=value, **parents)
    if obj is not None:
        attach_parents(obj, parents)
    return obj


def attach_parents(obj: Model, parents: dict) -> None:
    """Set on `obj` the URL parents it points to (its course, its VLE), so that nothing reads
    them again."""
    for field in obj._meta.concrete_fields:
        if not field.many_to_one:
            continue
        for outer in parents.values():
            if type(outer) is field.related_model and getattr(obj, field.attname) == outer.pk:
                setattr(obj, field.name, outer)


def resolve_parents(chain, request, kwargs, roles: perms.CallerRoles) -> dict:
    """The URL's parents, outermost first (404 for one the caller cannot reach); what each
    grants is added to `roles`, to be asked when needed."""
    parents: dict = {}
    for parent in chain:
        obj = parent.resolve(request, parents, kwargs, roles)
        if obj is None:
            raise Http404
        if parent.carries is not None:
            outer_name, _, attribute = parent.carries
            parents[outer_name] = getattr(obj, attribute)
        parents[parent.name] = obj
        if parent.grants is not None:
            roles.grant_later(parent.grants, obj, parents)
    return parents


def grants_self(request, obj, parents) -> set[str]:
    """For `Parent.grants`: SELF when the parent is the caller's own person (user, learner)."""
    person = caller_person_pk(request)
    return {perms.SELF} if person is not None and obj.pk == person else set()


# What TransactionPerWrite is mixed into, for the type checker (any DRF view).
if TYPE_CHECKING:
    _ViewBase = APIView
else:
    _ViewBase = object


class TransactionPerWrite(_ViewBase):
    """One transaction per writing request, none for reads.

    Mixed into every API view. `ATOMIC_REQUESTS` stays on for the rest of the site, but these
    views are exempt from it and open their own transaction only for unsafe methods, so a read
    costs no BEGIN/COMMIT round trips. DRF's exception handler still rolls a write back when it
    turns an exception into an error response (it marks the open atomic block)."""

    runs_in_transaction = True
    # False for a view whose unsafe methods write nothing (a credential check).
    unsafe_methods_write = True

    @classmethod
    def as_view(cls, *args, **kwargs):
        return transaction.non_atomic_requests(super().as_view(*args, **kwargs))

    def dispatch(self, request, *args, **kwargs):
        self.runs_in_transaction = self.unsafe_methods_write and request.method not in SAFE_METHODS
        if not self.runs_in_transaction:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class TeslaViewSet(TransactionPerWrite, viewsets.GenericViewSet):
    """Authentication, principal kind, parents, then roles, in that order."""

    parent_chain: tuple[Parent, ...] = ()
    # Which kinds of principal may use the endpoint at all: admin, user, learner, vle, provider.
    allowed_kinds: frozenset[str] = frozenset({"admin", "user"})
    # Roles allowed per action (its own name first), then per action group: read, create,
    # update, delete; "write" stands for create and update. OPTIONS is the group "metadata".
    access: dict[str, frozenset[str] | set[str]] = {}
    # "Staff see all, others see their own": with `own_field`, callers holding no role of
    # `sees_all` get only the rows whose `own_field` is their own person's id.
    own_field: str | None = None
    sees_all: frozenset[str] = frozenset()
    # The URL kwarg that may name the caller's own person (a user's or learner's id): the
    # caller it names holds SELF.
    self_kwarg: str | None = None
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
        if self.action is None and request.method != "OPTIONS":
            # A method the endpoint does not have is a 405, not a 403 from unmatched roles.
            raise exceptions.MethodNotAllowed(request.method)
        if not self.schema_only():
            self.parents = resolve_parents(self.parent_chain, request, self.kwargs, self.roles_held)
        super().check_permissions(request)

    def schema_only(self) -> bool:
        """True while drf-spectacular inspects the view (no request, no parents): the one way
        the project tells schema generation from a request."""
        return getattr(self, "swagger_fake_view", False)

    # Roles ---------------------------------------------------------------------------------
    @cached_property
    def roles_held(self) -> perms.CallerRoles:
        """The caller's roles in this request (`perms.CallerRoles`)."""
        return perms.CallerRoles(self.request, self.principal_roles())

    def principal_roles(self) -> set[str]:
        """The roles the caller holds by who it is, before any URL parent grants more."""
        user = self.request.user
        kind = kind_of(user)
        if kind in {"vle", "provider"}:
            return {perms.VLE if kind == "vle" else perms.PROVIDER}
        roles: set[str] = set()
        if kind == "learner":
            roles.add(perms.LEARNER_TOKEN)
        elif user.is_staff:
            roles.add(perms.GLOBAL_ADMIN)
        member = institution_user_of(self.request)
        if member is not None:
            roles.add(perms.MEMBER)
            roles.update(member.roles)
        if self.self_kwarg is not None:
            person = caller_person_pk(self.request)
            named = self.kwargs.get(self.self_kwarg)
            if person is not None and named is not None and str(named) == str(person):
                roles.add(perms.SELF)
        return roles

    def caller_roles(self) -> set[str]:
        """Every role of the caller, those its URL parents grant included."""
        return self.roles_held.all()

    def holds_any(self, roles: Collection[str]) -> bool:
        """Whether the caller holds one of `roles` (granted roles asked only if needed)."""
        return self.roles_held.holds_any(roles)

    def access_group(self) -> str:
        action = self.action or ""
        if not action and self.request.method == "OPTIONS":
            return "metadata"
        return perms.ACTION_GROUPS.get(action, action)

    def allowed_roles(self) -> set[str]:
        action = self.action or ""
        if action in self.access:
            return set(self.access[action])
        group = self.access_group()
        if group in self.access:
            return set(self.access[group])
        if group in {"create", "update"}:
            return set(self.access.get("write", ()))
        return set()

    def has_access(self, request) -> bool:
        return self.holds_any(self.allowed_roles())

    # Scope ---------------------------------------------------------------------------------
    def filter_queryset(self, queryset):
        """The view's filters, after `own_field` narrowed the rows to the caller's own."""
        if self.own_field is not None and not self.schema_only():
            queryset = self.own_rows(queryset)
        return super().filter_queryset(queryset)

    def own_rows(self, queryset):
        """Every row for callers holding a role of `sees_all`, else their own (`own_field`)."""
        return perms.narrowed_to_own(
            queryset,
            roles=self.roles_held,
            field=self.own_field or "pk",
            sees_all=self.sees_all,
            person_pk=caller_person_pk(self.request),
        )

    # Deleting -----------------------------------------------------------------------------
    def delete_owner(self, owner, delete=None) -> None:
        """Delete `owner` (with `delete()`, by default `owner.delete()`), refusing with a 409
        while it owns verification evidence unless an admin forces it (`tesla.deletion`)."""
        owner_delete(
            owner=owner,
            delete=delete or owner.delete,
            force=force_requested(self.request),
            may_force=self.holds_any({perms.ADMIN, perms.GLOBAL_ADMIN}),
        )

    # Serializer context --------------------------------------------------------------------
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parents"] = {} if self.schema_only() else self.parents
        return context


class DestroyMixin(mixins.DestroyModelMixin, TeslaViewSet):
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
