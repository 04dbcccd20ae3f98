"""Global-admin endpoints of the reports app (`/api/v2/admin/instrument/{i}/provider/`):
the providers of an instrument and their credentials."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from reports.api import serializers as s
from reports.models import Provider
from reports.services import providers as provider_rules
from tesla.permissions import GLOBAL_ADMIN
from tesla.viewsets import TeslaViewSet
from vle.parents import INSTRUMENT_PARENTS


class AdminInstrumentProviderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TeslaViewSet,
):
    """The providers of an instrument (global admins only). Creating one issues its
    credentials, shown in the create response only; `credentials/` issues new ones."""

    parent_chain = INSTRUMENT_PARENTS
    serializer_class = s.AdminInstrumentProviderSerializer
    access = {
        "read": {GLOBAL_ADMIN},
        "write": {GLOBAL_ADMIN},
        "delete": {GLOBAL_ADMIN},
        "credentials": {GLOBAL_ADMIN},
    }
    filterset_fields = ["acronym", "enabled"]
    search_fields = ["acronym", "name"]
    ordering_fields = ["id", "acronym", "name", "enabled", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Provider]:
        if self.schema_only():
            return Provider.objects.none()
        return Provider.objects.filter(instrument=self.parents["instrument"]).select_related(
            "instrument"
        )

    def perform_create(self, serializer):
        provider, credentials = provider_rules.provider_create(
            instrument=self.parents["instrument"], **serializer.validated_data
        )
        provider.issued_credentials = credentials
        serializer.instance = provider

    def perform_destroy(self, instance):
        provider_rules.provider_delete(provider=instance)

    @extend_schema(
        request=None,
        responses={201: s.ProviderCredentialsSerializer},
        description="Issue a new secret for the provider; the previous one stops working.",
    )
    @action(detail=True, methods=["post"])
    def credentials(self, request, *args, **kwargs):
        credentials = provider_rules.provider_renew_credentials(provider=self.get_object())
        return Response(credentials, status=status.HTTP_201_CREATED)
