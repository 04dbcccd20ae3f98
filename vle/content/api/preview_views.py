"""The two preview operations: a launch link for a course (its latest version) or for one
version. The link is this server's player (`vle.content.player`), works without credentials
and expires after `expiry` seconds."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from vle.content.api.views import (
    COURSE_ID,
    ERRORS,
    READ,
    TAG,
    VERSION_ID,
    VERSION_PARENTS,
    OneCourseView,
)
from vle.content.preview import (
    EXIT_KEYWORDS,
    PREVIEW_EXPIRY_MAX,
    PREVIEW_EXPIRY_MIN,
    PlayerOptions,
    preview_link_make,
)

WEB_URL = URLValidator(schemes=["http", "https"])
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def _web_url(value: str) -> str:
    try:
        WEB_URL(value)
    except DjangoValidationError:
        raise serializers.ValidationError("Must be an http or https URL.") from None
    return value


class PreviewItemValueSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=255, allow_blank=True, required=False)
    value = serializers.CharField(max_length=2000, allow_blank=True, required=False)


class PreviewLaunchAuthSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["cookies", "vault"], required=False)
    options = serializers.DictField(required=False)


class PreviewLaunchLinkRequestSchemaSerializer(serializers.Serializer):
    """Client 4.0+'s PreviewLaunchLinkRequestSchema; older clients' LaunchLinkRequestSchema
    (with `tracking`, tags and `launchAuth`, which a preview has no use for) is accepted too."""

    expiry = serializers.IntegerField(
        default=120, min_value=PREVIEW_EXPIRY_MIN, max_value=PREVIEW_EXPIRY_MAX
    )
    redirectOnExitUrl = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    startSco = serializers.CharField(max_length=255, required=False, allow_blank=True)
    culture = serializers.CharField(max_length=35, required=False, allow_blank=True)
    cssUrl = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    additionalvalues = PreviewItemValueSerializer(many=True, required=False)
    tracking = serializers.BooleanField(required=False)
    learnerTags = serializers.ListField(child=serializers.CharField(), required=False)
    courseTags = serializers.ListField(child=serializers.CharField(), required=False)
    registrationTags = serializers.ListField(child=serializers.CharField(), required=False)
    launchAuth = PreviewLaunchAuthSerializer(required=False)

    def validate_redirectOnExitUrl(self, value):
        if not value or value in EXIT_KEYWORDS:
            return value or ""
        return _web_url(value)

    def validate_cssUrl(self, value: str) -> str:
        return _web_url(value) if value else value

    def validate_culture(self, value: str) -> str:
        if value and not LANGUAGE_TAG.match(value):
            raise serializers.ValidationError("Must be a language tag such as en-US.")
        return value


class PreviewQuerySerializer(serializers.Serializer):
    """Clients before 4.0 send `cssUrl` in the query string."""

    cssUrl = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate_cssUrl(self, value: str) -> str:
        return _web_url(value) if value else value


class LaunchLinkSchemaSerializer(serializers.Serializer):
    launchLink = serializers.CharField()


class CoursePreviewView(OneCourseView):
    """The preview link of a course's latest version, or of the version in the URL."""

    # Building a link changes nothing: the spec lists read scopes.
    access = {**OneCourseView.access, "create": {READ}}

    def create(self, request, course_id: str, version_id: str | None = None):
        body = self.body(PreviewLaunchLinkRequestSchemaSerializer)
        query = self.query(PreviewQuerySerializer)
        options = PlayerOptions(
            start_sco=body.get("startSco", ""),
            redirect_on_exit_url=body.get("redirectOnExitUrl") or "",
            css_url=body.get("cssUrl") or query.get("cssUrl", ""),
            culture=body.get("culture", ""),
        )
        link = preview_link_make(
            version=self.version, expiry=body["expiry"], options=options, request=request
        )
        return Response({"launchLink": link})


PREVIEW_SCHEMA = {
    "request": PreviewLaunchLinkRequestSchemaSerializer,
    "responses": {200: LaunchLinkSchemaSerializer, **ERRORS},
    "tags": [TAG],
}


class CoursePreviewLatestView(CoursePreviewView):
    @extend_schema(
        parameters=[COURSE_ID, OpenApiParameter("cssUrl", str, description="Older clients.")],
        operation_id="buildCoursePreviewLaunchLink",
        **PREVIEW_SCHEMA,
    )
    def create(self, request, course_id: str, version_id: str | None = None):
        return super().create(request, course_id)


class CourseVersionPreviewView(CoursePreviewView):
    parent_chain = VERSION_PARENTS

    @extend_schema(
        parameters=[COURSE_ID, VERSION_ID],
        operation_id="buildCoursePreviewLaunchLinkWithVersion",
        **PREVIEW_SCHEMA,
    )
    def create(self, request, course_id: str, version_id: str | None = None):
        return super().create(request, course_id, version_id)
