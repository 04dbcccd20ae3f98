"""Queries whose SQL is compiled once per database connection instead of on every request.

Django builds and compiles a queryset's SQL each time it is evaluated. For a lookup that every
request makes, such as loading the calling VLE or provider with its related rows to
authenticate the request, or the course named in the URL, that costs more CPU than running the
query (about 2 ms against 0.3 ms on the benchmark machine). A `Lookup` builds and compiles its
query the first time a connection runs it, with stand-in values, and from then on only executes
the SQL with each call's values in their places. The rows become model instances exactly as the
ORM builds them (the same column converters, `Model.from_db`, `select_related` population and
annotations), so callers cannot tell the difference, and the query still runs on every call
(nothing is cached but the SQL text).
"""

import uuid
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined] # not in the stubs
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Plan:
    """The compiled query, where each value goes, and what turns a row into instances."""

    sql: str
    # Each SQL parameter in order: the name of its value, or None and the query's constant.
    slots: tuple[tuple[str | None, Any], ...]
    compiler: SQLCompiler
    converters: dict
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list
    annotations: dict[str, int]


def _other(placeholder):
    """A second stand-in, different from `placeholder`, of the same type."""
    if isinstance(placeholder, Model):
        return type(placeholder)(pk=placeholder.pk - 1)
    if isinstance(placeholder, uuid.UUID):
        return uuid.UUID(int=placeholder.int + 1)
    if isinstance(placeholder, datetime):
        return placeholder + timedelta(seconds=1)
    return placeholder + type(placeholder)(1 if isinstance(placeholder, int) else "'")


def _prepared(value, connection) -> Any:
    """`value` as the compiled query carries it on `connection` (as Django prepares it)."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    return value


class Lookup:
    """`build(**values)`, a queryset of `model`, run with the SQL compiled once per connection.

    `placeholders` gives each value a stand-in for the compilation: a distinctive value of the
    type the query takes (a negative integer for a key, a `uuid.UUID`, a string no client
    sends, a datetime), or a model instance with such a primary key where the query takes an
    object (`build` may read nothing of it but its primary key). The query is compiled twice,
    with two sets of stand-ins, to learn which parameter is which value's and which are
    constants; a parameter that is neither (a clock read inside `build`), a stand-in the query
    ignores, or SQL that depends on the values is refused. Calls pass values of the stand-ins'
    types (instances for instances). Querysets with `prefetch_related`, `values()` or extra
    selects are refused."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet],
        *,
        ignorable: Collection[str] = (),
        **placeholders,
    ):
        self.model = model
        self.build = build
        self.ignorable = frozenset(ignorable)  # values the query may leave out
        self.placeholders = placeholders
        # connection -> plan; a connection belongs to one thread, and so does its plan.
        self._plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _compiled(self, using: str, placeholders: dict) -> tuple[SQLCompiler, str, tuple]:
        queryset = self.build(**placeholders)
        if queryset.model is not self.model:
            raise ValueError(f"{self.build} builds no {self.model.__name__} queryset")
        query = queryset.query
        prefetches = getattr(queryset, "_prefetch_related_lookups", ())
        if prefetches or query.values_select or query.extra_select:
            raise ValueError("a Lookup builds model rows only (no prefetch, values or extra)")
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        return compiler, sql, tuple(params)

    def _slots(
        self, first: tuple, second: tuple, others: dict, connection
    ) -> list[tuple[str | None, Any]]:
        """Where each value goes, from two compilations with different stand-ins: a parameter
        that moved with a value is that value's; one that did not move is a constant of the
        query; any other moved (a clock read while building), which no plan can hold."""
        standing = {name: _prepared(value, connection) for name, value in self.placeholders.items()}
        moved = {name: _prepared(value, connection) for name, value in others.items()}
        slots: list[tuple[str | None, Any]] = []
        for param, again in zip(first, second, strict=True):
            names = [
                name
                for name, value in standing.items()
                if type(param) is type(value) and param == value and again == moved[name]
            ]
            if len(names) == 1:
                slots.append((names[0], None))
            elif not names and param == again:
                slots.append((None, param))
            else:
                raise ValueError(f"{self.build}: parameter {param!r} is no value nor constant")
        unused = set(standing) - {name for name, _ in slots} - self.ignorable
        if unused:
            raise ValueError(f"{self.build}: the query ignores {sorted(unused)}")
        return slots

    def _plan(self, using: str) -> _Plan:
        compiler, sql, params = self._compiled(using, self.placeholders)
        others = {name: _other(value) for name, value in self.placeholders.items()}
        _, other_sql, other_params = self._compiled(using, others)
        if other_sql != sql:
            raise ValueError(f"{self.build}: the SQL depends on the values")
        slots = self._slots(params, other_params, others, connections[using])
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:  # pragma: no cover - values() is refused above
            raise ValueError("a Lookup builds model rows only")
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Plan(
            sql=sql,
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in select]),
            init_list=[column[0].target.attname for column in select[start:end]],
            fields_start=start,
            fields_end=end,
            populators=get_related_populators(klass_info, select, using),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def all(self, **values) -> list:
        """The instances `build(**values)` evaluates to."""
        using = router.db_for_read(self.model)
        connection = connections[using]
        plan = self._plans.get(connection)
        if plan is None:
            plan = self._plans[connection] = self._plan(using)
        params = []
        for name, constant in plan.slots:
            if name is None:
                params.append(constant)
                continue
            value = values[name]
            placeholder = self.placeholders[name]
            if type(value) is not type(placeholder) and not isinstance(placeholder, Model):
                raise TypeError(f"{name}: {type(placeholder).__name__} expected")
            params.append(_prepared(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        return [self._instance(plan, using, row) for row in rows]

    def first(self, **values):
        """The first instance, or None (build the query with its order and `[:1]`)."""
        found = self.all(**values)
        return found[0] if found else None

    def _instance(self, plan: _Plan, using: str, row) -> Model:
        fields = row[plan.fields_start : plan.fields_end]
        instance = self.model.from_db(using, plan.init_list, fields)
        for populator in plan.populators:
            populator.populate(row, instance)
        for name, position in plan.annotations.items():
            setattr(instance, name, row[position])
        return instance


def instance_stand_ins(objects: dict[str, Model], first_pk: int) -> dict[str, Model]:
    """Stand-ins for model instances a `Lookup` takes (URL parents): an instance of each
    one's model, with distinct negative primary keys from `first_pk` down."""
    return {
        name: type(obj)(pk=first_pk - position)
        for position, (name, obj) in enumerate(objects.items())
    }


def shape_of(objects: dict[str, Model]) -> tuple:
    """What of `objects` a compiled query depends on: their names and models."""
    return tuple((name, type(obj)) for name, obj in objects.items())


# (model, related) -> the Lookup of `row_by_pk`
_BY_PK: dict[tuple[type[Model], tuple[str, ...]], Lookup] = {}
# The stand-in primary key of `row_by_pk`'s compilation.
PLACEHOLDER_PK = -7_000_001


def row_by_pk(model: type[Model], pk: int, *, related: tuple[str, ...] = ()) -> Model | None:
    """`model._default_manager.select_related(*related).filter(pk=pk).first()`, the SQL
    compiled once per connection. For models whose default manager adds no filter."""
    lookup = _BY_PK.get((model, related))
    if lookup is None:
        lookup = _BY_PK[(model, related)] = Lookup(
            model,
            lambda pk: model._default_manager.select_related(*related).filter(pk=pk)[:1],
            pk=PLACEHOLDER_PK,
        )
    return lookup.first(pk=model._meta.pk.get_prep_value(pk))
