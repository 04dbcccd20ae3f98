"""Delayed results: the provider's notifications (`/api/v2/provider/{id}/notification/`) and
the webhook its external service posts results to (`/api/webhooks/`)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.api.delayed_serializers import (
    ProviderNotificationSerializer,
    WebhookAnswerSerializer,
    WebhookUpdateResultSerializer,
)
from reports.models import ProviderNotification
from reports.parents import PROVIDER_PARENTS
from reports.services import notifications as notification_rules
from reports.services import webhooks as webhook_rules
from tesla.permissions import PROVIDER
from tesla.viewsets import TeslaViewSet


class ProviderNotificationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    TeslaViewSet,
):
    """The provider's notifications. POST `{key, when, info}` creates one (201) or, for a key
    it already has, moves its time and merges `info` (200); from `when` on the server
    publishes `provider_notify(id)` on the provider's queue; the provider reads it here and
    DELETEs it once handled (until then it is sent again, with growing delays)."""

    parent_chain = PROVIDER_PARENTS
    allowed_kinds = frozenset({"provider"})
    access = {"read": {PROVIDER}, "create": {PROVIDER}, "delete": {PROVIDER}}
    serializer_class = ProviderNotificationSerializer
    filterset_fields = ["key"]
    search_fields = ["key"]
    ordering_fields = ["id", "key", "when", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[ProviderNotification]:
        if self.schema_only():
            return ProviderNotification.objects.none()
        return ProviderNotification.objects.filter(provider=self.parents["provider"])

    @extend_schema(
        responses={
            201: ProviderNotificationSerializer,
            200: OpenApiResponse(ProviderNotificationSerializer, description="Key updated."),
        }
    )
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        notification, created = notification_rules.provider_notification_upsert(
            provider=self.parents["provider"], **body.validated_data
        )
        return Response(
            self.get_serializer(notification).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance):
        notification_rules.provider_notification_delete(notification=instance)


class WebhookView(APIView):
    """`POST /api/webhooks/`: a provider's external service posts a result. Authenticated by
    its signature, not a token: the header of a registered client (e.g. `TESLA-TPT-METHOD`)
    and `TESLA-SIGN`, the hex HMAC-SHA512 of the body under that client's secret."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        request=WebhookUpdateResultSerializer,
        responses={
            200: WebhookAnswerSerializer,
            400: OpenApiResponse(description="Bad body (fields named) or unknown request."),
            403: OpenApiResponse(description="Missing or wrong signature."),
            404: OpenApiResponse(description="No registered client header in the request."),
        },
    )
    def post(self, request, *args, **kwargs):
        raw_body = request.body  # read before parsing: the signature may cover these bytes
        webhook = webhook_rules.webhook_client_for(request.headers)
        webhook_rules.webhook_signature_check(
            webhook=webhook,
            raw_body=raw_body,
            data=request.data,
            signature=request.headers.get(webhook_rules.SIGNATURE_HEADER),
        )
        body = WebhookUpdateResultSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        message_id = request.headers.get(webhook.id_header) if webhook.id_header else None
        message, applied = webhook_rules.webhook_result_update(
            webhook=webhook, message_id=message_id, data=request.data, values=body.validated_data
        )
        return Response({"id": message.pk, "status": "processed" if applied else "duplicate"})
