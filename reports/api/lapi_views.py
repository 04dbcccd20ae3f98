"""Learner API (`/lapi/v1/...`): samples and documents from the browser plugin (or a VLE)
become verification requests and enrolment samples."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from reports.api import serializers as s
from reports.parents import LAPI_PARENTS
from reports.services import intake
from reports.services import samples as sample_rules
from tesla.permissions import SELF, VLE
from tesla.viewsets import TeslaViewSet


def intake_schema(body, answer):
    """The POST of an intake: `body` in, `answer` out, for the 200 and the 400 alike."""
    return extend_schema_view(
        create=extend_schema(request=body, responses={200: answer, 400: answer})
    )


@intake_schema(s.LAPIVerificationSerializer, s.LAPIVerificationResponseSerializer)
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
    # The body; also what OPTIONS describes.
    serializer_class = s.LAPIVerificationSerializer
    # A 400 answers `{"status": "ERROR", "errors": {...}}`: the browser plugin reads `status`.
    error_envelope = True
    pagination_class = None
    filter_backends = []

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        intake.intake_learner_check(
            learner=self.parents["learner"], learner_id=values.pop("learner_id")
        )
        return Response({"status": "OK", **self.receive(values)})

    def receive(self, values: dict) -> dict:
        """Store the validated body (without its learner_id); the answer's fields after
        `status`."""
        created = intake.lapi_verification_receive(
            institution=self.parents["institution"], learner=self.parents["learner"], **values
        )
        return {"request_id": created.pk, "path": created.data.name}


@intake_schema(s.LAPIEnrolmentSerializer, s.LAPIEnrolmentResponseSerializer)
class LAPIEnrolmentViewSet(LAPIVerificationViewSet):
    """`POST /lapi/v1/enrolment/{institution_id}/{learner_id}/`: an enrolment sample the
    browser plugin captured, for the providers to build the learner's models. Same callers as
    the verification intake.

    200 `{"status": "OK", "sample_id", "path"}`; invalid body 400 `{"status": "ERROR",
    "errors": {field: [...]}}`."""

    serializer_class = s.LAPIEnrolmentSerializer

    def receive(self, values: dict) -> dict:
        sample = sample_rules.enrolment_sample_create(
            learner=self.parents["learner"],
            instruments=values["instruments"],
            data=values["data"],
            metadata=dict(values["metadata"]),
        )
        return {"sample_id": sample.pk, "path": sample.data.name}
