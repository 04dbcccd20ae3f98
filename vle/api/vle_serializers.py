"""Payloads of the VLE tree (/api/v2/vle/{v}/...), as vle-api.md documents them and as the
real VLE plugins (Moodle through the PHP SDK, the Python SDK) send and read them.

Bodies are lenient where the plugins need it (real-clients.md §7): parents are taken from the
URL, so `vle`/`course`/`activity` objects (or the PHP SDK's integer `vle`, its `parent`, the
`vle_id` of activities) are accepted and ignored; ids may be numbers or strings; optional
fields may be null; unknown keys are ignored. Writes go through `vle.services`.
"""

import json

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from institution.selectors import learner_ic_status, learner_send
from tesla.api.serializers import TokenPairSerializer
from tesla.serializers import (
    ClampedIntegerField,
    PlainRepresentation,
    iso_datetime,
    shared_representation,
)
from vle import selectors
from vle.api.serializers import (
    INSTRUMENT_FIELDS,
    ActivityInstrumentRuleValues,
    CourseLearnerConsentSerializer,
    EchoedNestedField,
    InstitutionCourseVLESerializer,
    consent_args,
    response_now,
)
from vle.models import Activity, ActivityInstrument, AssessmentSession, Course, Instrument

TTL_MAX = 7 * 24 * 60  # minutes


class URLParentField(EchoedNestedField):
    """The parent that the URL names, shown nested in every row. All rows of a nested list
    share it, so it is serialised once from the object the view resolved (no query per row).
    On input any value is accepted and ignored: a parent always comes from the URL."""

    def __init__(self, serializer_class, parent: str, **kwargs):
        self.url_parent = parent
        super().__init__(serializer_class, source="*", **kwargs)

    def to_representation(self, obj):
        value = self.context.get("parents", {}).get(self.url_parent) or getattr(
            obj, self.url_parent
        )
        return shared_representation(self.context, self.serializer_class, value)


# §1 VLE --------------------------------------------------------------------------------------


class VLESerializer(InstitutionCourseVLESerializer):
    """A VLE as it sees itself: its type as a label ("MOODLE") and its institution."""

    type = serializers.CharField(source="get_type_display", read_only=True)

    def vle_type(self, vle):
        return vle.get_type_display()


class VLEInstrumentSerializer(serializers.ModelSerializer):
    """An instrument of the catalogue that is switched on."""

    class Meta:
        model = Instrument
        fields = INSTRUMENT_FIELDS
        read_only_fields = fields


# §2 Courses ----------------------------------------------------------------------------------


class VLECourseSerializer(PlainRepresentation, serializers.ModelSerializer):
    """A course of the VLE. `enabled` says whether TeSLA watches at least one of its
    activities. The PHP SDK sends `vle` as an integer and `parent: null`: both are ignored."""

    vle = URLParentField(VLESerializer, "vle")
    enabled = serializers.SerializerMethodField()
    code = serializers.CharField(max_length=250, help_text="Course code.")
    vle_course_id = serializers.CharField(max_length=250, help_text="Course ID on the VLE.")

    class Meta:
        model = Course
        fields = [
            "id",
            "vle",
            "enabled",
            "code",
            "vle_course_id",
            "description",
            "start",
            "end",
            "created_at",
            "updated_at",
        ]

    def get_enabled(self, course) -> bool:
        # Lists annotate it; a single course asks once and remembers.
        if getattr(course, "has_enabled_activity", None) is None:
            course.has_enabled_activity = course.activities.filter(enabled=True).exists()
        return course.has_enabled_activity

    def represent(self, course) -> dict:
        return {
            "id": course.pk,
            "vle": self.url_parent("vle", VLESerializer, course),
            "enabled": self.get_enabled(course),
            "code": course.code,
            "vle_course_id": course.vle_course_id,
            "description": course.description,
            "start": iso_datetime(course.start),
            "end": iso_datetime(course.end),
            "created_at": iso_datetime(course.created_at),
            "updated_at": iso_datetime(course.updated_at),
        }


# §6 Activities -------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "nullable": True})
class ActivityConfField(serializers.CharField):
    """Free configuration text. The Python SDK documents it as a dict: objects and lists are
    stored as their JSON text."""

    def to_internal_value(self, data):
        if isinstance(data, dict | list):
            data = json.dumps(data)
        return super().to_internal_value(data)


class VLECourseActivitySerializer(PlainRepresentation, serializers.ModelSerializer):
    """An activity of the course, identified in the VLE by (`vle_activity_type`,
    `vle_activity_id`). New activities are disabled unless `enabled` is sent: an instructor
    switches TeSLA on. The PHP SDK's `vle_id` and the spec's `course` are ignored."""

    course = URLParentField(VLECourseSerializer, "course")
    vle_activity_type = serializers.CharField(max_length=250, help_text="Activity type on the VLE.")
    vle_activity_id = serializers.CharField(max_length=250, help_text="Activity ID on the VLE.")
    enabled = serializers.BooleanField(
        required=False, help_text="Whether TeSLA watches this activity (default false)."
    )
    conf = ActivityConfField(required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "course",
            "vle_activity_type",
            "vle_activity_id",
            "description",
            "name",
            "enabled",
            "start",
            "end",
            "conf",
            "created_at",
            "updated_at",
        ]

    def represent(self, activity) -> dict:
        return {
            "id": activity.pk,
            "course": self.url_parent("course", VLECourseSerializer, activity),
            "vle_activity_type": activity.vle_activity_type,
            "vle_activity_id": activity.vle_activity_id,
            "description": activity.description,
            "name": activity.name,
            "enabled": activity.enabled,
            "start": iso_datetime(activity.start),
            "end": iso_datetime(activity.end),
            "conf": activity.conf,
            "created_at": iso_datetime(activity.created_at),
            "updated_at": iso_datetime(activity.updated_at),
        }


# §8 Activity instruments ---------------------------------------------------------------------


class VLECourseActivityInstrumentSerializer(
    ActivityInstrumentRuleValues, serializers.ModelSerializer
):
    """An instrument configured on the activity. A row with `alternative_to` replaces that
    primary row for learners whose SEND disables its instrument. `options` is required but
    may be null (the instrument's defaults); the Python SDK's `required` key is ignored."""

    activity = URLParentField(VLECourseActivitySerializer, "activity")
    options = serializers.JSONField(allow_null=True, help_text="Instrument options, or null.")
    active = serializers.BooleanField()
    instrument = serializers.IntegerField(source="instrument_id", help_text="Instrument id.")
    alternative_to = serializers.IntegerField(
        source="alternative_to_id",
        allow_null=True,
        required=False,
        help_text="Id of the activity instrument this row is an alternative to.",
    )

    class Meta:
        model = ActivityInstrument
        fields = [
            "id",
            "activity",
            "options",
            "active",
            "created_at",
            "updated_at",
            "instrument",
            "alternative_to",
        ]


# §4, §5 Course instructors and learners ------------------------------------------------------


def _detail(source: str, max_length: int, field=serializers.CharField):
    """A detail of a person the VLE may send, leave out, or send empty (null or "")."""
    return field(
        source=source, max_length=max_length, required=False, allow_null=True, allow_blank=True
    )


class VLECoursePersonSerializer(serializers.Serializer):
    """A person of the course as the VLE knows them. POST enrols by `uid`, creating the person
    when unknown (first_name, last_name and email are then required). Admin flags and
    passwords are not a VLE's to set: such keys are ignored."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(source="institution_user.user.username", read_only=True)
    uid = serializers.CharField(
        source="institution_user.uid",
        max_length=255,
        help_text="The person's id in the institution (the Moodle plugin sends the e-mail).",
    )
    first_name = _detail("institution_user.user.first_name", 150)
    last_name = _detail("institution_user.user.last_name", 150)
    email = _detail("institution_user.user.email", 254, serializers.EmailField)
    locale = _detail("institution_user.locale", 10)
    last_login = serializers.DateTimeField(
        source="institution_user.user.last_login", read_only=True
    )
    created_at = serializers.DateTimeField(source="institution_user.created_at", read_only=True)
    updated_at = serializers.DateTimeField(source="institution_user.updated_at", read_only=True)
    inst_admin = serializers.BooleanField(source="institution_user.inst_admin", read_only=True)
    legal_admin = serializers.BooleanField(source="institution_user.legal_admin", read_only=True)
    send_admin = serializers.BooleanField(source="institution_user.send_admin", read_only=True)
    data_admin = serializers.BooleanField(source="institution_user.data_admin", read_only=True)

    def person_values(self) -> dict:
        """The validated body, flattened: uid, first_name, last_name, email, locale."""
        member = self.validated_data.get("institution_user", {})
        values = {name: member[name] for name in ("uid", "locale") if name in member}
        values.update(member.get("user", {}))
        return values


class VLECourseInstructorSerializer(VLECoursePersonSerializer):
    """An instructor of the course."""


class VLECourseLearnerSerializer(VLECoursePersonSerializer):
    """A learner of the course, with what a plugin checks before an assessment: the public
    `learner_id` and the informed-consent status `ic_status` (consented when it starts with
    VALID)."""

    learner_id = serializers.UUIDField(read_only=True)
    consent = serializers.SerializerMethodField()
    consent_accepted = serializers.DateTimeField(read_only=True)
    consent_rejected = serializers.DateTimeField(read_only=True)
    ic_status = serializers.SerializerMethodField()
    send = serializers.SerializerMethodField()
    joined_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(CourseLearnerConsentSerializer(allow_null=True))
    def get_consent(self, learner) -> dict | None:
        return selectors.learner_consent(learner, **consent_args(self.context))

    def get_ic_status(self, learner) -> str:
        return learner_ic_status(learner, **consent_args(self.context))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_send(self, learner) -> dict:
        return learner_send(learner, response_now(self.context))


# §1.4 Launcher -------------------------------------------------------------------------------


class LauncherTargetField(serializers.ChoiceField):
    """DASHBOARD (default) or LAPI, in any letter case (the Python SDK documents lower case)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["DASHBOARD", "LAPI"], **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.upper()
        return super().to_internal_value(data)


class VLELauncherRequestSerializer(serializers.Serializer):
    """What the plugins send to get a login link for one of their users."""

    vle_user_uid = serializers.CharField(max_length=255, help_text="The user's uid.")
    target = LauncherTargetField(required=False, allow_null=True)
    target_url = serializers.CharField(
        max_length=250, required=False, allow_null=True, allow_blank=True
    )
    ttl = serializers.IntegerField(
        min_value=1,
        max_value=TTL_MAX,
        required=False,
        allow_null=True,
        help_text="Minutes the link (and the login it gives) stays valid; default 120.",
    )
    session_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class VLELauncherSerializer(serializers.Serializer):
    """A login link: `url` opens the dashboard, which swaps `id` and `token` at
    /api/v2/auth/token once."""

    id = serializers.IntegerField(read_only=True)
    token = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)


# §1.3 Assessment -----------------------------------------------------------------------------


class VLEAssessmentRequestDataSerializer(serializers.Serializer):
    """The spec's `data` of a session, as a client may echo it back: ignored."""

    session = serializers.IntegerField(required=False, allow_null=True)


class VLEAssessmentRequestSerializer(serializers.Serializer):
    """Open, resume or close an assessment session.

    The plugins' body: with `session_id` the session is resumed, or closed with `close: true`;
    without it a new session is opened for the activity (`vle_activity_type`,
    `vle_activity_id`) and learner (`vle_learner_uid`). The spec's body names them `activity`
    (TeSLA id) and `learner` (learner UUID, or uid) instead; its `data`, `checked_at`,
    `closed_at` and `auto_closed` are kept by the server and ignored here. The PHP SDK's
    `vle_course_id` is ignored too (the activity identifies its course)."""

    vle_activity_type = serializers.CharField(max_length=250, required=False, allow_null=True)
    vle_activity_id = serializers.CharField(max_length=250, required=False, allow_null=True)
    vle_learner_uid = serializers.CharField(max_length=255, required=False, allow_null=True)
    vle_course_id = serializers.CharField(max_length=250, required=False, allow_null=True)
    max_ttl = ClampedIntegerField(
        min_value=1,
        max_value=TTL_MAX,
        required=False,
        help_text="Minutes the learner's token can be refreshed; default 120. Values outside "
        f"1..{TTL_MAX} (0 or empty from an unset Moodle setting) are brought into that range.",
    )
    redirect_reject_url = serializers.URLField(
        max_length=2000, required=False, allow_null=True, allow_blank=True
    )
    reject_message = serializers.CharField(
        max_length=2000, required=False, allow_null=True, allow_blank=True
    )
    locale = serializers.CharField(max_length=30, required=False, allow_null=True, allow_blank=True)
    session_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    options = serializers.JSONField(required=False, allow_null=True)
    close = serializers.BooleanField(required=False, allow_null=True, default=False)
    activity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    learner = serializers.CharField(max_length=255, required=False, allow_null=True)
    data = VLEAssessmentRequestDataSerializer(required=False, allow_null=True, help_text="Ignored.")
    checked_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Ignored.")
    closed_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Ignored.")
    auto_closed = serializers.BooleanField(required=False, allow_null=True, help_text="Ignored.")

    def validate_options(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object or null.")
        return value

    def validate(self, attrs):
        if attrs.get("session_id") is not None:
            return attrs
        errors = {}
        if attrs.get("activity") is None:
            for name in ("vle_activity_type", "vle_activity_id"):
                if not attrs.get(name):
                    errors[name] = ["Required to open a session (or send `activity`)."]
        if not attrs.get("vle_learner_uid") and not attrs.get("learner"):
            errors["vle_learner_uid"] = ["Required to open a session (or send `learner`)."]
        if attrs.get("close"):
            errors["session_id"] = ["Required to close a session."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class VLEAssessmentSessionDataSerializer(serializers.Serializer):
    """Where the browser gets the plugin: `connector` is a script to include in the learner's
    page, `data` its configuration. Both URLs carry the session's secret key and stop
    working when the session closes (they are then empty strings)."""

    id = serializers.IntegerField()
    session = serializers.IntegerField()
    connector = serializers.CharField()
    data = serializers.CharField()


class VLEAssessmentSessionSerializer(serializers.ModelSerializer):
    """An assessment session, with the browser plugin's URLs and the learner's token."""

    data = serializers.SerializerMethodField()
    learner = serializers.UUIDField(source="learner.learner_id", read_only=True)
    token = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentSession
        fields = [
            "id",
            "data",
            "started_at",
            "checked_at",
            "closed_at",
            "auto_closed",
            "activity",
            "learner",
            "token",
        ]
        read_only_fields = fields

    def _url(self, name: str, session) -> str:
        if session.closed_at is not None:
            return ""
        path = reverse(name, kwargs={"access_key": session.access_key})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(VLEAssessmentSessionDataSerializer)
    def get_data(self, session) -> dict:
        return {
            "id": session.pk,
            "session": session.pk,
            "connector": self._url("vle-session-connector", session),
            "data": self._url("vle-session-config", session),
        }

    @extend_schema_field(TokenPairSerializer(allow_null=True))
    def get_token(self, session) -> dict | None:
        if session.closed_at is not None:
            return None
        return (session.plugin_config or {}).get("token")
