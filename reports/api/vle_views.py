"""The VLE views that need verification data, nested in the VLE tree (/api/v2/vle/{v}/...):
assessment sessions (their enrolment check reads learners' enrolments), attachments (which
become verification requests), the learners of an activity and their requests, and the
activity reports of the VLE's own courses.

They use the VLE tree's parent chains (`vle.api.vle_views`), so they share its rules: VLE
tokens only, every queryset filtered by every URL parent, another VLE's objects are a 404.
"""

import django_filters
from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from institution.models import Learner
from reports.api import serializers as s
from reports.api import vle_serializers as rs
from reports.api.common import (
    PAYLOAD_ACTION,
    PAYLOAD_SCHEMA,
    ReportViewSetBase,
    request_payload_download,
)
from reports.models import Request
from reports.parents import ATTACHMENT_PARENTS, REQUEST_PARENTS
from reports.selectors import learner_missing_enrolments
from reports.services.intake import verification_request_create
from tesla.downloads import data_url_decode
from tesla.exceptions import PayloadTooLarge
from tesla.permissions import VLE
from tesla.viewsets import TeslaReadOnlyViewSet, TeslaViewSet
from vle.api import vle_serializers as vs
from vle.api.vle_views import VLE_ONLY, ForVLE
from vle.filters import PERSON_SEARCH_FIELDS, VLECourseLearnerFilter
from vle.models import ActivityInstrument
from vle.parents import ACTIVITY_PARENTS, VLE_PARENTS
from vle.selectors import activity_learner_instruments
from vle.services import assessment as sessions

# §1.3 Assessment -----------------------------------------------------------------------------


class VLEAssessmentViewSet(ForVLE, TeslaViewSet):
    """Assessment sessions of the VLE's learners: open, resume, close."""

    parent_chain = VLE_PARENTS
    serializer_class = vs.VLEAssessmentRequestSerializer

    @extend_schema(
        request=vs.VLEAssessmentRequestSerializer,
        responses={
            200: vs.VLEAssessmentSessionSerializer,
            400: OpenApiResponse(description="Bad body, or a closed session_id"),
            404: OpenApiResponse(description="Unknown activity, learner or session"),
            406: rs.VLEAssessmentRejectionSerializer,
        },
        summary="Open, resume (session_id) or close (session_id, close) an assessment session.",
    )
    def create(self, request, *args, **kwargs):
        body = vs.VLEAssessmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        vle = self.parents["vle"]
        if values.get("session_id") is not None:
            session = sessions.assessment_session_resume(
                vle=vle, session_id=values["session_id"], close=bool(values.get("close"))
            )
        else:
            by_vle_ids = values.get("vle_activity_type") and values.get("vle_activity_id")
            activity = sessions.assessment_activity(
                vle=vle,
                vle_activity_type=values.get("vle_activity_type"),
                vle_activity_id=values.get("vle_activity_id"),
                activity_pk=None if by_vle_ids else values.get("activity"),
            )
            learner = sessions.assessment_learner(
                vle=vle,
                uid=values.get("vle_learner_uid") or None,
                learner_ref=values.get("learner"),
            )
            try:
                session = sessions.assessment_session_start(
                    activity=activity,
                    learner=learner,
                    enrolment_check=learner_missing_enrolments,
                    max_ttl=values.get("max_ttl") or 120,
                    locale=values.get("locale") or None,
                    redirect_reject_url=values.get("redirect_reject_url") or None,
                    reject_message=values.get("reject_message") or None,
                    options=values.get("options"),
                )
            except sessions.AssessmentRejected as rejection:
                return Response(rejection.body, status=status.HTTP_406_NOT_ACCEPTABLE)
        data = vs.VLEAssessmentSessionSerializer(
            session, context=self.get_serializer_context()
        ).data
        # 200 for every outcome, as the plugins' original server answered (the spec says 201).
        return Response(data, status=status.HTTP_200_OK)


# §7 Attachments ------------------------------------------------------------------------------

LEARNER_UUID = OpenApiParameter("learner_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def document_size(data: str) -> int:
    """Bytes of the document once decoded: base64 `data:` URLs count their content, anything
    else its UTF-8 text. Malformed base64 is a 400."""
    try:
        return len(data_url_decode(data)[0])
    except ValueError as error:
        raise ValidationError({"data": ["Not valid base64 content."]}) from error


class VLEAttachmentViewSet(ForVLE, TeslaViewSet):
    """Documents a VLE delivers for a learner of the activity (e.g. a submitted assignment).
    GET lists the activity instruments that analyse documents from this learner; POST stores
    a document and creates its verification request."""

    parent_chain = ATTACHMENT_PARENTS
    serializer_class = rs.VLEAttachmentRequestSerializer
    # A 400 answers `{"status": "ERROR", "errors": {...}}`: the Moodle plugin reads `status`,
    # as the original answered.
    error_envelope = True
    # Only for the schema's path parameters: the rows come from the resolved parents.
    queryset = ActivityInstrument.objects.none()

    @extend_schema(
        parameters=[LEARNER_UUID],
        responses={200: vs.VLECourseActivityInstrumentSerializer(many=True)},
        summary="The activity instruments that expect a document from this learner.",
    )
    def retrieve(self, request, *args, **kwargs):
        rows = [
            row
            for row in activity_learner_instruments(
                activity=self.parents["activity"], learner=self.parents["learner"]
            )
            if sessions.instrument_takes_documents(row)
        ]
        # A bare list (not a page): the Moodle plugin iterates over the body itself.
        return Response(
            vs.VLECourseActivityInstrumentSerializer(
                rows, many=True, context=self.get_serializer_context()
            ).data
        )

    @extend_schema(
        parameters=[LEARNER_UUID],
        request=rs.VLEAttachmentRequestSerializer,
        responses={
            200: rs.VLEAttachmentResultSerializer,
            400: rs.VLEAttachmentErrorSerializer,
            413: OpenApiResponse(description="The document is larger than allowed"),
        },
        summary="Deliver a document of this learner for verification.",
    )
    def create(self, request, *args, **kwargs):
        raw = request.data.get("data") if isinstance(request.data, dict) else None
        if isinstance(raw, str) and document_size(raw) > settings.ATTACHMENT_MAX_BYTES:
            raise PayloadTooLarge(
                f"The document is larger than {settings.ATTACHMENT_MAX_BYTES} bytes."
            )
        body = rs.VLEAttachmentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        activity, learner = self.parents["activity"], self.parents["learner"]
        verification = verification_request_create(
            learner=learner,
            activity=activity,
            instruments=values["instruments"],
            data=values["data"],
            metadata=values["metadata"],
            session_id=values.get("session_id"),
        )
        return Response(
            {
                "status": "OK",
                "path": verification.data.name or None,
                "request_id": verification.pk,
                "learner_id": str(learner.learner_id),
                "course_id": activity.course_id,
                "activity_id": activity.pk,
                "session_id": verification.session_id,
                "instruments": list(
                    verification.instruments.order_by("pk").values_list("pk", flat=True)
                ),
                "metadata": values["metadata"],
                "close_session": values.get("close_session"),
                "close_at": values.get("close_at"),
            },
            status=status.HTTP_200_OK,
        )


# §9 Activity learners and their requests (TBD in the spec; anchor-core §4.4, §4.5) -----------


class VLEActivityLearnerViewSet(ForVLE, TeslaReadOnlyViewSet):
    """Learners with verification requests in the activity (the original meant this and
    looked at activity 1 whatever the URL said)."""

    parent_chain = ACTIVITY_PARENTS
    serializer_class = rs.VLEActivityLearnerSerializer
    filterset_class = VLECourseLearnerFilter
    search_fields = PERSON_SEARCH_FIELDS

    def get_queryset(self):
        if self.schema_only():
            return Learner.objects.none()
        return Learner.objects.filter(
            pk__in=Request.objects.filter(activity=self.parents["activity"]).values("learner_id")
        ).select_related("institution_user__user")


class VLELearnerRequestFilter(django_filters.FilterSet):
    instruments = django_filters.NumberFilter(field_name="instruments")

    class Meta:
        model = Request
        fields = ["instruments"]


class VLELearnerRequestViewSet(ForVLE, TeslaReadOnlyViewSet):
    """A learner's verification requests in the activity, newest first, with one result per
    instrument. `?instruments=<id>` keeps the requests that used that instrument; `{id}/data/`
    is a request's stored sample or document."""

    parent_chain = REQUEST_PARENTS
    serializer_class = rs.VLELearnerRequestSerializer
    filterset_class = VLELearnerRequestFilter
    search_fields = ["instruments__acronym"]
    access = {**ForVLE.access, "data": VLE_ONLY}

    def get_queryset(self):
        if self.schema_only():
            return Request.objects.none()
        rows = Request.objects.filter(
            learner=self.parents["learner"], activity=self.parents["activity"]
        )
        if self.action == "data":
            return rows
        return rows.order_by("-id").prefetch_related("instruments", "results")

    @PAYLOAD_SCHEMA
    @action(**PAYLOAD_ACTION)
    def data(self, request, *args, **kwargs):
        return request_payload_download(self.get_object())


# §10 Activity reports -----------------------------------------------------------------------------


class VLECourseActivityReportViewSet(ReportViewSetBase):
    """Learners' reports on an activity of the VLE's own course (vle-api §10)."""

    parent_chain = ACTIVITY_PARENTS
    allowed_kinds = frozenset({"vle"})
    access = {"read": {VLE}, "data": {VLE}, "chart": {VLE}}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.VLECourseActivityReportDetailSerializer
        return s.VLECourseActivityReportSerializer
