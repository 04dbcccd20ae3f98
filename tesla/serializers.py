"""Serializer base classes shared by the apps."""

from datetime import UTC, datetime
from uuid import UUID

from django.utils import timezone
from rest_framework import serializers

from tesla.services import model_update


class TeslaModelSerializer(serializers.ModelSerializer):
    """Writes only the fields a request changes.

    `save()` on update stores just the validated fields (and `updated_at`), so two concurrent
    PATCHes of different fields both persist instead of the last one overwriting the other.
    """

    def update(self, instance, validated_data):
        instance, _ = model_update(instance=instance, data=validated_data)
        return instance


class ClampedIntegerField(serializers.IntegerField):
    """An integer setting that a client may send out of range: values below `min_value` or
    above `max_value` are brought to the nearest bound instead of refused, and an empty
    string means "not set" (null).

    For settings where a 400 hurts more than a correction: the Moodle plugin sends its
    `max_ttl` setting as typed (0, negative, huge or empty) and, on any 400, silently stops
    injecting the assessment connector on every page. Anything that is not an integer is
    still a 400."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        self.clamp_min = min_value
        self.clamp_max = max_value
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip() and self.allow_null:
            data = None
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return max(self.clamp_min, min(self.clamp_max, value))


def iso_datetime(value) -> str | None:
    """A datetime as DRF's DateTimeField writes it here (USE_TZ, UTC): ISO 8601 with `Z`."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PlainRepresentation(serializers.ModelSerializer):
    """For the rows of hot lists: the declared fields remain the contract (input validation
    and the OpenAPI schema), but output is written by `represent(instance)`, a plain function
    several times cheaper per row than walking the fields. Each such serializer has a test that
    `represent` equals the declared fields' output (`declared_representation`).

    `shared(serializer_class, value)` is a nested serializer's output for `value`, computed
    once per response: every row of a list shares its institution or VLE."""

    def to_representation(self, instance):
        return self.represent(instance)

    def represent(self, instance) -> dict:  # pragma: no cover - every user overrides it
        raise NotImplementedError

    def declared_representation(self, instance) -> dict:
        return super().to_representation(instance)

    @property
    def now(self):
        """One instant per response, so that every row is judged at the same time."""
        context = self.context
        now = context.get("now")
        if now is None:
            now = context["now"] = timezone.now()
        return now

    def shared(self, serializer_class, value):
        """`serializer_class`'s output for `value`, once per response."""
        return shared_representation(self.context, serializer_class, value)

    def url_parent(self, name: str, serializer_class, instance):
        """The URL parent `name` (or else the instance's own), as `serializer_class` writes
        it, once per response."""
        value = self.context.get("parents", {}).get(name) or getattr(instance, name)
        return shared_representation(self.context, serializer_class, value)


def shared_representation(context: dict, serializer_class, value):
    """`serializer_class`'s output for `value`, computed once per response (`context`)."""
    if value is None:
        return None
    cache = context.setdefault("_shared_representations", {})
    key = (serializer_class, value.pk)
    if key not in cache:
        cache[key] = serializer_class(value, context=context).to_representation(value)
    return cache[key]


def plain_value(value):
    """A model attribute as DRF's default field for it writes it (datetimes, UUIDs)."""
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, UUID):
        return str(value)
    return value


class PlainModelRepresentation(PlainRepresentation):
    """For serializers whose declared fields are all the model's own columns, unchanged."""

    def represent(self, instance) -> dict:
        return {name: plain_value(getattr(instance, name)) for name in self.Meta.fields}
