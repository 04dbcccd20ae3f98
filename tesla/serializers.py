"""Serializer base classes shared by the apps."""

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
