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

from institution.api.views import INSTITUTION_PARENT as INSTITUTION
from institution.models import Institution, Learner
from reports import filters, selectors
from reports.api import serializers as s
from reports.api.common import (
    CHART_SCHEMA,
    DATA_SCHEMA,
    PAYLOAD_ACTION,
    PAYLOAD_SCHEMA,
    OneObjectPerRequest,
    ReportViewSetBase,
    request_payload_download,
)
from reports.models import (
    ReportActivity,
    ReportActivityInstrument,
    Request,
    RequestResult,
)
from reports.services import enrolment as enrolment_rules
from reports.services import exports
from tesla.permissions import (
    ADMIN,
    COURSE_INSTRUCTOR,
    COURSE_LEARNER,
    DATA,
    GLOBAL_ADMIN,
    INSTRUCTOR,
    LEGAL,
    SEND,
)
from tesla.principals import institution_user_of
from tesla.viewsets import Parent, TeslaReadOnlyViewSet, TeslaViewSet
from vle.api.views import CourseRolesMixin, course_roles
from vle.models import Activity, Instrument

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


class InstitutionCourseActivityReportViewSet(ReportAccessMixin, ReportViewSetBase):
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
