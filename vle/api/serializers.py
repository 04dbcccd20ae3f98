"""Payloads of the institution side of the VLE app (/api/v2/institution/{i}/...) and of the
global-admin instrument catalogue (/api/v2/admin/instrument/).

Writes go through `vle.services` (the views call them); these classes describe and validate the
shapes.
"""

import json

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from institution.api.serializers import InstitutionSerializer
from institution.models import Institution
from institution.selectors import learner_ic_status, learner_send
from tesla.serializers import (
    PlainModelRepresentation,
    PlainRepresentation,
    TeslaModelSerializer,
    iso_datetime,
)
from vle import selectors
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument

# Shared pieces -------------------------------------------------------------------------------


class EchoedNestedField(serializers.Field):
    """A related object shown nested on output. Clients echo it back in request bodies, as the
    spec's samples do; on input it is accepted and ignored (the relation is set another way:
    from the URL, or through an `*_id` / `uid` field)."""

    output_nullable = False

    def __init__(self, serializer_class, **kwargs):
        self.serializer_class = serializer_class
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        raise SkipField()

    def to_representation(self, value):
        return self.serializer_class(value, context=self.context).data


class EchoedNestedFieldExtension(OpenApiSerializerFieldExtension):
    """Documents an `EchoedNestedField`: the nested component in responses, a free-form
    object (ignored) in requests."""

    target_class = EchoedNestedField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            schema = build_basic_type(OpenApiTypes.OBJECT)
            schema["nullable"] = True
            schema["description"] = "Accepted for compatibility and ignored."
            return schema
        component = auto_schema.resolve_serializer(self.target.serializer_class, direction)
        if self.target.output_nullable:
            return {"allOf": [component.ref], "nullable": True}
        return component.ref


class VLEInstitutionSerializer(PlainModelRepresentation, TeslaModelSerializer):
    """An institution nested in VLE-app payloads (courses' VLEs, course learners): what the
    institution API shows of it, but the domains its dashboard may redirect to."""

    class Meta:
        model = Institution
        fields = [name for name in InstitutionSerializer.Meta.fields if name != "allowed_domains"]
        read_only_fields = fields


class VLECredentialsSerializer(serializers.Serializer):
    """A VLE's module credentials; the secret is shown only when it is issued."""

    role_id = serializers.CharField(read_only=True)
    secret_id = serializers.CharField(read_only=True)


# §2 Institution VLEs -------------------------------------------------------------------------


class InstitutionVLESerializer(TeslaModelSerializer):
    """A VLE of the institution. `lti` is generated; `credentials` appear only in the
    response that creates the VLE."""

    type = serializers.ChoiceField(choices=VLE.Type.choices, help_text="0 = MOODLE")
    lti = serializers.JSONField(read_only=True)
    credentials = serializers.SerializerMethodField()
    client_id = serializers.CharField(
        max_length=250,
        min_length=1,
        allow_null=True,
        required=False,
        help_text="LTI 1.3 client id.",
    )
    url = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        required=False,
        help_text="The VLE's base URL (http or https); LTI 1.3 endpoints are built from it.",
    )

    class Meta:
        model = VLE
        fields = ["id", "type", "lti", "name", "credentials", "url", "client_id"]

    @extend_schema_field(VLECredentialsSerializer(allow_null=True))
    def get_credentials(self, vle) -> dict | None:
        return getattr(vle, "issued_credentials", None)


# §3 Institution courses ----------------------------------------------------------------------


class InstitutionCourseVLESerializer(PlainRepresentation, TeslaModelSerializer):
    """The VLE of a course, with its institution."""

    # A plain integer here: one component owns the VLE type enum (see InstitutionVLE).
    type = serializers.IntegerField(read_only=True, help_text="0 = MOODLE")
    institution = VLEInstitutionSerializer(read_only=True)

    class Meta:
        model = VLE
        fields = ["id", "type", "name", "url", "client_id", "institution"]
        read_only_fields = fields

    def vle_type(self, vle):
        return vle.type

    def represent(self, vle) -> dict:
        return {
            "id": vle.pk,
            "type": self.vle_type(vle),
            "name": vle.name,
            "url": vle.url,
            "client_id": vle.client_id,
            "institution": self.shared(VLEInstitutionSerializer, vle.institution),
        }


class InstitutionCourseSerializer(PlainRepresentation, TeslaModelSerializer):
    """A course as the institution sees it; `user_roles` are the caller's roles in it."""

    vle = InstitutionCourseVLESerializer(read_only=True)
    user_roles = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "vle",
            "vle_course_id",
            "code",
            "description",
            "start",
            "end",
            "user_roles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=["LEARNER", "INSTRUCTOR"]))
    )
    def get_user_roles(self, course) -> list[str]:
        return selectors.course_user_roles(course)

    def represent(self, course) -> dict:
        return {
            "id": course.pk,
            "vle": self.shared(InstitutionCourseVLESerializer, course.vle),
            "vle_course_id": course.vle_course_id,
            "code": course.code,
            "description": course.description,
            "start": iso_datetime(course.start),
            "end": iso_datetime(course.end),
            "user_roles": selectors.course_user_roles(course),
            "created_at": iso_datetime(course.created_at),
            "updated_at": iso_datetime(course.updated_at),
        }


# §5 Group courses ----------------------------------------------------------------------------


class InstitutionGroupCourseSerializer(TeslaModelSerializer):
    """A course in a course group. Writes send the `id` of a course of the institution."""

    id = serializers.IntegerField(min_value=1, help_text="Id of a course of the institution.")
    vle_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "vle_id",
            "vle_course_id",
            "code",
            "description",
            "start",
            "end",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "id"]


# §8 Instruments ------------------------------------------------------------------------------

INSTRUMENT_FIELDS = [
    "id",
    "options_schema",
    "name",
    "acronym",
    "queue",
    "enabled",
    "requires_enrolment",
    "description",
    "identity",
    "originality",
    "authorship",
    "integrity",
    "created_at",
    "updated_at",
]


class InstitutionInstrumentSerializer(TeslaModelSerializer):
    """An instrument of the catalogue, read by institution members."""

    options_schema = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = Instrument
        fields = INSTRUMENT_FIELDS
        read_only_fields = INSTRUMENT_FIELDS


@extend_schema_field(OpenApiTypes.STR)
class JSONTextField(serializers.Field):
    """A JSON value shown as JSON text (a string), or null."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return json.dumps(value)


class ActivityInstrumentInstrumentSerializer(InstitutionInstrumentSerializer):
    """The instrument nested in an activity's instrument row. The dashboard's options dialog
    parses `options_schema` from JSON text (the original sent the stored text), so here it is
    a string; the catalogue itself answers it as an object."""

    options_schema = JSONTextField(allow_null=True, help_text="JSON Schema, as JSON text.")


class AdminInstrumentSerializer(TeslaModelSerializer):
    """An instrument of the catalogue, managed by global admins. `options_schema` must be a
    JSON Schema (or null): activity instrument options are validated against it."""

    options_schema = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = Instrument
        fields = INSTRUMENT_FIELDS


# §15, §16 Course instructors and learners ----------------------------------------------------


class InstitutionCourseInstructorSerializer(serializers.Serializer):
    """An instructor of the course. Writes send the `uid` of an instructor of the
    institution."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(source="institution_user.user.username", read_only=True)
    uid = serializers.CharField(source="institution_user.uid", max_length=255)
    first_name = serializers.CharField(source="institution_user.user.first_name", read_only=True)
    last_name = serializers.CharField(source="institution_user.user.last_name", read_only=True)
    email = serializers.EmailField(source="institution_user.user.email", read_only=True)
    created_at = serializers.DateTimeField(
        source="institution_user.created_at", read_only=True, help_text="When the user was created."
    )
    updated_at = serializers.DateTimeField(
        source="institution_user.updated_at", read_only=True, help_text="Last user change."
    )


class CourseLearnerConsentSerializer(serializers.Serializer):
    """The consent version a learner accepted and its status today."""

    version = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)


def response_now(context: dict):
    """One "now" per response, so every row is judged at the same instant."""
    return context.setdefault("now", timezone.now())


def consent_args(context: dict) -> dict:
    """What judging a learner's consent takes in one response: its one "now" and, when the
    view looked it up once for the whole list, the institution's current consent."""
    args = {"now": response_now(context)}
    if "current_consent" in context:
        args["current"] = context["current_consent"]
    return args


class LearnerConsentField(EchoedNestedField):
    """The learner's accepted consent `{version, status}` (null without one), judged against
    the institution's current consent that the view looked up once for the whole list."""

    output_nullable = True

    def __init__(self, **kwargs):
        super().__init__(CourseLearnerConsentSerializer, source="*", **kwargs)

    def to_representation(self, learner):
        return selectors.learner_consent(learner, **consent_args(self.context))


class InstitutionCourseLearnerSerializer(serializers.Serializer):
    """A learner of the course. Writes send the `uid` of a learner of the institution;
    `institution` and `consent` are shown, and ignored when sent."""

    id = serializers.IntegerField(source="pk", read_only=True)
    institution = EchoedNestedField(VLEInstitutionSerializer, source="institution_user.institution")
    username = serializers.CharField(source="institution_user.user.username", read_only=True)
    uid = serializers.CharField(source="institution_user.uid", max_length=255)
    first_name = serializers.CharField(source="institution_user.user.first_name", read_only=True)
    last_name = serializers.CharField(source="institution_user.user.last_name", read_only=True)
    locale = serializers.CharField(source="institution_user.locale", read_only=True)
    consent = LearnerConsentField()
    consent_accepted = serializers.DateTimeField(read_only=True)
    consent_rejected = serializers.DateTimeField(read_only=True)
    learner_id = serializers.UUIDField(read_only=True)
    last_login = serializers.DateTimeField(
        source="institution_user.user.last_login", read_only=True
    )
    send = serializers.SerializerMethodField()
    email = serializers.EmailField(source="institution_user.user.email", read_only=True)
    ic_status = serializers.SerializerMethodField()
    login_allowed = serializers.BooleanField(
        source="institution_user.login_allowed", read_only=True
    )
    created_at = serializers.DateTimeField(
        source="institution_user.created_at", read_only=True, help_text="When the user was created."
    )
    updated_at = serializers.DateTimeField(
        source="institution_user.updated_at", read_only=True, help_text="Last user change."
    )
    joined_at = serializers.DateTimeField(
        read_only=True, help_text="When the learner joined the institution."
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_send(self, learner) -> dict:
        return learner_send(learner, response_now(self.context))

    def get_ic_status(self, learner) -> str:
        return learner_ic_status(learner, **consent_args(self.context))


# §17 Course activities -----------------------------------------------------------------------

ACTIVITY_FIELDS = [
    "id",
    "course_id",
    "vle_id",
    "vle_activity_type",
    "vle_activity_id",
    "name",
    "start",
    "end",
    "description",
    "enabled",
    "conf",
    "created_at",
    "updated_at",
]


class InstitutionCourseActivitySerializer(TeslaModelSerializer):
    """An activity of the course. The institution side changes only `enabled` and `conf`;
    both are optional, so a PUT with just `{enabled}` (as the dashboard sends) works."""

    course_id = serializers.IntegerField(read_only=True)
    vle_id = serializers.IntegerField(read_only=True)
    enabled = serializers.BooleanField(
        required=False, help_text="Whether TeSLA watches this activity."
    )
    conf = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Activity configuration."
    )

    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        read_only_fields = [name for name in ACTIVITY_FIELDS if name not in {"enabled", "conf"}]


class InstitutionCourseActivityCreateSerializer(InstitutionCourseActivitySerializer):
    """A new activity of the course, recorded before the VLE syncs it: it belongs to the
    course's VLE and needs the VLE's activity type and id."""

    class Meta(InstitutionCourseActivitySerializer.Meta):
        read_only_fields = ["id", "course_id", "vle_id", "created_at", "updated_at"]


# §18 Activity instruments --------------------------------------------------------------------


class ActivityInstrumentRuleValues:
    """Mixed into the activity-instrument payloads of both trees: their validated body in the
    keyword names of `vle.services.instruments`' rules."""

    def rule_values(self) -> dict:
        validated = self.validated_data
        values = {
            name: validated[name]
            for name in ("instrument_id", "active", "options")
            if name in validated
        }
        if "alternative_to_id" in validated:
            values["alternative_to"] = validated["alternative_to_id"]
        return values


class InstitutionActivityInstrumentSerializer(ActivityInstrumentRuleValues, TeslaModelSerializer):
    """An instrument configured on the activity. `instrument_id` chooses the instrument (the
    nested `instrument` is shown, and ignored when sent); `alternative_to` is the id of a
    primary row of the same activity that this row replaces for learners whose SEND disables
    it; `options` must satisfy the instrument's options schema (a JSON string holding an
    object is accepted too)."""

    options = serializers.JSONField(required=False, allow_null=True)
    instrument = EchoedNestedField(ActivityInstrumentInstrumentSerializer)
    instrument_id = serializers.IntegerField(min_value=1)
    active = serializers.BooleanField(help_text="Is the instrument active?")
    alternative_to = serializers.IntegerField(
        source="alternative_to_id",
        min_value=1,
        allow_null=True,
        required=False,
        help_text="Id of the primary row this row replaces.",
    )

    class Meta:
        model = ActivityInstrument
        fields = [
            "id",
            "options",
            "instrument",
            "instrument_id",
            "active",
            "created_at",
            "updated_at",
            "alternative_to",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


# User activities -----------------------------------------------------------------------------


class InstitutionUserActivitySerializer(TeslaModelSerializer):
    """A current activity of a user: the activity, its course (with the user's roles there),
    its instrument configuration and the instruments that watch the user in it."""

    course_id = serializers.IntegerField(read_only=True)
    vle_id = serializers.IntegerField(read_only=True)
    course = InstitutionCourseSerializer(read_only=True)
    instruments = InstitutionActivityInstrumentSerializer(
        source="configuration", many=True, read_only=True
    )
    user_instruments = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS, "course", "instruments", "user_instruments"]
        read_only_fields = fields

    @extend_schema_field(InstitutionActivityInstrumentSerializer(many=True))
    def get_user_instruments(self, activity) -> list:
        rows = self.context.get("user_instruments", {}).get(activity.pk, [])
        return InstitutionActivityInstrumentSerializer(rows, many=True, context=self.context).data
