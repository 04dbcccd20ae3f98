"""Serializer base classes shared by the apps."""

from rest_framework import serializers


class TeslaModelSerializer(serializers.ModelSerializer):
    """Writes only the fields a request changes.

    `save()` on update stores just the validated fields (and `updated_at`), so two concurrent
    PATCHes of different fields both persist instead of the last one overwriting the other.
    """

    def update(self, instance, validated_data):
        many_to_many = {}
        changed = []
        info = self.Meta.model._meta
        for name, value in validated_data.items():
            field = info.get_field(name) if name in {f.name for f in info.get_fields()} else None
            if field is not None and field.many_to_many:
                many_to_many[name] = value
                continue
            setattr(instance, name, value)
            changed.append(field.attname if field is not None else name)
        if changed:
            if any(f.name == "updated_at" for f in info.concrete_fields):
                changed.append("updated_at")
            instance.save(update_fields=changed)
        for name, value in many_to_many.items():
            getattr(instance, name).set(value)
        return instance
