"""Request and response shapes of the Course Service, with the spec's wire names (camelCase)
and schema names (`CourseSchema`, `ImportJobResultSchema`...).

Response bodies are built by `vle.content.selectors`; the response serializers here document
them in the OpenAPI schema."""

import json

from rest_framework import serializers

from vle.content.selectors import COURSE_FILTER_FIELDS, COURSE_ORDERS, DATETIME_FILTERS
from vle.content.services import ASSET_POLICIES


def csv_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# --- requests: import -----------------------------------------------------------------------


class ImportQuerySerializer(serializers.Serializer):
    courseId = serializers.CharField(max_length=255, trim_whitespace=False)
    mayCreateNewVersion = serializers.BooleanField(default=False)
    postbackUrl = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    tags = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate_tags(self, value: str) -> list[str]:
        return csv_list(value)


class MediaFileMetadataSchemaSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    contentLanguage = serializers.CharField(max_length=50, required=False, allow_blank=True)
    estimatedDuration = serializers.IntegerField(required=False, min_value=0)


class ImportFetchRequestSchemaSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    contentType = serializers.CharField(max_length=200, default="application/zip")
    mediaFileMetadata = MediaFileMetadataSchemaSerializer(required=False)


class ImportMediaFileReferenceRequestSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    contentType = serializers.CharField(max_length=200)
    mediaFileMetadata = MediaFileMetadataSchemaSerializer(required=False)


class ImportConnectorReferenceRequestSerializer(serializers.Serializer):
    connectorId = serializers.CharField(required=False)
    connectorIdForContent = serializers.CharField(required=False)
    metadataForConnector = serializers.DictField(required=False)


class ImportRequestSchemaSerializer(serializers.Serializer):
    fetchRequest = ImportFetchRequestSchemaSerializer(required=False)
    mediaFileReferenceRequest = ImportMediaFileReferenceRequestSerializer(required=False)
    connectorReferenceRequest = ImportConnectorReferenceRequestSerializer(required=False)

    def validate(self, attrs):
        if attrs.get("connectorReferenceRequest"):
            raise serializers.ValidationError(
                {"connectorReferenceRequest": ["Content connectors are not supported."]}
            )
        if bool(attrs.get("fetchRequest")) == bool(attrs.get("mediaFileReferenceRequest")):
            raise serializers.ValidationError(
                {"fetchRequest": ["Give exactly one of fetchRequest or mediaFileReferenceRequest."]}
            )
        return attrs


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    contentMetadata = serializers.CharField(required=False, allow_blank=True, max_length=20000)

    def validate_contentMetadata(self, value: str) -> dict:
        if not value:
            return {}
        try:
            parsed = json.loads(value)
        except ValueError:
            raise serializers.ValidationError("Not valid JSON.") from None
        metadata = MediaFileMetadataSchemaSerializer(data=parsed)
        metadata.is_valid(raise_exception=True)
        return dict(metadata.validated_data)


# --- requests: courses ----------------------------------------------------------------------


class CourseListQuerySerializer(serializers.Serializer):
    more = serializers.CharField(required=False, max_length=4000)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    datetimeFilter = serializers.ChoiceField(choices=sorted(DATETIME_FILTERS), default="updated")
    tags = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    filter = serializers.CharField(required=False, allow_blank=True, max_length=255)
    filterBy = serializers.ChoiceField(choices=sorted(COURSE_FILTER_FIELDS), default="course_id")
    orderBy = serializers.ChoiceField(choices=sorted(COURSE_ORDERS), default="created_desc")
    includeCourseMetadata = serializers.BooleanField(default=False)
    includeRegistrationCount = serializers.BooleanField(default=False)
    includeTotalCount = serializers.BooleanField(default=False)

    FILTERS = ("since", "until", "datetimeFilter", "tags", "filter", "filterBy", "orderBy")

    def validate(self, attrs):
        if attrs.get("more") and any(name in self.initial_data for name in self.FILTERS):
            raise serializers.ValidationError(
                {"more": ["A paging token carries its filters; send it without other filters."]}
            )
        return attrs


class CourseDetailQuerySerializer(serializers.Serializer):
    includeCourseMetadata = serializers.BooleanField(default=False)
    includeRegistrationCount = serializers.BooleanField(default=False)


class CourseVersionsQuerySerializer(CourseDetailQuerySerializer):
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class TitleSchemaSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)


class TagListSchemaSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=255), max_length=1000, allow_empty=True
    )


class BatchTagsSchemaSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField(max_length=255), max_length=1000)
    tags = serializers.ListField(child=serializers.CharField(max_length=255), max_length=1000)


class SettingsIndividualSchemaSerializer(serializers.Serializer):
    settingId = serializers.CharField(max_length=100)
    value = serializers.JSONField()
    explicit = serializers.BooleanField(default=False)


class SettingsPostSchemaSerializer(serializers.Serializer):
    settings = SettingsIndividualSchemaSerializer(many=True, max_length=500)


class ConfigurationQuerySerializer(serializers.Serializer):
    includeMetadata = serializers.BooleanField(default=False)


class StatementQuerySerializer(serializers.Serializer):
    learnerId = serializers.CharField(required=False, allow_blank=True, max_length=255)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)
    more = serializers.CharField(required=False, max_length=4000)


class AssetPolicyQuerySerializer(serializers.Serializer):
    updateAssetPolicy = serializers.ChoiceField(choices=ASSET_POLICIES, default="lax")


class ImportAssetRequestSchemaSerializer(serializers.Serializer):
    fetchUrl = serializers.CharField(max_length=2000)
    destination = serializers.CharField(max_length=1000)


class AssetUploadSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=1000)
    file = serializers.FileField(allow_empty_file=True)


# --- requests: tokens -----------------------------------------------------------------------


class PermissionsSchemaSerializer(serializers.Serializer):
    scopes = serializers.ListField(child=serializers.CharField(max_length=100), max_length=50)


class TokenRequestSchemaSerializer(serializers.Serializer):
    permissions = PermissionsSchemaSerializer()
    expiry = serializers.DateTimeField(required=False)


class ApplicationTokenRequestSerializer(serializers.Serializer):
    scope = serializers.CharField(max_length=2000)
    expiration = serializers.IntegerField(required=False, min_value=1)


# --- responses ------------------------------------------------------------------------------


class StringResultSchemaSerializer(serializers.Serializer):
    result = serializers.CharField()


class MessageSchemaSerializer(serializers.Serializer):
    message = serializers.CharField()


class ApplicationTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    expires_in = serializers.IntegerField()
    token_type = serializers.CharField()


class CourseActivitySchemaSerializer(serializers.Serializer):
    externalIdentifier = serializers.CharField()
    itemIdentifier = serializers.CharField()
    resourceIdentifier = serializers.CharField()
    activityType = serializers.ChoiceField(
        choices=["UNKNOWN", "AGGREGATION", "SCO", "ASSET", "OBJECTIVE"]
    )
    href = serializers.CharField()
    scaledPassingScore = serializers.CharField(required=False)
    title = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField())


class MetadataSchemaSerializer(serializers.Serializer):
    title = serializers.CharField(required=False)
    titleLanguage = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    descriptionLanguage = serializers.CharField(required=False)
    duration = serializers.CharField(required=False)
    typicalTime = serializers.CharField(required=False)
    keywords = serializers.ListField(child=serializers.CharField())


class CourseSchemaSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    xapiActivityId = serializers.CharField(required=False)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    version = serializers.IntegerField()
    registrationCount = serializers.IntegerField(required=False)
    activityId = serializers.CharField(required=False)
    courseLearningStandard = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    dispatched = serializers.BooleanField()
    metadata = MetadataSchemaSerializer(required=False)
    rootActivity = CourseActivitySchemaSerializer()


class CourseListSchemaSerializer(serializers.Serializer):
    courses = CourseSchemaSerializer(many=True)
    more = serializers.CharField(required=False, help_text="Absent on the last page.")


class CourseListNonPagedSchemaSerializer(serializers.Serializer):
    courses = CourseSchemaSerializer(many=True)


class ImportResultSchemaSerializer(serializers.Serializer):
    webPathToCourse = serializers.CharField(required=False)
    parserWarnings = serializers.ListField(child=serializers.CharField())
    courseLanguages = serializers.ListField(child=serializers.CharField(), required=False)
    course = CourseSchemaSerializer(required=False)


class ImportJobResultSchemaSerializer(serializers.Serializer):
    jobId = serializers.CharField()
    status = serializers.ChoiceField(choices=["RUNNING", "COMPLETE", "ERROR"])
    message = serializers.CharField(required=False)
    progress = serializers.IntegerField(help_text="Percent done (an extension of the spec).")
    importResult = ImportResultSchemaSerializer(required=False)


class TagListResponseSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField())


class SettingValidValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    valueDescription = serializers.CharField()


class SettingMetadataSerializer(serializers.Serializer):
    default = serializers.CharField()
    dataType = serializers.CharField()
    settingDescription = serializers.CharField()
    level = serializers.CharField()
    learningStandards = serializers.ListField(child=serializers.CharField())
    learningStandardVariant = serializers.CharField()
    validValues = SettingValidValueSerializer(many=True, required=False)


class SettingItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    effectiveValue = serializers.CharField()
    effectiveValueSource = serializers.CharField()
    explicitValue = serializers.CharField(required=False)
    metadata = SettingMetadataSerializer(required=False)


class SettingListSchemaSerializer(serializers.Serializer):
    settingItems = SettingItemSerializer(many=True)


class XapiStatementResultSerializer(serializers.Serializer):
    statements = serializers.ListField(child=serializers.DictField())
    more = serializers.CharField(required=False, help_text="Absent on the last page.")


class AssetFileSchemaSerializer(serializers.Serializer):
    filename = serializers.CharField()
    destination = serializers.CharField()


class AssetPathQuerySerializer(serializers.Serializer):
    relativePath = serializers.CharField(max_length=1000)


class FileListItemSchemaSerializer(serializers.Serializer):
    path = serializers.CharField()
    size = serializers.IntegerField()
    modified = serializers.DateTimeField()


class FileListSchemaSerializer(serializers.Serializer):
    files = FileListItemSchemaSerializer(many=True)
