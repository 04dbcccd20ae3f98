"""Endpoints of the reports app in the institution tree (`/api/v2/institution/{i}/...`):
activity reports (+ JSON summary, SVG chart, CSV export), a report's requests (+ each one's
stored sample or document) and per-instrument audits; a learner's enrolment status.

Parents come from the URL through caller-scoped querysets (foreign → 404), then roles.
Stored files are only ever served through these endpoints (never as media URLs).
"""

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from institution.parents import LEARNER_PARENTS
from reports import filters, selectors
from reports.api import serializers as s
from reports.api.common import (
    PAYLOAD_ACTION,
    PAYLOAD_SCHEMA,
    OneObjectPerRequest,
    ReportViewSetBase,
    query_integer,
    request_payload_download,
)
from reports.models import (
    ReportActivityInstrument,
    Request,
    RequestResult,
)
from reports.parents import (
    ACTIVITY_CHAIN,
    LEARNER_AUDIT,
    LEARNER_REPORT,
    REPORT_CHAIN,
    REPORT_READERS,
)
from reports.services import enrolment as enrolment_rules
from reports.services import exports
from tesla.permissions import ADMIN, DATA, GLOBAL_ADMIN, INSTRUCTOR, LEGAL, SELF, SEND
from tesla.viewsets import TeslaReadOnlyViewSet, TeslaViewSet
from vle.models import Activity

# Report readers, and the learners of the course where the institution lets them read their
# own report (or its audit trails).
REPORT_OR_OWN = REPORT_READERS | {LEARNER_REPORT}
AUDIT_OR_OWN = REPORT_READERS | {LEARNER_AUDIT}

# §19 Reports ---------------------------------------------------------------------------------


class InstitutionCourseActivityReportViewSet(ReportViewSetBase):
    """Learners' reports on an activity (institution-api §19). Course instructors, admins,
    data admins and global admins read all; a learner reads their own report when the
    institution allows it. The detail explains each instrument's result."""

    parent_chain = ACTIVITY_CHAIN
    access = {
        "read": REPORT_OR_OWN,
        "data": REPORT_OR_OWN,
        "chart": REPORT_OR_OWN,
        "export": REPORT_READERS,
    }
    own_field = "learner_id"
    sees_all = REPORT_READERS

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.InstitutionCourseActivityReportDetailSerializer
        return s.InstitutionCourseActivityReportSerializer

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="Every report of the activity as CSV (the list's filters apply): learner, "
        "the three levels, and result, confidence, enrolment and level per instrument.",
    )
    @action(detail=False, methods=["get"], url_path="export.csv", pagination_class=None)
    def export(self, request, *args, **kwargs):
        reports = self.filter_queryset(self.get_queryset())
        activity = self.parents["activity"]
        body = exports.activity_reports_csv(
            reports=reports, instruments=selectors.activity_report_instruments(activity=activity)
        )
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="activity-{activity.pk}-reports.csv"'
        )
        return response


# §20 Report requests -------------------------------------------------------------------------


class InstitutionCourseActivityReportRequestViewSet(TeslaReadOnlyViewSet):
    """The verification requests behind a report (institution-api §20), ordered by session
    then id, with each instrument's result; `{id}/data/` is the stored sample or document,
    for the same readers."""

    parent_chain = REPORT_CHAIN
    serializer_class = s.InstitutionCourseActivityReportRequestSerializer
    filterset_class = filters.ReportRequestFilter
    search_fields = ["instruments__acronym"]
    ordering_fields = ["id", "session_id", "status", "created_at", "updated_at"]
    access = {"read": REPORT_OR_OWN, "data": REPORT_OR_OWN}

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


class InstitutionCourseActivityReportAuditViewSet(OneObjectPerRequest, TeslaReadOnlyViewSet):
    """A report's instrument rows with their audit trails (institution-api §21); the detail
    is looked up by instrument id and carries the trail inline."""

    parent_chain = REPORT_CHAIN
    access = {"read": AUDIT_OR_OWN, "data": AUDIT_OR_OWN}
    lookup_field = "instrument_id"
    filter_backends = []

    def get_serializer_class(self):
        if self.action == "retrieve":
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
        if self.action == "retrieve" and not self.schema_only():
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


class InstitutionLearnerEnrolmentViewSet(TeslaViewSet):
    """A learner's enrolment status per instrument (institution-api §12.7): the bare list the
    original answered and the dashboard iterates (the spec documents a learner object), or
    with `?activity_id=` whether the learner misses an enrolment the activity needs. DELETE
    (data admins) drops the models of instruments none of the learner's requests ever used
    and answers the new list."""

    parent_chain = LEARNER_PARENTS
    # The learner themself (SELF) also reads their status.
    access = {
        "enrolment": {GLOBAL_ADMIN, ADMIN, LEGAL, DATA, SEND, INSTRUCTOR, SELF},
        "prune": {DATA},
    }
    pagination_class = None
    filter_backends = []

    def _status(self, request):
        learner = self.parents["learner"]
        activity_id = query_integer(request, "activity_id")
        if activity_id is None:
            return Response(selectors.learner_enrolment_status(learner=learner))
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
