"""Who is calling. A request is made by a user (global admin or institution user), a learner
holding a session token, or a module (a VLE or a provider).

The domain apps register how each token `type` turns into a principal, so this layer never
imports them (dependencies point from the apps down to `tesla`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.crypto import salted_hmac

from tesla.precompiled import row_by_pk

# token type -> function(pk, claims) returning the principal, or None when it no longer exists
PRINCIPAL_RESOLVERS: dict[str, Callable[[Any, dict], Any]] = {}
# module kind ("vle", "provider") -> the credentialed model
MODULE_MODELS: dict[str, type[Model]] = {}
# module kind -> function(module) returning the approle login body (without the token)
MODULE_DESCRIBERS: dict[str, Callable[[Model], dict]] = {}
# module kind -> what is loaded with the module (select_related)
MODULE_RELATED: dict[str, tuple[str, ...]] = {}
# function(launcher_id, token) -> TokenPair or None: swaps a launcher for tokens, once
LAUNCHER_EXCHANGE: list[Callable] = []
# function(request) -> the /auth/profile body of a user
PROFILE_BUILDER: list[Callable] = []
# token type -> (function(principal) -> the secret its tokens rest on, whether access tokens
# are checked too). A token carries a fingerprint of that secret (claim `gnd`); once the secret
# changes (a rotated secret_id, a new password) the token no longer matches and stops working.
GROUNDS: dict[str, tuple[Callable[[Any], str], bool]] = {}
GROUNDS_CLAIM = "gnd"


def register_principal(token_type: str, resolver: Callable[[Any, dict], Any]) -> None:
    PRINCIPAL_RESOLVERS[token_type] = resolver


def register_grounds(
    token_type: str, secret_of: Callable[[Any], str], *, access_too: bool = False
) -> None:
    """Tie the tokens of `token_type` to a secret of their principal: refresh tokens (and
    access tokens too with `access_too`) die when it changes."""
    GROUNDS[token_type] = (secret_of, access_too)


def grounds_fingerprint(token_type: str, principal) -> str | None:
    """What a new token of this principal carries in its `gnd` claim (None: no grounds)."""
    if token_type not in GROUNDS:
        return None
    secret_of, _ = GROUNDS[token_type]
    return salted_hmac("tesla.token-grounds", secret_of(principal)).hexdigest()[:24]


def principal_from_claims(claims: dict, *, token_type: str):
    """The live principal of a verified token, or None when the token lost its grounds: the
    principal is gone or deactivated, or the secret the token rests on has changed."""
    token_kind = claims.get("type")
    resolver = PRINCIPAL_RESOLVERS.get(token_kind) if isinstance(token_kind, str) else None
    principal = resolver(claims.get("pk"), claims) if resolver else None
    if principal is None or not getattr(principal, "is_active", False):
        return None
    checked = claims["type"] in GROUNDS and (token_type == "refresh" or GROUNDS[claims["type"]][1])
    if checked and claims.get(GROUNDS_CLAIM) != grounds_fingerprint(claims["type"], principal):
        return None
    return principal


def register_module(
    kind: str,
    model: type[Model],
    describe: Callable[[Model], dict],
    related: tuple[str, ...] = (),
) -> None:
    """`related`: what to load with the module (select_related), so that the views resolving
    it as their URL parent need no further query."""
    MODULE_MODELS[kind] = model
    MODULE_DESCRIBERS[kind] = describe
    MODULE_RELATED[kind] = related
    register_principal(kind, lambda pk, claims: _module_principal(kind, model, pk, related))
    # Rotating a module's credentials ends every token it holds.
    register_grounds(kind, lambda principal: principal.module.secret_id_hash, access_too=True)


def module_authenticate(
    role_id: str, secret_id: str, *, kinds: frozenset[str] | None = None
) -> "ModulePrincipal | None":
    """The module (of one of `kinds`, default any) whose credentials these are, or None."""
    for kind, model in MODULE_MODELS.items():
        if kinds is not None and kind not in kinds:
            continue
        # A credentialed model: it has `role_id` and `check_secret_id` (register_module).
        module: Any = (
            model._default_manager.select_related(*MODULE_RELATED[kind])
            .filter(role_id=role_id)
            .first()
        )
        if module is not None and module.check_secret_id(secret_id):
            return ModulePrincipal(kind=kind, module=module)
    return None


def _module_principal(kind: str, model: type[Model], pk: int, related: tuple[str, ...]):
    # Every request loads its module: the SQL is compiled once, not per request.
    module = row_by_pk(model, pk, related=related)
    return ModulePrincipal(kind=kind, module=module) if module else None


class TokenPrincipal:
    """What Django and DRF ask of `request.user`, for a caller that is not a `User`: signed in,
    active, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True


@dataclass
class ModulePrincipal(TokenPrincipal):
    """A VLE or a provider authenticated with its token."""

    kind: str
    module: Model

    @property
    def pk(self) -> int:
        return self.module.pk

    def __str__(self) -> str:
        return f"{self.kind} {self.module.pk}"


@dataclass
class LearnerPrincipal(TokenPrincipal):
    """A learner acting through an assessment-session or launcher token."""

    learner: Model
    claims: dict = field(default_factory=dict)
    kind: str = "learner"

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


def caller_module(kind: str) -> Callable:
    """For `Parent.known`: the calling module of this kind, as authentication loaded it."""
    return lambda request, parents=None: module_of(request, kind)


def institution_user_of(request):
    """The caller's institution membership, or None (modules, learners, global admins)."""
    user = getattr(request, "user", None)
    if user is None or kind_of(user) not in {"user", "admin"}:
        return None
    return getattr(user, "institution_user", None)


def is_global_admin(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and kind_of(user) in {"admin", "user"} and bool(user.is_staff)


def caller_person_pk(request) -> int | None:
    """The id of the person calling: the learner of a learner token, or the caller's
    institution membership (learners, instructors and members share that id); None for
    modules and for global admins outside any institution."""
    user = getattr(request, "user", None)
    if user is not None and kind_of(user) == "learner":
        return user.learner.pk
    member = institution_user_of(request)
    return member.pk if member is not None else None
