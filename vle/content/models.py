"""The Course Service: content packages a VLE imports, their versions, import jobs, settings,
tags, stored files and the xAPI statements recorded while they are played.

The VLE is the "application" of SCORM Cloud's API: every row belongs to one VLE through its
course, and a VLE never sees another VLE's courses. A course's `course_id` is the VLE's own
string (unique per VLE); each import adds a numbered version (from 0) whose extracted files
live in Django's storage under the version's own folder."""

import uuid

from django.db import models

from tesla.models import TimeStampedModel
from vle.models import VLE


class LearningStandard(models.TextChoices):
    """The spec's `courseLearningStandard` enumeration."""

    UNKNOWN = "UNKNOWN"
    SCORM11 = "SCORM11"
    SCORM12 = "SCORM12"
    SCORM20042NDEDITION = "SCORM20042NDEDITION"
    SCORM20043RDEDITION = "SCORM20043RDEDITION"
    SCORM20044THEDITION = "SCORM20044THEDITION"
    AICC = "AICC"
    XAPI = "XAPI"
    CMI5 = "CMI5"
    LTI13 = "LTI13"


class Course(TimeStampedModel):
    """A content package known to a VLE by the VLE's own `course_id`. Its current content is
    its latest version; deleting the last version deletes the course."""

    vle = models.ForeignKey(VLE, on_delete=models.CASCADE, related_name="content_courses")
    course_id = models.CharField(max_length=255)
    title = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["vle", "course_id"], name="unique_content_course_id")
        ]
        indexes = [
            models.Index(fields=["vle", "created_at", "id"], name="content_course_created"),
            models.Index(fields=["vle", "updated_at", "id"], name="content_course_updated"),
        ]

    def __str__(self) -> str:
        return self.course_id


class CourseVersion(TimeStampedModel):
    """One imported package of a course: what the parser found (standard, title, metadata,
    activity tree, launch path) and where its files are stored (`storage_folder`).

    A version made from a noUpload media reference has no stored files: `reference_url`
    points at the content instead."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    learning_standard = models.CharField(
        max_length=32, choices=LearningStandard.choices, default=LearningStandard.UNKNOWN
    )
    xapi_activity_id = models.CharField(max_length=2000, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    root_activity = models.JSONField(default=dict, blank=True)
    launch_path = models.CharField(
        max_length=2000, blank=True, default="", help_text="Launch of the first activity."
    )
    storage_folder = models.CharField(max_length=200, unique=True, editable=False)
    content_type = models.CharField(max_length=200, blank=True, default="")
    reference_url = models.URLField(max_length=2000, blank=True, default="")
    parser_warnings = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["course_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="unique_course_version")
        ]

    def __str__(self) -> str:
        return f"{self.course} v{self.version}"


class CourseFile(models.Model):
    """A file stored for a version (extracted from its package or added as an asset), at
    `path` relative to the version's folder. Listing, serving and deleting go through these
    rows, never through a storage directory listing."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    size = models.BigIntegerField()
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version_id", "path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="unique_course_file_path")
        ]

    def __str__(self) -> str:
        return self.path


class CourseTag(models.Model):
    """A tag on a course (the courses list filters on "any of" its tags)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["course_id", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "name"], name="unique_course_tag")]
        indexes = [models.Index(fields=["name"], name="content_tag_name")]

    def __str__(self) -> str:
        return self.name


class CourseSetting(TimeStampedModel):
    """An explicit configuration value of a course (`version` empty) or of one version.

    Which settings exist, their types and defaults is the catalogue in
    `vle.content.settings_catalogue`; a setting without a row has its default."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="settings")
    version = models.ForeignKey(
        CourseVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="settings"
    )
    setting_id = models.CharField(max_length=100)
    value = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["course_id", "version_id", "setting_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "setting_id"],
                condition=models.Q(version__isnull=True),
                name="unique_course_setting",
            ),
            models.UniqueConstraint(
                fields=["version", "setting_id"],
                condition=models.Q(version__isnull=False),
                name="unique_version_setting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.setting_id}={self.value}"


class ImportJob(TimeStampedModel):
    """An import of a package into a course: RUNNING until the worker ends it COMPLETE (with
    the version it made) or ERROR (with a message). The VLE polls it by `id` for a week after
    it finished."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING"
        COMPLETE = "COMPLETE"
        ERROR = "ERROR"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        FETCH = "fetch"
        MEDIA_REFERENCE = "media_reference"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vle = models.ForeignKey(VLE, on_delete=models.CASCADE, related_name="content_import_jobs")
    course_id = models.CharField(max_length=255, help_text="The course id the VLE asked for.")
    may_create_new_version = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    source_url = models.URLField(max_length=2000, blank=True, default="")
    content_type = models.CharField(max_length=200, blank=True, default="")
    upload_name = models.CharField(
        max_length=500, blank=True, default="", help_text="Staged package in storage."
    )
    original_filename = models.CharField(max_length=500, blank=True, default="")
    media_metadata = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    postback_url = models.URLField(max_length=2000, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=200, blank=True, default="")
    message = models.TextField(blank=True, default="")
    parser_warnings = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        CourseVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(
        null=True, blank=True, help_text="The importResult as it was when the job finished."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["finished_at"], name="content_job_finished")]

    def __str__(self) -> str:
        return f"import {self.id} ({self.status})"


class Statement(models.Model):
    """An xAPI statement recorded for a course (by the preview player or an AU's LRS calls).

    The whole statement is kept as received (`statement`, with `id`, `stored` and `authority`
    filled in); the columns beside it are what queries filter and order on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="statements")
    version = models.ForeignKey(
        CourseVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="statements",
    )
    learner_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    actor = models.JSONField(default=dict)
    verb = models.CharField(max_length=2000)
    activity_id = models.CharField(max_length=2000, blank=True, default="")
    registration = models.UUIDField(null=True, blank=True)
    statement = models.JSONField()
    timestamp = models.DateTimeField()
    stored = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-stored", "-id"]
        indexes = [
            models.Index(fields=["course", "stored", "id"], name="content_stmt_course"),
            models.Index(fields=["version", "stored", "id"], name="content_stmt_version"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.activity_id}"


# --- Preview player ------------------------------------------------------------------------


class PreviewSession(models.Model):
    """One opening of a preview link in a browser: a registration of the preview learner on
    one course version. Its statements carry `registration`; the content reaches the server
    with a signed credential naming it, until `expires_at`."""

    registration = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(
        CourseVersion, on_delete=models.CASCADE, related_name="preview_sessions"
    )
    activity_id = models.CharField(
        max_length=2000, help_text="The xAPI activity id the launch gave the content."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    token_fetched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the cmi5 fetch URL was redeemed (only once)."
    )

    class Meta:
        ordering = ["-created_at", "registration"]

    def __str__(self) -> str:
        return f"preview {self.registration} of {self.version}"


class PreviewDocument(models.Model):
    """An xAPI document (activity state or agent profile) the content stored during a preview
    session, e.g. a bookmark. `key` identifies it within the session (a digest of its kind,
    activity, agent and id, which can be longer than an index allows)."""

    class Kind(models.TextChoices):
        STATE = "state"
        AGENT_PROFILE = "agent_profile"

    session = models.ForeignKey(PreviewSession, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    document_id = models.CharField(max_length=2000)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="unique_preview_document")
        ]
        indexes = [models.Index(fields=["session", "scope"], name="content_preview_doc_scope")]

    def __str__(self) -> str:
        return self.document_id
