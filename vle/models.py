"""VLEs and what they publish: courses, activities, the instruments configured on each
activity, assessment sessions and single-use launchers."""

import uuid

from django.db import models

from institution.models import CourseGroup, Institution, InstitutionUser, Instructor, Learner
from tesla.models import ModuleCredentials, TimeStampedModel


class VLE(ModuleCredentials, TimeStampedModel):
    """A virtual learning environment (e.g. a Moodle site) connected to an institution."""

    class Type(models.IntegerChoices):
        MOODLE = 0, "MOODLE"

    name = models.CharField(max_length=250, unique=True)
    type = models.IntegerField(choices=Type.choices, default=Type.MOODLE)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="vles")
    url = models.TextField(null=True, blank=True)
    lti = models.JSONField(null=True, blank=True)
    client_id = models.CharField(max_length=250, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "VLE"

    def __str__(self) -> str:
        return self.name


class Instrument(TimeStampedModel):
    """An authentication or authorship check (face recognition, plagiarism, ...)."""

    name = models.CharField(max_length=250)
    acronym = models.CharField(max_length=30, unique=True)
    queue = models.CharField(max_length=250, unique=True)
    enabled = models.BooleanField(default=False)
    requires_enrolment = models.BooleanField(default=False)
    description = models.TextField(null=True, blank=True)
    identity = models.BooleanField(default=False)
    originality = models.BooleanField(default=False)
    authorship = models.BooleanField(default=False)
    integrity = models.BooleanField(default=False)
    options_schema = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.acronym


class Course(TimeStampedModel):
    """A course as the VLE knows it (`vle_course_id`), with its learners and instructors."""

    vle = models.ForeignKey(VLE, on_delete=models.CASCADE, related_name="courses")
    code = models.CharField(max_length=250)
    vle_course_id = models.CharField(max_length=250)
    description = models.TextField(null=True, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    learners = models.ManyToManyField(Learner, blank=True, related_name="courses")
    instructors = models.ManyToManyField(Instructor, blank=True, related_name="courses")
    groups = models.ManyToManyField(CourseGroup, blank=True, related_name="courses")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["vle", "vle_course_id"], name="unique_vle_course")
        ]

    def __str__(self) -> str:
        return self.code


class Activity(TimeStampedModel):
    """An assessed activity of a course (a quiz, an assignment...), identified in the VLE by
    its type and id. TeSLA watches it only when `enabled`."""

    vle = models.ForeignKey(VLE, on_delete=models.CASCADE, related_name="activities")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="activities")
    vle_activity_type = models.CharField(max_length=250)
    vle_activity_id = models.CharField(max_length=250)
    description = models.TextField(null=True, blank=True)
    name = models.CharField(max_length=255, null=True, blank=True)
    enabled = models.BooleanField(default=False)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    conf = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["vle", "vle_activity_type", "vle_activity_id"],
                name="unique_vle_activity",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"{self.vle_activity_type} {self.vle_activity_id}"


class ActivityInstrument(TimeStampedModel):
    """An instrument configured on an activity. A row with `alternative_to` is the fallback
    used for learners whose SEND disables the primary row's instrument."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="configuration")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    alternative_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="alternatives"
    )
    active = models.BooleanField()
    options = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "instrument"], name="unique_activity_instrument"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.instrument_id}"


class AssessmentSession(models.Model):
    """A learner's sitting of an activity, during which the browser plugin sends samples."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    auto_closed = models.BooleanField(null=True, blank=True)
    access_key = models.UUIDField(default=uuid.uuid4, editable=False)
    plugin_config = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["activity", "learner"])]

    def __str__(self) -> str:
        return f"session {self.pk}"


class Launcher(models.Model):
    """A single-use link that logs a user into the dashboard (or a learner into the browser
    plugin) without a password. Tokens are minted when the link is exchanged."""

    class Target(models.IntegerChoices):
        DASHBOARD = 0, "DASHBOARD"
        LAPI = 1, "LAPI"

    user = models.ForeignKey(InstitutionUser, on_delete=models.CASCADE, related_name="launchers")
    session = models.ForeignKey(
        AssessmentSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.IntegerField(choices=Target.choices, default=Target.DASHBOARD)
    target_url = models.CharField(max_length=250, null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    refresh_minutes = models.PositiveIntegerField(default=120)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"launcher {self.pk}"


class ManagedPerson(models.Model):
    """A person a VLE created when enrolling them in one of its courses. Only that VLE may
    change their details, and only while they hold no admin flag and no password login
    (`vle.services.people.vle_person_update`)."""

    institution_user = models.OneToOneField(
        InstitutionUser, primary_key=True, on_delete=models.CASCADE, related_name="managed_by"
    )
    vle = models.ForeignKey(VLE, on_delete=models.CASCADE, related_name="managed_people")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.institution_user_id} (vle {self.vle_id})"
