"""Endpoints of the provider tree (`/api/v2/provider/{id}/...`, provider tokens only, own
id only): the provider itself, its requests (+ their stored payloads) and answers, and
learners' enrolment models and samples.
"""

import json
import logging

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from reports import filters
from reports.api import serializers as s
from reports.api.common import (
    PAYLOAD_ACTION,
    PAYLOAD_SCHEMA,
    UUID_REGEX,
    LearnerUuidInPath,
    OneObjectPerRequest,
    request_payload_download,
)
from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    Provider,
    Request,
    RequestProviderResult,
)
from reports.parents import (
    PROVIDER_LEARNER_PARENTS,
    PROVIDER_PARENTS,
    PROVIDER_SAMPLE_PARENTS,
    providers_of_caller,
)
from reports.services import enrolment as enrolment_rules
from reports.services import samples as sample_rules
from reports.services.levels import UNFINISHED
from reports.services.verification import (
    provider_requests_claim,
    provider_result_record,
    provider_result_status_set,
)
from tesla.permissions import PROVIDER
from tesla.principals import module_of
from tesla.signing import signed_upload_form
from tesla.viewsets import TeslaViewSet

logger = logging.getLogger(__name__)


class ProviderViewSet(mixins.RetrieveModelMixin, TeslaViewSet):
    """The calling provider's own record (another provider's id is a 404)."""

    allowed_kinds = frozenset({"provider"})
    access = {"read": {PROVIDER}}
    serializer_class = s.ProviderSerializer

    def get_queryset(self) -> QuerySet[Provider]:
        if self.schema_only():
            return Provider.objects.none()
        return providers_of_caller(self.request).select_related("instrument")

    def get_object(self) -> Provider:
        # The caller's record, with its instrument, was loaded when its token was checked.
        provider = module_of(self.request, "provider")
        if provider is None or str(provider.pk) != self.kwargs[self.lookup_field]:
            raise NotFound
        self.check_object_permissions(self.request, provider)
        return provider


class ProviderRequestViewSet(
    OneObjectPerRequest,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    TeslaViewSet,
):
    """The provider's verification requests, looked up by request id. The list shows the
    unfinished ones (pending, processing, waiting) unless `status` asks for another status;
    with `claim=true` it is a pull-style poller's next batch instead (up to `limit` pending
    requests, marked Processing, never handed to two pollers);
    the detail carries the sample or document inline (`data/` serves it alone, as stored);
    PUT/PATCH store the answer (status, result 0..1, code, audit); `status/` only moves the
    status."""

    parent_chain = PROVIDER_PARENTS
    allowed_kinds = frozenset({"provider"})
    access = {
        "read": {PROVIDER},
        "update": {PROVIDER},
        "status": {PROVIDER},
        "data": {PROVIDER},
    }
    lookup_field = "request_id"
    filterset_class = filters.ProviderRequestFilter
    search_fields = []
    ordering_fields = ["id", "request_id", "created_at", "updated_at"]

    def get_serializer_class(self):
        if getattr(self, "action", None) == "retrieve":
            return s.ProviderRequestDetailSerializer
        return s.ProviderRequestSerializer

    def get_queryset(self) -> QuerySet[RequestProviderResult]:
        if self.schema_only():
            return RequestProviderResult.objects.none()
        provider = self.parents["provider"]
        if provider.instrument_id is None:
            return RequestProviderResult.objects.none()
        rows = (
            RequestProviderResult.objects.filter(
                provider=provider, request__instruments=provider.instrument_id
            )
            .select_related("request__learner", "request__activity")
            .prefetch_related("request__instruments")
            .order_by("id")
        )
        if self.action == "list" and "status" not in self.request.query_params:
            rows = rows.filter(status__in=UNFINISHED)
        return rows

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "action", None) == "retrieve" and not self.schema_only():
            context["payload"] = _request_payload(self.get_object().request)
        return context

    @extend_schema(parameters=[s.ProviderRequestClaimSerializer])
    def list(self, request, *args, **kwargs):
        query = s.ProviderRequestClaimSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not query.validated_data["claim"]:
            return super().list(request, *args, **kwargs)
        claimed = provider_requests_claim(
            provider=self.parents["provider"], limit=self.paginator.get_limit(request)
        )
        rows = self.get_serializer(self.get_queryset().filter(pk__in=claimed), many=True).data
        return Response({"count": len(rows), "next": None, "previous": None, "results": rows})

    def perform_update(self, serializer):
        serializer.instance = provider_result_record(
            provider_result=serializer.instance, changes=dict(serializer.validated_data)
        )

    @extend_schema(
        request=s.ProviderRequestStatusSerializer,
        responses={200: s.ProviderRequestSerializer},
        description="Set the status of the provider's answer (0-7). Refused (400) once the "
        "answer is processed.",
    )
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        row = self.get_object()
        body = s.ProviderRequestStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = provider_result_status_set(provider_result=row, status=body.validated_data["status"])
        return Response(
            s.ProviderRequestSerializer(row, context=self.get_serializer_context()).data
        )

    @PAYLOAD_SCHEMA
    @action(**PAYLOAD_ACTION)
    def data(self, request, *args, **kwargs):
        return request_payload_download(self.get_object().request)


def _request_payload(request_row: Request):
    """The stored JSON of a request (sample or document), or None if it cannot be read."""
    if not request_row.data:
        return None
    try:
        with request_row.data.open("rb") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        logger.warning("Request %s: stored data unreadable", request_row.pk)
        return None


class ProviderEnrolmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    LearnerUuidInPath,
    TeslaViewSet,
):
    """Learners' enrolment models held by this provider, looked up by learner UUID.

    POST `{learner_id, task_id}` opens (creating if needed) and locks the model for the task;
    PUT/PATCH `{task_id, percentage 0..1, can_analyse}` stores it and releases the lock;
    `unlock/` `{token}` releases a lock (404 no model, 406 not locked, 403 other task)."""

    parent_chain = PROVIDER_PARENTS
    allowed_kinds = frozenset({"provider"})
    access = {
        "read": {PROVIDER},
        "create": {PROVIDER},
        "update": {PROVIDER},
        "delete": {PROVIDER},
        "unlock": {PROVIDER},
    }
    serializer_class = s.ProviderEnrolmentSerializer
    lookup_field = "learner__learner_id"
    lookup_url_kwarg = "learner_id"
    lookup_value_regex = UUID_REGEX
    filter_backends = []

    def get_queryset(self) -> QuerySet[Enrolment]:
        if self.schema_only():
            return Enrolment.objects.none()
        return (
            Enrolment.objects.filter(provider=self.parents["provider"])
            .select_related("learner__institution_user")
            .prefetch_related(
                Prefetch("model_samples", queryset=EnrolmentSample.objects.only("id"))
            )
        )

    @extend_schema(
        request=s.ProviderEnrolmentCreateSerializer, responses={201: s.ProviderEnrolmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = s.ProviderEnrolmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrolment = enrolment_rules.provider_enrolment_open(
            provider=self.parents["provider"], **body.validated_data
        )
        context = self.get_serializer_context()
        context["model_upload_url"] = signed_upload_form(
            enrolment_rules.enrolment_model_name(enrolment),
            max_bytes=settings.MODEL_UPLOAD_MAX_BYTES,
            request=request,
        )
        return Response(
            s.ProviderEnrolmentSerializer(enrolment, context=context).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.ProviderEnrolmentUpdateSerializer, responses={200: s.ProviderEnrolmentSerializer}
    )
    def update(self, request, *args, **kwargs):
        enrolment = self.get_object()
        body = s.ProviderEnrolmentUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrolment = enrolment_rules.provider_enrolment_store(
            enrolment=enrolment, **body.validated_data
        )
        return Response(
            s.ProviderEnrolmentSerializer(enrolment, context=self.get_serializer_context()).data
        )

    @extend_schema(
        request=s.ProviderEnrolmentUpdateSerializer, responses={200: s.ProviderEnrolmentSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        enrolment_rules.provider_enrolment_delete(enrolment=instance)

    @extend_schema(
        request=s.ProviderEnrolmentUnlockSerializer,
        responses={
            200: s.ProviderEnrolmentSerializer,
            403: OpenApiResponse(description="Locked by another task."),
            406: OpenApiResponse(description="Not locked."),
        },
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request, *args, **kwargs):
        enrolment = self.get_object()
        body = s.ProviderEnrolmentUnlockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrolment = enrolment_rules.provider_enrolment_unlock(
            enrolment=enrolment, token=body.validated_data["token"]
        )
        return Response(
            s.ProviderEnrolmentSerializer(enrolment, context=self.get_serializer_context()).data
        )


class ProviderLearnerViewSet(LearnerUuidInPath, TeslaViewSet):
    """Base of the provider's views of one learner's enrolment samples
    (`/provider/{p}/enrolment/{learner uuid}/...`); a malformed UUID is a 404."""

    parent_chain = PROVIDER_LEARNER_PARENTS
    allowed_kinds = frozenset({"provider"})
    access = {"read": {PROVIDER}}
    serializer_class = s.ProviderEnrolmentSampleSerializer
    filter_backends = []

    def samples(self) -> QuerySet[EnrolmentSample]:
        """The learner's samples of the provider's instrument."""
        return EnrolmentSample.objects.filter(
            learner=self.parents["learner"], instruments=self.parents["provider"].instrument_id
        )

    def listed(self, samples: QuerySet[EnrolmentSample]) -> QuerySet[EnrolmentSample]:
        return samples.select_related("learner").prefetch_related("instruments").order_by("id")


class ProviderAvailableSampleViewSet(mixins.ListModelMixin, ProviderLearnerViewSet):
    """The learner's valid samples of the provider's instrument that its model does not hold
    yet (what `enrol_learner` reads)."""

    def get_queryset(self) -> QuerySet[EnrolmentSample]:
        if self.schema_only():
            return EnrolmentSample.objects.none()
        return self.listed(
            sample_rules.available_samples(
                provider=self.parents["provider"], learner=self.parents["learner"]
            )
        )


class ProviderUsedSampleViewSet(mixins.ListModelMixin, ProviderLearnerViewSet):
    """The samples the provider's model of the learner holds."""

    def get_queryset(self) -> QuerySet[EnrolmentSample]:
        if self.schema_only():
            return EnrolmentSample.objects.none()
        return self.listed(
            EnrolmentSample.objects.filter(
                models__provider=self.parents["provider"], models__learner=self.parents["learner"]
            )
        )


class ProviderSampleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProviderLearnerViewSet
):
    """The learner's enrolment samples of the provider's instrument."""

    def get_queryset(self) -> QuerySet[EnrolmentSample]:
        if self.schema_only():
            return EnrolmentSample.objects.none()
        return self.listed(self.samples())


class ProviderSampleValidationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProviderLearnerViewSet,
):
    """The provider's validations of one enrolment sample. PUT/PATCH store its verdict;
    `status/` only moves the status (e.g. 4, waiting for an external service)."""

    parent_chain = PROVIDER_SAMPLE_PARENTS
    access = {"read": {PROVIDER}, "update": {PROVIDER}, "status": {PROVIDER}}
    serializer_class = s.ProviderSampleValidationSerializer

    def get_queryset(self) -> QuerySet[EnrolmentSampleValidation]:
        if self.schema_only():
            return EnrolmentSampleValidation.objects.none()
        return (
            EnrolmentSampleValidation.objects.filter(
                sample=self.parents["sample"], provider=self.parents["provider"]
            )
            .select_related("sample__learner")
            .prefetch_related("sample__instruments")
            .order_by("id")
        )

    def perform_update(self, serializer):
        serializer.instance = sample_rules.sample_validation_record(
            validation=serializer.instance, changes=dict(serializer.validated_data)
        )

    @extend_schema(
        request=s.ProviderSampleValidationStatusSerializer,
        responses={200: s.ProviderSampleValidationSerializer},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        body = s.ProviderSampleValidationStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        validation = sample_rules.sample_validation_record(
            validation=self.get_object(), changes=dict(body.validated_data)
        )
        return Response(self.get_serializer(validation).data)
