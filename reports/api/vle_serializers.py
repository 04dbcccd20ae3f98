"""Payloads of the VLE tree that involve verification: assessment refusals, attachments
(documents a VLE delivers for analysis), the learners of an activity and their verification
requests (vle-api.md §1.3, §7, §9; anchor-core §4.4, §4.5, §5, §6)."""

from rest_framework import serializers

from institution.models import Learner
from reports.api.serializers import (
    InstitutionCourseActivityReportRequestResultSerializer,
    InstitutionCourseActivityReportRequestSerializer,
    LearnerNameFields,
)


class VLEAssessmentRejectionSerializer(serializers.Serializer):
    """Why a learner may not start (406): `status` 2 missing informed consent, 3 invalid
    informed consent, 4 missing enrolment (then `enrolments` names the instruments)."""

    status = serializers.IntegerField()
    message = serializers.CharField()
    enrolments = serializers.JSONField(required=False)


# §7 Attachments ------------------------------------------------------------------------------


class VLEAttachmentMetadataSerializer(serializers.Serializer):
    """What the document is: its MIME type, optionally its file name and the VLE's context
    (the Moodle plugin sends the submission type, wordcount...). Other keys are kept."""

    mimetype = serializers.CharField(max_length=255)
    filename = serializers.CharField(max_length=255, required=False, allow_null=True)
    context = serializers.JSONField(required=False, allow_null=True)

    def to_internal_value(self, data):
        super().to_internal_value(data)  # checks the described keys
        return dict(data)  # and keeps the others (the plugin's created_at...)

    def to_representation(self, instance):
        return dict(instance)


class VLEAttachmentRequestSerializer(serializers.Serializer):
    """A document to verify. `data` is the document itself (usually a `data:` URL with base64
    content, up to settings.ATTACHMENT_MAX_BYTES once decoded); `instruments` are the ids the
    attachment GET listed. The learner, course and activity come from the URL (body values
    are ignored); `session_id` may name a closed session of the learner in this activity.
    `close_session` and `close_at` are accepted and ignored, as in the original."""

    learner_id = serializers.UUIDField(required=False, allow_null=True, help_text="Ignored.")
    course_id = serializers.IntegerField(required=False, allow_null=True, help_text="Ignored.")
    activity_id = serializers.IntegerField(required=False, allow_null=True, help_text="Ignored.")
    session_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    data = serializers.CharField(trim_whitespace=False)
    instruments = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    metadata = VLEAttachmentMetadataSerializer()
    close_session = serializers.BooleanField(required=False, allow_null=True, help_text="Ignored.")
    close_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Ignored.")


class VLEAttachmentResultSerializer(serializers.Serializer):
    """A stored document: `status` "OK" (what the Moodle plugin checks), where it is kept and
    the verification request created for it, with the request's fields echoed (not `data`,
    which may be megabytes)."""

    status = serializers.CharField()
    path = serializers.CharField(allow_null=True)
    request_id = serializers.IntegerField()
    learner_id = serializers.UUIDField()
    course_id = serializers.IntegerField()
    activity_id = serializers.IntegerField()
    session_id = serializers.IntegerField(allow_null=True)
    instruments = serializers.ListField(child=serializers.IntegerField())
    metadata = VLEAttachmentMetadataSerializer()
    close_session = serializers.BooleanField(allow_null=True)
    close_at = serializers.DateTimeField(allow_null=True)


class VLEAttachmentErrorSerializer(serializers.Serializer):
    """A refused document: `status` "ERROR" and the errors per field."""

    status = serializers.CharField()
    errors = serializers.DictField()


# §9 Activity learners and their requests (TBD in the spec) -----------------------------------


class VLEActivityLearnerSerializer(LearnerNameFields, serializers.ModelSerializer):
    """A learner with verification requests in the activity."""

    email = serializers.CharField(source="institution_user.user.email", read_only=True)
    institution_id = serializers.IntegerField(
        source="institution_user.institution_id", read_only=True
    )

    class Meta:
        model = Learner
        fields = ["id", "first_name", "last_name", "email", "uid", "institution_id", "learner_id"]
        read_only_fields = fields


class VLELearnerRequestResultSerializer(InstitutionCourseActivityReportRequestResultSerializer):
    """One instrument's outcome for a request, as the VLE reads it (the institution tree's
    representation under a name of its own)."""


class VLELearnerRequestSerializer(InstitutionCourseActivityReportRequestSerializer):
    """A verification request of the learner in the activity (a sample of a session or a
    delivered document), with one result per instrument and the sender's `metadata`. `data`
    is the URL of the stored payload (`.../request/{id}/data/`, VLE token), or null."""

    result = VLELearnerRequestResultSerializer(source="results", many=True, read_only=True)

    class Meta(InstitutionCourseActivityReportRequestSerializer.Meta):
        fields = [*InstitutionCourseActivityReportRequestSerializer.Meta.fields, "metadata"]
        read_only_fields = fields
