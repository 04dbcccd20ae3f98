"""Institutions and the people in them: users with roles, learners, instructors, informed
consent, special educational needs (SEND), course groups and UI options."""

import re
import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tesla.models import TimeStampedModel

VERSION_RE = re.compile(r"^\s*(\d+)\.(\d+)\.(\d+)\s*$")


class User(AbstractUser):
    """A login identity. Global admins are staff users; everyone else belongs to one
    institution through `institution_user`."""

    email = models.EmailField(blank=True, db_index=True)


class Institution(TimeStampedModel):
    """A university or school that runs assessments through its VLEs."""

    acronym = models.CharField(max_length=255, unique=True)
    name = models.TextField()
    external_ic = models.BooleanField(
        default=False, help_text="Informed consent is handled outside TeSLA."
    )
    mail_domain = models.CharField(max_length=255, null=True, blank=True)
    disable_vle_learner_creation = models.BooleanField(default=False)
    disable_vle_instructor_creation = models.BooleanField(default=False)
    disable_vle_user_creation = models.BooleanField(default=False)
    allow_learner_report = models.BooleanField(default=False)
    allow_learner_audit = models.BooleanField(default=False)
    allow_valid_audit = models.BooleanField(default=False)
    allowed_domains = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.acronym


# The flags that make an institution user an administrator of some kind.
ADMIN_FLAGS = ("inst_admin", "legal_admin", "send_admin", "data_admin")


class InstitutionUser(TimeStampedModel):
    """A user's membership of an institution, with the admin flags that give roles.

    Its primary key is the user's id, so a person has one id across users, learners and
    instructors."""

    user = models.OneToOneField(
        User, primary_key=True, on_delete=models.CASCADE, related_name="institution_user"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="users")
    uid = models.CharField(max_length=255, help_text="The user's id inside the institution/VLE.")
    locale = models.CharField(max_length=10, null=True, blank=True)
    login_allowed = models.BooleanField(default=False)
    inst_admin = models.BooleanField(default=False)
    legal_admin = models.BooleanField(default=False)
    send_admin = models.BooleanField(default=False)
    data_admin = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "uid"], name="unique_institution_uid")
        ]

    def __str__(self) -> str:
        return f"{self.uid} ({self.institution_id})"

    @property
    def roles(self) -> list[str]:
        """Institution roles: INSTRUCTOR and LEARNER follow from the role rows, the rest from
        the admin flags."""
        roles = []
        if hasattr(self, "instructor"):
            roles.append("INSTRUCTOR")
        if hasattr(self, "learner"):
            roles.append("LEARNER")
        for flag, role in (
            ("inst_admin", "ADMIN"),
            ("send_admin", "SEND"),
            ("legal_admin", "LEGAL"),
            ("data_admin", "DATA"),
        ):
            if getattr(self, flag):
                roles.append(role)
        return roles


class InformedConsent(TimeStampedModel):
    """One version (X.Y.Z) of an institution's informed consent."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="informed_consents"
    )
    version = models.CharField(max_length=250)
    valid_from = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "version"], name="unique_institution_ic_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} v{self.version}"

    @property
    def version_key(self) -> tuple[int, int, int]:
        match = VERSION_RE.match(self.version)
        return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)

    def is_valid_at(self, now) -> bool:
        """Whether this version is in force at `now`: its `valid_from` has passed."""
        return self.valid_from <= now


class InformedConsentDocument(TimeStampedModel):
    """The text of a consent version in one language, as HTML and optionally as a PDF."""

    consent = models.ForeignKey(InformedConsent, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(max_length=30)
    html = models.TextField(null=True, blank=True)
    pdf = models.FileField(upload_to="ic/", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["consent", "language"], name="unique_ic_language")
        ]

    def __str__(self) -> str:
        return f"{self.consent} [{self.language}]"


class Learner(models.Model):
    """The learner role of an institution user: pseudonymous id, consent and SEND."""

    institution_user = models.OneToOneField(
        InstitutionUser, primary_key=True, on_delete=models.CASCADE, related_name="learner"
    )
    learner_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    consent = models.ForeignKey(
        InformedConsent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_accepted = models.DateTimeField(null=True, blank=True)
    consent_rejected = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        # By name and uid, as people know them (the UUID is a pseudonym for providers).
        member = self.institution_user
        name = member.user.get_full_name()
        return f"{name} ({member.uid})" if name else member.uid

    @property
    def institution(self) -> Institution:
        return self.institution_user.institution


class Instructor(models.Model):
    """The instructor role of an institution user."""

    institution_user = models.OneToOneField(
        InstitutionUser, primary_key=True, on_delete=models.CASCADE, related_name="instructor"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.institution_user)


class SENDCategory(TimeStampedModel):
    """A kind of special educational need: accessibility options it turns on and instruments
    it disables for the learners who have it."""

    ENABLED_OPTIONS = ("big_fonts", "high_contrast", "text_to_speech")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="send_categories"
    )
    description = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "SEND category"
        verbose_name_plural = "SEND categories"

    def __str__(self) -> str:
        return self.description[:60]


class SENDLearner(TimeStampedModel):
    """A learner's assignment to a SEND category, optionally until a date."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="send_assignments")
    category = models.ForeignKey(SENDCategory, on_delete=models.CASCADE, related_name="learners")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "SEND learner"
        constraints = [
            models.UniqueConstraint(fields=["learner", "category"], name="unique_send_learner")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} / {self.category_id}"

    @classmethod
    def active_q(cls, now=None) -> Q:
        now = now or timezone.now()
        return Q(expires_at__isnull=True) | Q(expires_at__gte=now)


class CourseGroup(TimeStampedModel):
    """A folder of courses; groups form a tree inside one institution."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="course_groups"
    )
    name = models.CharField(max_length=250)
    description = models.TextField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UIOption(TimeStampedModel):
    """A dashboard route switch. Global rows (no institution, no user) define routes and who
    sees them; institution and user rows can only disable a route."""

    route = models.CharField(max_length=250, db_index=True)
    enabled = models.BooleanField(default=False)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="ui_options"
    )
    user = models.ForeignKey(
        InstitutionUser, null=True, blank=True, on_delete=models.CASCADE, related_name="ui_options"
    )
    roles = models.CharField(max_length=250, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "UI option"
        constraints = [
            models.UniqueConstraint(
                fields=["route"],
                condition=Q(institution__isnull=True, user__isnull=True),
                name="unique_global_ui_route",
            ),
            models.UniqueConstraint(
                fields=["route", "institution"],
                condition=Q(institution__isnull=False, user__isnull=True),
                name="unique_institution_ui_route",
            ),
            models.UniqueConstraint(
                fields=["route", "institution", "user"],
                condition=Q(user__isnull=False),
                name="unique_user_ui_route",
            ),
        ]

    def __str__(self) -> str:
        return self.route

    @property
    def is_global(self) -> bool:
        return self.institution_id is None and self.user_id is None
