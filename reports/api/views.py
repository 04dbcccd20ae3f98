"""Endpoints of the reports app.

- Institution tree: activity reports (+ JSON summary, SVG chart, CSV export), a report's
  requests (+ each one's stored sample or document) and per-instrument audits; a learner's
  enrolment status.
- VLE tree: the activity reports of the VLE's own courses.
- Provider tree (`/api/v2/provider/{id}/...`, provider tokens only, own id only): the
  provider itself, its requests (+ their stored payloads) and answers, and learners'
  enrolment models.
- Global admin: the providers of an instrument.
- LAPI (`/lapi/v1/verification/...`): samples from the browser plugin.

Parents come from the URL through caller-scoped querysets (foreign → 404), then roles.
Stored files are only ever served through these endpoints (never as media URLs).
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from institution.api.views import INSTITUTION_PARENT as INSTITUTION
from institution.models import Institution, Learner
from institution.selectors import institutions_visible_to
from reports import filters, selectors
from reports.api import serializers as s
from reports.models import (
    Enrolment,
    EnrolmentSample,
    EnrolmentSampleValidation,
    Provider,
    ReportActivity,
    ReportActivityInstrument,
    Request,
    RequestProviderResult,
    RequestResult,
    ResultStatus,
)
from reports.services import enrolment as enrolment_rules
from reports.services import exports
from reports.services import providers as provider_rules
from reports.services import samples as sample_rules
from reports.services.intake import verification_request_create
from reports.services.levels import UNFINISHED
from reports.services.verification import provider_requests_claim, provider_result_record
from tesla.downloads import DownloadNegotiation, file_download
from tesla.permissions import (
    ADMIN,
    COURSE_INSTRUCTOR,
    COURSE_LEARNER,
    DATA,
    GLOBAL_ADMIN,
    INSTRUCTOR,
    LEARNER_TOKEN,
    LEGAL,
    PROVIDER,
    SEND,
    VLE,
)
from tesla.principals import caller_module, institution_user_of, kind_of, module_of
from tesla.signing import signed_upload_form
from tesla.viewsets import Parent, TeslaReadOnlyViewSet, TeslaViewSet
from vle.api.views import CourseRolesMixin, course_roles
from vle.models import VLE as VLEModel
from vle.models import Activity, AssessmentSession, Course, Instrument

logger = logging.getLogger(__name__)

UUID_REGEX = "[0-9a-fA-F-]{32,36}"


# Institution tree: parents and roles ---------------------------------------------------------

# Who reads every report of a course (others: their own report, if the institution allows).
REPORT_READERS = frozenset({GLOBAL_ADMIN, ADMIN, DATA, COURSE_INSTRUCTOR})


def _reports_of(request, parents) -> QuerySet[ReportActivity]:
    """The activity's reports the caller may reach: a learner of the course only their own
    (another learner's report is a 404 to them, not a 403)."""
    reports = ReportActivity.objects.filter(activity=parents["activity"])
    member = institution_user_of(request)
    roles = set(member.roles) if member is not None else set()
    if request.user.is_staff:
        roles.add(GLOBAL_ADMIN)
    roles |= course_roles(request, parents["course"], roles)
    if COURSE_LEARNER in roles and not roles & REPORT_READERS:
        return reports.filter(learner_id=member.pk)
    # Readers see all; callers with no reading role at all get the role check's 403.
    return reports


# The activity and its course in one query: the course must be the URL's and the institution's.
ACTIVITY = Parent(
    "activity",
    "activity_pk",
    lambda request, p: Activity.objects.filter(
        course__vle__institution=p["institution"]
    ).select_related("course"),
    carries=("course", "course_pk", "course"),
)
REPORT = Parent("report", "report_pk", _reports_of)
ACTIVITY_CHAIN = (INSTITUTION, ACTIVITY)
REPORT_CHAIN = (INSTITUTION, ACTIVITY, REPORT)


class ReportAccessMixin(CourseRolesMixin):
    """Roles for the report endpoints: report readers see every report of the course; a
    learner of the course reads their own report when the institution switches on
    `allow_learner_report` (and, for audits, `allow_learner_audit`)."""

    learner_flags: tuple[str, ...] = ("allow_learner_report",)
    learner_groups: frozenset[str] = frozenset({"read"})

    def sees_all(self) -> bool:
        return bool(self.caller_roles() & REPORT_READERS)

    def has_access(self, request) -> bool:
        if super().has_access(request):
            return True
        if COURSE_LEARNER not in self.caller_roles():
            return False
        if self.access_group() not in self.learner_groups:
            return False
        institution: Institution = self.parents["institution"]
        return all(getattr(institution, flag) for flag in self.learner_flags)

    def own_learner_id(self) -> int | None:
        member = institution_user_of(self.request)
        return member.pk if member is not None else None


# §19 Reports ---------------------------------------------------------------------------------


class OneObjectPerRequest:
    """Looks the detail object up once per request: the serializer context and the response
    both need it."""

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object


class _ReportViewSetBase(OneObjectPerRequest, TeslaReadOnlyViewSet):
    filterset_class = filters.ReportFilter
    search_fields = [
        "learner__institution_user__user__first_name",
        "learner__institution_user__user__last_name",
        "learner__institution_user__user__email",
        "learner__institution_user__uid",
        "identity_level",
        "content_level",
        "integrity_level",
    ]
    ordering_fields = [
        "id",
        "identity_level",
        "content_level",
        "integrity_level",
        "created_at",
        "updated_at",
        "learner__institution_user__user__first_name",
        "learner__institution_user__user__last_name",
        "learner__institution_user__user__email",
    ]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "action", None) == "retrieve" and not self.schema_only():
            context["report_context"] = selectors.report_context(report=self.get_object())
        return context

    def _data(self):
        return Response(selectors.report_summary(report=self.get_object()))

    def _chart(self, request):
        report = self.get_object()
        instrument_id = request.query_params.get("instrument_id")
        if instrument_id is not None:
            try:
                instrument_id = int(instrument_id)
            except ValueError:
                raise ValidationError({"instrument_id": ["A valid integer is required."]}) from None
        svg = exports.report_chart_svg(
            report=report,
            context=selectors.report_context(report=report),
            instrument_id=instrument_id,
        )
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


CHART_SCHEMA = extend_schema(
    parameters=[
        OpenApiParameter("instrument_id", int, description="Draw only this instrument's panel.")
    ],
    responses={(200, "image/svg+xml"): OpenApiTypes.STR},
    description="An SVG chart: per instrument, the activity's histogram of results with the "
    "learner's bin highlighted, a line at the learner's result and dashed lines at the "
    "provider's alert and warning thresholds.",
)
DATA_SCHEMA = extend_schema(
    responses={200: s.ReportDataSerializer},
    description="The report's JSON summary: its sessions (counts, levels, alerts, per "
    "instrument series) and the documents sent outside sessions.",
)


class InstitutionCourseActivityReportViewSet(ReportAccessMixin, _ReportViewSetBase):
    """Learners' reports on an activity (institution-api §19). Course instructors, admins,
    data admins and global admins read all; a learner reads their own report when the
    institution allows it. The detail explains each instrument's result."""

    parent_chain = ACTIVITY_CHAIN
    access = {
        "read": REPORT_READERS,
        "data": REPORT_READERS,
        "chart": REPORT_READERS,
        "export": REPORT_READERS,
    }
    learner_groups = frozenset({"read", "data", "chart"})

    def get_serializer_class(self):
        if getattr(self, "action", None) == "retrieve":
            return s.InstitutionCourseActivityReportDetailSerializer
        return s.InstitutionCourseActivityReportSerializer

    def get_queryset(self) -> QuerySet[ReportActivity]:
        if self.schema_only():
            return ReportActivity.objects.none()
        reports = selectors.activity_reports(
            activity=self.parents["activity"], rows_inline=self.action == "list"
        )
        if not self.sees_all():
            reports = reports.filter(learner_id=self.own_learner_id())
        return reports

    @DATA_SCHEMA
    @action(detail=True, methods=["get"])
    def data(self, request, *args, **kwargs):
        return self._data()

    @CHART_SCHEMA
    @action(detail=True, methods=["get"], url_path="chart.svg")
    def chart(self, request, *args, **kwargs):
        return self._chart(request)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="Every report of the activity as CSV (the list's filters apply): learner, "
        "the three levels, and result, confidence, enrolment and level per instrument.",
    )
    @action(detail=False, methods=["get"], url_path="export.csv", pagination_class=None)
    def export(self, request, *args, **kwargs):
        reports = self.filter_queryset(self.get_queryset())
        activity = self.parents["activity"]
        instruments = list(
            Instrument.objects.filter(
                pk__in=ReportActivityInstrument.objects.filter(report__activity=activity).values(
                    "instrument_id"
                )
            ).order_by("id")
        )
        body = exports.activity_reports_csv(reports=reports, instruments=instruments)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="activity-{activity.pk}-reports.csv"'
        )
        return response


# §20 Report requests -------------------------------------------------------------------------


def request_payload_download(request_row: Request) -> FileResponse:
    """A verification request's stored payload (JSON), streamed as stored; 404 when the
    request has none."""
    if not request_row.data:
        raise NotFound("This request has no stored data.")
    return file_download(
        request_row.data,
        content_type="application/json",
        filename=f"request-{request_row.pk}.json",
    )


PAYLOAD_SCHEMA = extend_schema(
    responses={
        200: s.VerificationRequestPayloadSerializer,
        404: OpenApiResponse(description="No such request, or nothing stored for it."),
    },
    description="The request's stored sample or document with what it was sent with "
    "(the `data` field of the request is this URL).",
)
# Download actions: no list filters on the lookup, any Accept header served.
PAYLOAD_ACTION = {
    "detail": True,
    "methods": ["get"],
    "filter_backends": [],
    "pagination_class": None,
    "content_negotiation_class": DownloadNegotiation,
}


class InstitutionCourseActivityReportRequestViewSet(ReportAccessMixin, TeslaReadOnlyViewSet):
    """The verification requests behind a report (institution-api §20), ordered by session
    then id, with each instrument's result; `{id}/data/` is the stored sample or document,
    for the same readers."""

    parent_chain = REPORT_CHAIN
    serializer_class = s.InstitutionCourseActivityReportRequestSerializer
    filterset_class = filters.ReportRequestFilter
    search_fields = ["instruments__acronym"]
    ordering_fields = ["id", "session_id", "status", "created_at", "updated_at"]
    access = {"read": REPORT_READERS, "data": REPORT_READERS}
    learner_groups = frozenset({"read", "data"})

    def get_queryset(self) -> QuerySet[Request]:
        if self.schema_only():
            return Request.objects.none()
        report = self.parents["report"]
        rows = Request.objects.filter(learner_id=report.learner_id, activity_id=report.activity_id)
        if self.action == "data":
            return rows
        return (
            rows.prefetch_related(
                Prefetch("results", queryset=RequestResult.objects.order_by("instrument_id")),
                "instruments",
            )
            .order_by("session_id", "id")
            .distinct()
        )

    @PAYLOAD_SCHEMA
    @action(**PAYLOAD_ACTION)
    def data(self, request, *args, **kwargs):
        return request_payload_download(self.get_object())


# §21 Report audits ---------------------------------------------------------------------------


class InstitutionCourseActivityReportAuditViewSet(
    OneObjectPerRequest, ReportAccessMixin, TeslaReadOnlyViewSet
):
    """A report's instrument rows with their audit trails (institution-api §21); the detail
    is looked up by instrument id and carries the trail inline."""

    parent_chain = REPORT_CHAIN
    access = {"read": REPORT_READERS, "data": REPORT_READERS}
    learner_flags = ("allow_learner_report", "allow_learner_audit")
    learner_groups = frozenset({"read", "data"})
    lookup_field = "instrument_id"
    filter_backends = []

    def get_serializer_class(self):
        if getattr(self, "action", None) in {"retrieve"}:
            return s.InstitutionCourseActivityReportAuditDetailSerializer
        return s.InstitutionCourseActivityReportAuditSerializer

    def get_queryset(self) -> QuerySet[ReportActivityInstrument]:
        if self.schema_only():
            return ReportActivityInstrument.objects.none()
        return (
            ReportActivityInstrument.objects.filter(report=self.parents["report"])
            .select_related("report__activity", "report__learner")
            .order_by("instrument_id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "action", None) == "retrieve" and not self.schema_only():
            context["audit"] = selectors.report_instrument_audit(
                row=self.get_object(), http_request=self.request
            )
        return context

    @extend_schema(
        responses={200: s.ReportAuditTrailSerializer}, description="The audit trail as JSON."
    )
    @action(detail=True, methods=["get"])
    def data(self, request, *args, **kwargs):
        return Response(
            selectors.report_instrument_audit(row=self.get_object(), http_request=request)
        )


# §12.7 Learner enrolment ---------------------------------------------------------------------

LEARNER = Parent(
    "learner",
    "learner_pk",
    lambda request, p: Learner.objects.filter(institution_user__institution=p["institution"]),
)


class InstitutionLearnerEnrolmentViewSet(TeslaViewSet):
    """A learner's enrolment status per instrument (institution-api §12.7): the bare list the
    original answered and the dashboard iterates (the spec documents a learner object), or
    with `?activity_id=` whether the learner misses an enrolment the activity needs. DELETE
    (data admins) drops the models of instruments none of the learner's requests ever used
    and answers the new list."""

    parent_chain = (INSTITUTION, LEARNER)
    access = {
        "enrolment": {GLOBAL_ADMIN, ADMIN, LEGAL, DATA, SEND, INSTRUCTOR},
        "prune": {DATA},
    }
    pagination_class = None
    filter_backends = []

    def has_access(self, request) -> bool:
        if super().has_access(request):
            return True
        member = institution_user_of(request)
        return (
            self.access_group() == "enrolment"
            and member is not None
            and member.pk == self.parents["learner"].pk
        )

    def _status(self, request):
        learner = self.parents["learner"]
        activity_id = request.query_params.get("activity_id")
        if activity_id is None:
            return Response(selectors.learner_enrolment_status(learner=learner))
        try:
            activity_id = int(activity_id)
        except ValueError:
            raise ValidationError({"activity_id": ["A valid integer is required."]}) from None
        activity = Activity.objects.filter(
            pk=activity_id, course__vle__institution=self.parents["institution"]
        ).first()
        if activity is None:
            raise ValidationError({"activity_id": ["Unknown activity."]})
        return Response(selectors.learner_missing_enrolments(learner=learner, activity=activity))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "activity_id",
                int,
                description="Answer whether the learner misses an enrolment this activity "
                "needs instead.",
            )
        ],
        responses={
            200: OpenApiResponse(
                s.LearnerEnrolmentStatusSerializer(many=True),
                description="One status object per instrument; with `activity_id`, a "
                "LearnerMissingEnrolments object instead.",
            )
        },
    )
    def enrolment(self, request, *args, **kwargs):
        return self._status(request)

    @extend_schema(responses={200: s.LearnerEnrolmentStatusSerializer(many=True)})
    def prune(self, request, *args, **kwargs):
        learner = self.parents["learner"]
        enrolment_rules.learner_enrolments_prune(learner=learner)
        return Response(selectors.learner_enrolment_status(learner=learner))


# VLE tree §10 --------------------------------------------------------------------------------


def _own_vle(request, parents) -> QuerySet[VLEModel]:
    vle = module_of(request, "vle")
    return VLEModel.objects.filter(pk=vle.pk if vle is not None else None)


VLE_ACTIVITY_CHAIN = (
    Parent("vle", "vle_pk", _own_vle, known=caller_module("vle")),
    Parent("course", "course_pk", lambda request, p: Course.objects.filter(vle=p["vle"])),
    Parent(
        "activity",
        "activity_pk",
        lambda request, p: Activity.objects.filter(course=p["course"], vle=p["vle"]),
    ),
)


class VLECourseActivityReportViewSet(_ReportViewSetBase):
    """Learners' reports on an activity of the VLE's own course (vle-api §10)."""

    parent_chain = VLE_ACTIVITY_CHAIN
    allowed_kinds = frozenset({"vle"})
    access = {"read": {VLE}, "data": {VLE}, "chart": {VLE}}

    def get_serializer_class(self):
        if getattr(self, "action", None) == "retrieve":
            return s.VLECourseActivityReportDetailSerializer
        return s.VLECourseActivityReportSerializer

    def get_queryset(self) -> QuerySet[ReportActivity]:
        if self.schema_only():
            return ReportActivity.objects.none()
        return selectors.activity_reports(
            activity=self.parents["activity"], rows_inline=self.action == "list"
        )

    @DATA_SCHEMA
    @action(detail=True, methods=["get"])
    def data(self, request, *args, **kwargs):
        return self._data()

    @CHART_SCHEMA
    @action(detail=True, methods=["get"], url_path="chart.svg")
    def chart(self, request, *args, **kwargs):
        return self._chart(request)


# Provider tree -------------------------------------------------------------------------------


def _own_provider(request, parents=None) -> QuerySet[Provider]:
    provider = module_of(request, "provider")
    return Provider.objects.filter(pk=provider.pk if provider is not None else None)


PROVIDER_PARENT = Parent("provider", "provider_pk", _own_provider, known=caller_module("provider"))


class ProviderViewSet(mixins.RetrieveModelMixin, TeslaViewSet):
    """The calling provider's own record (another provider's id is a 404)."""

    allowed_kinds = frozenset({"provider"})
    access = {"read": {PROVIDER}}
    serializer_class = s.ProviderSerializer

    def get_queryset(self) -> QuerySet[Provider]:
        if self.schema_only():
            return Provider.objects.none()
        return _own_provider(self.request).select_related("instrument")

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

    parent_chain = (PROVIDER_PARENT,)
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
        if row.status == ResultStatus.PROCESSED:
            raise ValidationError({"status": ["The request is already processed."]})
        row = provider_result_record(
            provider_result=row, changes={"status": body.validated_data["status"]}
        )
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
    TeslaViewSet,
):
    """Learners' enrolment models held by this provider, looked up by learner UUID.

    POST `{learner_id, task_id}` opens (creating if needed) and locks the model for the task;
    PUT/PATCH `{task_id, percentage 0..1, can_analyse}` stores it and releases the lock;
    `unlock/` `{token}` releases a lock (404 no model, 406 not locked, 403 other task)."""

    parent_chain = (PROVIDER_PARENT,)
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

    def get_object(self):
        try:
            return super().get_object()
        except DjangoValidationError:
            raise NotFound from None

    @extend_schema(
        request=s.ProviderEnrolmentCreateSerializer, responses={201: s.ProviderEnrolmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        body = s.ProviderEnrolmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        learner = Learner.objects.filter(learner_id=body.validated_data["learner_id"]).first()
        if learner is None:
            raise ValidationError({"learner_id": ["Unknown learner."]})
        enrolment = enrolment_rules.provider_enrolment_open(
            provider=self.parents["provider"],
            learner=learner,
            task_id=body.validated_data["task_id"],
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
        try:
            enrolment = enrolment_rules.provider_enrolment_unlock(
                enrolment=enrolment, token=body.validated_data["token"]
            )
        except enrolment_rules.EnrolmentNotLocked:
            return Response({"detail": "Model is not locked."}, status=406)
        except enrolment_rules.EnrolmentLockMismatch:
            raise PermissionDenied("The model is locked by another task.") from None
        return Response(
            s.ProviderEnrolmentSerializer(enrolment, context=self.get_serializer_context()).data
        )


def _any_learner(request, parents) -> QuerySet[Learner]:
    """Providers serve every institution: any learner, by UUID."""
    return Learner.objects.select_related("institution_user")


class ProviderLearnerViewSet(TeslaViewSet):
    """Base of the provider's views of one learner's enrolment samples
    (`/provider/{p}/enrolment/{learner uuid}/...`); a malformed UUID is a 404."""

    parent_chain = (
        PROVIDER_PARENT,
        Parent("learner", "learner_id", _any_learner, field="learner_id"),
    )
    allowed_kinds = frozenset({"provider"})
    access = {"read": {PROVIDER}}
    serializer_class = s.ProviderEnrolmentSampleSerializer
    filter_backends = []

    def check_permissions(self, request):
        try:
            super().check_permissions(request)
        except DjangoValidationError:
            raise NotFound from None

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

    parent_chain = (
        *ProviderLearnerViewSet.parent_chain,
        Parent(
            "sample",
            "sample_pk",
            lambda request, p: EnrolmentSample.objects.filter(learner=p["learner"]),
        ),
    )
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


# Global admin: providers of an instrument ----------------------------------------------------


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

    parent_chain = (
        Parent("instrument", "instrument_pk", lambda request, p: Instrument.objects.all()),
    )
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


# LAPI ----------------------------------------------------------------------------------------


def _lapi_institutions(request, parents) -> QuerySet[Institution]:
    """A VLE reaches its own institution, a learner token the learner's, users theirs."""
    kind = kind_of(request.user)
    if kind == "vle":
        return Institution.objects.filter(pk=module_of(request, "vle").institution_id)
    return institutions_visible_to(request, parents)


def _lapi_learners(request, parents) -> QuerySet[Learner]:
    learners = Learner.objects.filter(institution_user__institution=parents["institution"])
    return learners.select_related("institution_user__institution", "consent")


class LAPIVerificationViewSet(TeslaViewSet):
    """`POST /lapi/v1/verification/{institution_id}/{learner_id}/`: a sample the browser
    plugin captured (or a document a VLE sends). Callers: the learner themself (session token
    or user token) or a VLE of the learner's institution; anyone else is 403.

    200 `{"status": "OK", "request_id", "path"}`; invalid body 400 `{"status": "ERROR",
    "errors": {field: [...]}}`."""

    parent_chain = (
        Parent("institution", "institution_pk", _lapi_institutions),
        Parent("learner", "learner_id", _lapi_learners, field="learner_id"),
    )
    allowed_kinds = frozenset({"learner", "vle", "user", "admin"})
    access = {"create": {LEARNER_TOKEN, VLE}}
    # Also what OPTIONS describes (DRF's metadata needs a serializer to describe the POST).
    serializer_class = s.LAPIVerificationSerializer
    pagination_class = None
    filter_backends = []

    def check_permissions(self, request):
        try:
            super().check_permissions(request)
        except DjangoValidationError:
            # A malformed learner UUID in the path cannot name a learner.
            raise NotFound from None

    def has_access(self, request) -> bool:
        learner = self.parents["learner"]
        kind = kind_of(request.user)
        if kind == "vle":
            return True  # the institution parent already limits VLEs to their institution
        if kind == "learner":
            return request.user.learner.pk == learner.pk
        member = institution_user_of(request)
        return member is not None and member.pk == learner.pk

    def _error(self, errors, code=status.HTTP_400_BAD_REQUEST) -> Response:
        transaction.set_rollback(True)
        return Response({"status": "ERROR", "errors": errors}, status=code)

    def _read_body(self, serializer_class) -> tuple[dict | None, Response | None]:
        """The validated body, or the 400 answer; a body about another learner than the
        URL's is a 403."""
        body = serializer_class(data=self.request.data)
        if not body.is_valid():
            return None, self._error(body.errors)
        if body.validated_data["learner_id"] != self.parents["learner"].learner_id:
            raise PermissionDenied("The body's learner_id is not the learner of the URL.")
        return body.validated_data, None

    @extend_schema(
        request=s.LAPIVerificationSerializer,
        responses={
            200: s.LAPIVerificationResponseSerializer,
            400: s.LAPIVerificationResponseSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        learner: Learner = self.parents["learner"]
        values, error = self._read_body(s.LAPIVerificationSerializer)
        if error is not None:
            return error
        activity = (
            Activity.objects.filter(
                pk=values["activity_id"],
                course_id=values["course_id"],
                course__vle__institution=self.parents["institution"],
            )
            .select_related("course")
            .first()
        )
        if activity is None:
            return self._error({"activity_id": ["Unknown activity of this course."]})
        if not activity.course.learners.filter(pk=learner.pk).exists():
            return self._error({"learner_id": ["The learner is not in this course."]})
        session = None
        if values.get("session_id") is not None:
            session = AssessmentSession.objects.filter(
                pk=values["session_id"], learner=learner, activity=activity
            ).first()
            if session is None:
                return self._error(
                    {"session_id": ["Unknown session of this learner and activity."]}
                )
        try:
            created = verification_request_create(
                learner=learner,
                activity=activity,
                instruments=values["instruments"],
                data=values["data"],
                metadata=values.get("metadata") or {},
                session=session,
            )
        except DjangoValidationError as error:
            return self._error(as_serializer_error(error))
        return Response({"status": "OK", "request_id": created.pk, "path": created.data.name})


class LAPIEnrolmentViewSet(LAPIVerificationViewSet):
    """`POST /lapi/v1/enrolment/{institution_id}/{learner_id}/`: an enrolment sample the
    browser plugin captured, for the providers to build the learner's models. Same callers as
    the verification intake.

    200 `{"status": "OK", "sample_id", "path"}`; invalid body 400 `{"status": "ERROR",
    "errors": {field: [...]}}`."""

    @extend_schema(
        request=s.LAPIEnrolmentSerializer,
        responses={
            200: s.LAPIEnrolmentResponseSerializer,
            400: s.LAPIEnrolmentResponseSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        values, error = self._read_body(s.LAPIEnrolmentSerializer)
        if error is not None:
            return error
        try:
            sample = sample_rules.enrolment_sample_create(
                learner=self.parents["learner"],
                instruments=values["instruments"],
                data=values["data"],
                metadata=dict(values["metadata"]),
            )
        except DjangoValidationError as error:
            return self._error(as_serializer_error(error))
        return Response({"status": "OK", "sample_id": sample.pk, "path": sample.data.name})
