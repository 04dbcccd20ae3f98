"""Serializers for delayed results: provider notifications and webhook messages."""

from rest_framework import serializers

from reports.api.serializers import choice_integer
from reports.models import ProviderNotification, ResultCode


class ProviderNotificationSerializer(serializers.ModelSerializer):
    """A notification the provider receives as `provider_notify(id)` from `when` on. POST
    creates it or, for a key the provider already has, moves its time and merges `info`.
    `when` without a zone is UTC (the SDK sends `datetime.utcnow()`)."""

    provider = serializers.IntegerField(source="provider_id", read_only=True)
    key = serializers.CharField(max_length=250)
    when = serializers.DateTimeField()
    info = serializers.JSONField(required=False, allow_null=True, default=None)

    class Meta:
        model = ProviderNotification
        fields = ["id", "provider", "key", "when", "info", "created_at", "updated_at"]
        read_only_fields = ["id", "provider", "created_at", "updated_at"]


class WebhookUpdateResultSerializer(serializers.Serializer):
    """`action: UPDATE_RESULT`: an external service's result for one request of the provider
    (the original's TPT webhook body)."""

    action = serializers.ChoiceField(choices=["UPDATE_RESULT"])
    request_id = serializers.IntegerField(min_value=1)
    result = serializers.FloatField(min_value=0, max_value=1)
    code = choice_integer(ResultCode.choices, help_text="Result code:")
    audit_data = serializers.JSONField(required=False, allow_null=True, default=None)


class WebhookAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The stored message.")
    status = serializers.ChoiceField(
        choices=["processed", "duplicate"],
        help_text="`duplicate`: this message (same id or same signed body) was applied before.",
    )
