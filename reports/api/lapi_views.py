"""Learner API (`/lapi/v1/...`): samples and documents from the browser plugin (or a VLE)
become verification requests and enrolment samples."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from institution.models import Learner
from reports.api import serializers as s
from reports.parents import LAPI_PARENTS
from reports.services import samples as sample_rules
from reports.services.intake import verification_request_create
from tesla.permissions import SELF, VLE
from tesla.viewsets import TeslaViewSet
from vle.models import Activity, AssessmentSession


class LAPIVerificationViewSet(TeslaViewSet):
    """`POST /lapi/v1/verification/{institution_id}/{learner_id}/`: a sample the browser
    plugin captured (or a document a VLE sends). Callers: the learner themself (session token
    or user token) or a VLE of the learner's institution; anyone else is 403.

    200 `{"status": "OK", "request_id", "path"}`; invalid body 400 `{"status": "ERROR",
    "errors": {field: [...]}}`."""

    parent_chain = LAPI_PARENTS
    allowed_kinds = frozenset({"learner", "vle", "user", "admin"})
    # The learner themself (SELF), or a VLE: the institution parent already limits VLEs to
    # their own institution. OPTIONS ("metadata") describes the POST to the same callers.
    access = {"create": {SELF, VLE}, "metadata": {SELF, VLE}}
    # Also what OPTIONS describes (DRF's metadata needs a serializer to describe the POST).
    serializer_class = s.LAPIVerificationSerializer
    pagination_class = None
    filter_backends = []

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
