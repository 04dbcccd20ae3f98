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
