"""The permission-matrix vocabulary: one case type and one rule for the expected status.

A `Case` is one operation (a URL name and a method) with the personas allowed to perform it
and the status they get. Everyone else's status follows one rule (`Case.expected`):

- no credentials: 401 (unless the operation is `public`);
- allowed: the case's success status `ok`;
- outside the tenant of the URL (a user of another institution under our institution,
  another VLE under our VLE, another provider under ours, another application's course):
  404, since the parent is out of reach;
- anyone else (a known object, but a role or a kind of caller not allowed): 403.

`overrides` names the few personas that an endpoint answers differently (a list that shows
each caller its own rows, a method no one may use). URLs are built with `reverse()` from URL
names; the test's world (usually `Fixtures(request)`, fixtures read on first use) supplies
the URL kwargs, the body and any preparation. A new endpoint is one `Case` in the matrix of
its tree; tests/test_matrix_coverage.py fails while an operation of the schema has none.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import pytest
from django.urls import reverse

ANONYMOUS = "anonymous"
# The users of our institution with a role in it (global admins belong to none).
MEMBERS = frozenset(
    {"inst_admin", "legal_admin", "send_admin", "data_admin", "instructor", "learner", "member"}
)


def personas_without(*left_out: str) -> list[str]:
    """Every persona of tests/conftest.py but those named, for a matrix that needs fewer."""
    from tests.conftest import PERSONAS

    return [persona for persona in PERSONAS if persona not in left_out]


@dataclass(frozen=True)
class Scope:
    """A URL tree and the personas outside its tenant (they get 404 in it)."""

    name: str
    outsiders: frozenset[str] = frozenset()
    public: bool = False


INSTITUTION = Scope("institution", frozenset({"foreign_admin"}))
VLE = Scope("vle", frozenset({"other_vle", "foreign_vle"}))
PROVIDER = Scope("provider", frozenset({"provider"}))
CONTENT = Scope("content", frozenset({"sibling_app", "foreign_app"}))
GLOBAL = Scope("global")  # /api/v2/admin/..., /auth/profile: no tenant in the URL
PUBLIC = Scope("public", public=True)  # logins and signed webhooks: no token needed


def no_kwargs(world: Any) -> dict:
    return {}


@dataclass(frozen=True)
class Case:
    """One operation of the API against every persona of a matrix."""

    name: str
    method: str
    url_name: str
    scope: Scope
    allowed: frozenset[str] | set[str]
    ok: int = 200
    kwargs: Callable[[Any], dict] = no_kwargs
    body: Callable[[Any], Any] | None = None
    overrides: Mapping[str, int] = field(default_factory=dict)
    query: str = ""
    format: str = "json"
    prepare: Callable[[Any], object] | None = None  # what the request needs beforehand
    headers: Callable[[Any], dict] | None = None  # extra request headers (WSGI names)

    def expected(self, persona: str) -> int:
        if persona in self.overrides:
            return self.overrides[persona]
        if persona == ANONYMOUS and not self.scope.public:
            return 401
        if persona in self.allowed:
            return self.ok
        if persona in self.scope.outsiders:
            return 404
        return 403

    def url(self, world: Any) -> str:
        url = reverse(self.url_name, kwargs=self.kwargs(world))
        return f"{url}?{self.query}" if self.query else url

    def call(self, client, world: Any):
        """The request of this case, by `client`, in `world`."""
        if self.prepare is not None:
            self.prepare(world)
        data = self.body(world) if self.body else None
        extra = self.headers(world) if self.headers else {}
        return getattr(client, self.method)(self.url(world), data, format=self.format, **extra)


def kw(**values) -> Callable[[Any], dict]:
    """URL kwargs read from the world: `kw(institution_pk="institution.pk", pk="group.pk")`.
    A string is an attribute path in the world, a callable is called with the world, anything
    else is taken as it is."""

    def build(world) -> dict:
        out = {}
        for name, value in values.items():
            if isinstance(value, str):
                value = attrgetter(value)(world)
            elif callable(value):
                value = value(world)
            out[name] = value
        return out

    return build


class Fixtures:
    """A matrix's world that reads pytest fixtures lazily: `world.group` is the `group`
    fixture, created on first use, so each case builds only what its request needs."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name: str):
        return self._request.getfixturevalue(name)


def check(case: Case, persona: str, client, world: Any):
    """Call `case` as `persona` and assert the status the rule gives; return the response."""
    response = case.call(client, world)
    want = case.expected(persona)
    assert response.status_code == want, (case.name, persona, response.content[:300])
    return response


def params(cases: Iterable[Case], personas: Iterable[str]) -> list:
    """pytest params (case, persona) with readable ids, for `@pytest.mark.parametrize`."""
    personas = list(personas)
    return [
        pytest.param(case, persona, id=f"{case.name}-{persona}")
        for case in cases
        for persona in personas
    ]
