"""Write helpers every app's services share."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


class _NotGiven:
    """The type of `NOT_GIVEN`."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


# The one "argument not given" marker of every service: a partial update passes only what the
# caller sent, and `None` stays a value a caller can set.
NOT_GIVEN: Any = _NotGiven()


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` without the arguments left `NOT_GIVEN`."""
    return {name: value for name, value in values.items() if value is not NOT_GIVEN}


def model_update(*, instance: ModelT, data: Mapping[str, Any]) -> tuple[ModelT, bool]:
    """Set `data` on `instance` and write only the columns whose value changed.

    The one way services change an existing row. Saving whole rows loses updates: two requests
    that PATCH different fields of one object each write back the other's stale value. Writing
    just the changed columns (and `updated_at`, when the model has one) lets both persist.
    Many-to-many fields are set after the row. Returns the instance and whether anything
    changed; a field that is not on the model is a programming error (TypeError)."""
    meta = instance._meta
    changed_columns: list[str] = []
    many_to_many: dict[str, Any] = {}
    for name, value in data.items():
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            raise TypeError(f"{type(instance).__name__} has no field {name!r}") from None
        if field.many_to_many:
            many_to_many[name] = value
            continue
        if not isinstance(field, models.Field) or not field.concrete:
            raise TypeError(f"{type(instance).__name__}.{name} is not a column")
        if field.is_relation:
            current = getattr(instance, field.attname)
            new = value.pk if isinstance(value, models.Model) else value
        else:
            current, new = getattr(instance, field.attname), value
        if current != new or isinstance(field, models.FileField):
            setattr(instance, name, value)
            changed_columns.append(field.name)
    if changed_columns:
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            changed_columns.append("updated_at")
        instance.save(update_fields=changed_columns)
    for name, value in many_to_many.items():
        getattr(instance, name).set(value)
    return instance, bool(changed_columns or many_to_many)
