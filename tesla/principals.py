"""Who is calling. A request is made by a user (global admin or institution user), a learner
holding a session token, or a module (a VLE or a provider).

The domain apps register how each token `type` turns into a principal, so this layer never
imports them (dependencies point from the apps down to `tesla`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

# token type -> function(pk, claims) returning the principal, or None when it no longer exists
PRINCIPAL_RESOLVERS: dict[str, Callable[[int, dict], Any]] = {}
# module kind ("vle", "provider") -> the credentialed model
MODULE_MODELS: dict[str, type[Model]] = {}
# module kind -> function(module) returning the approle login body (without the token)
MODULE_DESCRIBERS: dict[str, Callable[[Model], dict]] = {}
# function(launcher_id, token) -> TokenPair or None: swaps a launcher for tokens, once
LAUNCHER_EXCHANGE: list[Callable] = []
# function(request) -> the /auth/profile body of a user
PROFILE_BUILDER: list[Callable] = []


def register_principal(token_type: str, resolver: Callable[[int, dict], Any]) -> None:
    PRINCIPAL_RESOLVERS[token_type] = resolver


def register_module(kind: str, model: type[Model], describe: Callable[[Model], dict]) -> None:
    MODULE_MODELS[kind] = model
    MODULE_DESCRIBERS[kind] = describe
    register_principal(kind, lambda pk, claims: _module_principal(kind, model, pk))


def module_authenticate(
    role_id: str, secret_id: str, *, kinds: frozenset[str] | None = None
) -> "ModulePrincipal | None":
    """The module (of one of `kinds`, default any) whose credentials these are, or None."""
    for kind, model in MODULE_MODELS.items():
        if kinds is not None and kind not in kinds:
            continue
        module = model.objects.filter(role_id=role_id).first()
        if module is not None and module.check_secret_id(secret_id):
            return ModulePrincipal(kind=kind, module=module)
    return None


def _module_principal(kind: str, model: type[Model], pk: int):
    module = model.objects.filter(pk=pk).first()
    return ModulePrincipal(kind=kind, module=module) if module else None


@dataclass
class ModulePrincipal:
    """A VLE or a provider authenticated with its token."""

    kind: str
    module: Model
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> int:
        return self.module.pk

    def __str__(self) -> str:
        return f"{self.kind} {self.module.pk}"


@dataclass
class LearnerPrincipal:
    """A learner acting through an assessment-session or launcher token."""

    learner: Model
    claims: dict = field(default_factory=dict)
    kind: str = "learner"
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_active: bool = True

    @property
    def pk(self) -> int:
        return self.learner.pk

    @property
    def session_id(self) -> int | None:
        return self.claims.get("session_id")

    def __str__(self) -> str:
        return f"learner {self.learner.pk}"


def kind_of(user) -> str | None:
    """'admin', 'user', 'learner', 'vle', 'provider', or None for anonymous callers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    explicit = getattr(user, "kind", None)
    if isinstance(explicit, str):
        return explicit
    if user.is_staff and not hasattr(user, "institution_user"):
        return "admin"
    return "user"


def module_of(request, kind: str):
    user = getattr(request, "user", None)
    if isinstance(user, ModulePrincipal) and user.kind == kind:
        return user.module
    return None


def institution_user_of(request):
    """The caller's institution membership, or None (modules, learners, global admins)."""
    user = getattr(request, "user", None)
    if user is None or kind_of(user) not in {"user", "admin"}:
        return None
    return getattr(user, "institution_user", None)


def is_global_admin(request) -> bool:
    user = getattr(request, "user", None)
    return kind_of(user) in {"admin", "user"} and bool(user.is_staff)
