"""Representations of the institution API (institution-api.txt §1, 4, 6, 7, 9-14) and of the
global-admin API for institutions, users and UI routes (anchor-core §2.5).

Serializers check the shape of the input (types, lengths, choices, ids inside the URL's
institution); the rules (uniqueness, mail domains, passwords, consent...) live in the
`institution.services` modules, which the views call with the validated data. Serializers of a
person validate into flat keyword arguments (`FlatInput`).

Some objects the spec lists in request bodies are set by the server (the institution of the URL,
a learner's consent, a SEND assignment's category details). They are accepted there for
compatibility with the spec's samples and ignored: nested serializers and `Ignored*` fields
never read a value from the request.
"""

import json

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from institution.models import (
    ADMIN_FLAGS,
    CourseGroup,
    InformedConsent,
    InformedConsentDocument,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    SENDCategory,
    SENDLearner,
    UIOption,
    User,
)
from institution.selectors import (
    consent_status,
    learner_ic_status,
    learner_send,
    member_summary,
)
from tesla.serializers import (
    PlainModelRepresentation,
    PlainRepresentation,
    TeslaModelSerializer,
    iso_datetime,
)
from tesla.services import NOT_GIVEN
from tesla.signing import signed_file_url

SET_BY_SERVER = "Set by the server; a value sent here is ignored."
LANGUAGE_RE = r"^[A-Za-z0-9_-]+$"


class IgnoredOnWrite:
    """A field shown in responses and listed in request bodies, whose submitted value is never
    read (see the module docstring)."""

    def get_value(self, dictionary):
        return empty


class IgnoredCharField(IgnoredOnWrite, serializers.CharField):
    pass


class IgnoredBooleanField(IgnoredOnWrite, serializers.BooleanField):
    pass


class IgnoredEmailField(IgnoredOnWrite, serializers.EmailField):
    pass


class BlankForNullCharField(serializers.CharField):
    """A nullable text column shown as "" instead of null (the dashboard splits it)."""

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value


class InstitutionScopedField(serializers.PrimaryKeyRelatedField):
    """A row chosen by id among those of the URL's institution: an id of another institution
    is as unknown as a missing one (400 naming the field)."""

    def __init__(self, model, institution_lookup: str = "institution", **kwargs):
        self.institution_lookup = institution_lookup
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        institution = self.context.get("parents", {}).get("institution")
        model = self.queryset.model
        if institution is None:
            return model.objects.none()
        return model.objects.filter(**{self.institution_lookup: institution})


def flatten(data: dict) -> dict:
    """Merge dotted-source values (`{"user": {"email": ..}}`) into one flat dict."""
    flat = {}
    for key, value in data.items():
        if key in {"user", "institution_user"} and isinstance(value, dict):
            flat.update(flatten(value))
        else:
            flat[key] = value
    return flat


class FlatInput:
    """For serializers of a person, whose fields read dotted sources (`user.email`): the
    validated data is flat (`{"email": ...}`), the keyword arguments of the service the view
    calls with it."""

    def validate(self, attrs):
        return flatten(super().validate(attrs))


# §1 Institution ---------------------------------------------------------------------------
class InstitutionSerializer(PlainModelRepresentation, TeslaModelSerializer):
    """An institution and its settings; acronym and name are changed by global admins only
    (admin API). Nested in another resource it is the URL's institution and is not written."""

    allowed_domains = BlankForNullCharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Comma separated domains the dashboard may redirect to ('*' wildcards).",
    )

    class Meta:
        model = Institution
        fields = [
            "id",
            "acronym",
            "name",
            "external_ic",
            "mail_domain",
            "disable_vle_learner_creation",
            "disable_vle_instructor_creation",
            "disable_vle_user_creation",
            "allow_learner_report",
            "allow_learner_audit",
            "allow_valid_audit",
            "allowed_domains",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "acronym", "name", "created_at", "updated_at"]

    def get_value(self, dictionary):
        return empty

    def represent(self, institution) -> dict:
        data = super().represent(institution)
        data["allowed_domains"] = data["allowed_domains"] or ""
        return data


def institution_field() -> InstitutionSerializer:
    return InstitutionSerializer(required=False, help_text=SET_BY_SERVER)


class AdminInstitutionSerializer(TeslaModelSerializer):
    """An institution as global admins manage it: every field, acronym unique."""

    allowed_domains = BlankForNullCharField(required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = Institution
        fields = InstitutionSerializer.Meta.fields
        read_only_fields = ["id", "created_at", "updated_at"]


# §4 Course groups -------------------------------------------------------------------------
class InstitutionCourseGroupSerializer(TeslaModelSerializer):
    """A folder of courses; `parent` is another group of the same institution or null."""

    institution = institution_field()
    parent = InstitutionScopedField(CourseGroup, allow_null=True, required=False)

    class Meta:
        model = CourseGroup
        fields = ["id", "institution", "parent", "name", "description", "created_at", "updated_at"]


# §6 Informed consents ---------------------------------------------------------------------
class InstitutionInformedConsentSerializer(TeslaModelSerializer):
    """A version of the institution's informed consent. Nested in a document it is the URL's
    consent and is not written."""

    institution = institution_field()
    version = serializers.CharField(
        max_length=250, help_text='"X.Y.Z" with integers; stored normalised ("01.2.3" -> "1.2.3").'
    )

    class Meta:
        model = InformedConsent
        fields = ["id", "institution", "version", "valid_from", "created_at", "updated_at"]
        # Uniqueness is a rule of the services (409 naming the field), not a model validator.
        validators = []

    def get_value(self, dictionary):
        return empty


class InstitutionCurrentInformedConsentSerializer(InstitutionInformedConsentSerializer):
    """The consent in force. The spec documents `ic/current/` as a page, while the original
    server and the dashboard read the consent object itself; the answer is both: the object's
    fields, and a one-item page of it."""

    count = serializers.SerializerMethodField()
    next = serializers.SerializerMethodField()
    previous = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta(InstitutionInformedConsentSerializer.Meta):
        fields = [
            *InstitutionInformedConsentSerializer.Meta.fields,
            "count",
            "next",
            "previous",
            "results",
        ]

    def get_count(self, consent) -> int:
        return 1

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_next(self, consent) -> None:
        return None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_previous(self, consent) -> None:
        return None

    @extend_schema_field(InstitutionInformedConsentSerializer(many=True))
    def get_results(self, consent) -> list[dict]:
        return [InstitutionInformedConsentSerializer(consent, context=self.context).data]


# §7 Informed consent documents ------------------------------------------------------------
class OptionalUploadField(serializers.FileField):
    """A file upload that form clients may leave empty: an empty value (or the text "null" /
    "undefined" that a browser form posts for a missing file) means "no change". A JSON null
    removes the file."""

    NO_FILE = ("", "null", "undefined")

    def get_value(self, dictionary):
        raw = dictionary.get(self.field_name, empty) if hasattr(dictionary, "get") else empty
        if isinstance(raw, str) and raw.strip() in self.NO_FILE:
            return empty
        return super().get_value(dictionary)


class ConsentPDFField(OptionalUploadField):
    """A consent document's PDF: uploaded as a file (multipart), shown as a signed, expiring
    link that ends in the file name (`.../informed-consent-<version>-<language>.pdf`). The
    dashboard hands it to its PDF viewer and to plain links, which send no Authorization
    header; the authenticated `.../document/{language}/pdf/` endpoint serves the same file to
    API clients. Never a storage or media URL, which would work for anyone, forever."""

    def to_representation(self, value):
        if not value:
            return None
        document = value.instance
        return signed_file_url(
            value.name,
            filename=consent_pdf_filename(document),
            content_type="application/pdf",
            request=self.context.get("request"),
        )


def consent_pdf_filename(document) -> str:
    """The name a consent document's PDF is downloaded under."""
    return f"informed-consent-{document.consent.version}-{document.language}.pdf"


class InstitutionInformedConsentDocumentSerializer(TeslaModelSerializer):
    """The text of a consent version in one language: HTML and/or a PDF file (multipart). In
    responses `pdf` is a signed, expiring link to the PDF (or null)."""

    consent = InstitutionInformedConsentSerializer(required=False, help_text=SET_BY_SERVER)
    language = serializers.CharField(
        max_length=30,
        validators=[RegexValidator(LANGUAGE_RE, "Use letters, digits, '-' or '_' (e.g. 'en').")],
    )
    pdf = ConsentPDFField(
        required=False,
        allow_null=True,
        allow_empty_file=False,
        help_text="Write: a PDF file (multipart; null in JSON removes it). Read: a signed, "
        "expiring link to the PDF that needs no credentials, or null.",
    )

    class Meta:
        model = InformedConsentDocument
        fields = ["id", "consent", "language", "html", "pdf", "created_at", "updated_at"]
        validators = []


# §9 UI options ----------------------------------------------------------------------------
class InstitutionUIOptionSerializer(TeslaModelSerializer):
    """A switch of a global dashboard route for the institution or one of its users."""

    route = serializers.CharField(max_length=250)
    user = InstitutionScopedField(
        InstitutionUser,
        allow_null=True,
        required=False,
        help_text="Id of a user of the institution; null for the whole institution.",
    )
    roles = serializers.CharField(read_only=True, allow_null=True)
    is_global = serializers.BooleanField(read_only=True)

    class Meta:
        model = UIOption
        fields = ["id", "route", "enabled", "roles", "user", "is_global"]
        validators = []


@extend_schema_field(OpenApiTypes.STR)
class RolesField(serializers.Field):
    """Role names as a list or a comma separated string; shown as the stored string (the
    service checks the names)."""

    default_error_messages = {"invalid": "Expected a list of role names or a string."}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class AdminUIOptionSerializer(TeslaModelSerializer):
    """A global dashboard route and the roles that see it (none: everyone)."""

    route = serializers.CharField(max_length=250)
    roles = RolesField(
        required=False,
        allow_null=True,
        help_text="Comma separated (or a list of) INSTRUCTOR, LEARNER, ADMIN, SEND, LEGAL, "
        "DATA, GLOBAL_ADMIN; empty or null: everyone.",
    )

    class Meta:
        model = UIOption
        fields = ["id", "route", "enabled", "roles", "created_at", "updated_at"]
        validators = []


# §10 Institution users --------------------------------------------------------------------
@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "format": "password",
        "description": "Write-only: accepted in requests, never present in a response.",
    }
)
class PasswordField(serializers.CharField):
    """A password: accepted on write, never shown. The spec lists it in responses too, so the
    response schema keeps it as an optional property (documented as never present): with
    split request/response components a `writeOnly` flag would drop it from there."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        raise SkipField


def password_field() -> PasswordField:
    return PasswordField()


class InstitutionUserSerializer(FlatInput, serializers.ModelSerializer):
    """A person of the institution: login identity, uid, locale and admin flags.

    `password`/`password2` are write-only: a password is set only for a user allowed to log
    in (otherwise it is unusable), and `password2`, when sent, must repeat it."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(
        source="user.username", max_length=150, validators=[UnicodeUsernameValidator()]
    )
    password = password_field()
    password2 = password_field()
    last_login = serializers.DateTimeField(source="user.last_login", read_only=True)
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    email = serializers.EmailField(
        source="user.email", max_length=254, required=False, allow_blank=True
    )

    class Meta:
        model = InstitutionUser
        fields = [
            "id",
            "username",
            "password",
            "password2",
            "last_login",
            "first_name",
            "last_name",
            "uid",
            "email",
            "locale",
            "login_allowed",
            *ADMIN_FLAGS,
            "created_at",
            "updated_at",
        ]
        # Uniqueness is a rule of the services (409 naming the field), not a model validator.
        validators = []


class InstitutionUserProfileSerializer(serializers.Serializer):
    """What a person may change about themselves: locale and password."""

    locale = serializers.CharField(max_length=10, required=False, allow_null=True, allow_blank=True)
    password = password_field()
    password2 = password_field()


# §11 Instructors --------------------------------------------------------------------------
class _PersonSerializer(FlatInput, serializers.ModelSerializer):
    """A learner or instructor seen through the person behind it. New people get their email
    as username."""

    id = serializers.IntegerField(source="pk", read_only=True)
    username = serializers.CharField(source="institution_user.user.username", read_only=True)
    last_login = serializers.DateTimeField(
        source="institution_user.user.last_login", read_only=True
    )
    first_name = serializers.CharField(
        source="institution_user.user.first_name",
        max_length=150,
        required=False,
        allow_blank=True,
    )
    last_name = serializers.CharField(
        source="institution_user.user.last_name",
        max_length=150,
        required=False,
        allow_blank=True,
    )
    locale = serializers.CharField(
        source="institution_user.locale",
        max_length=10,
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    uid = serializers.CharField(source="institution_user.uid", max_length=255)
    inst_admin = serializers.BooleanField(source="institution_user.inst_admin", required=False)
    legal_admin = serializers.BooleanField(source="institution_user.legal_admin", required=False)
    send_admin = serializers.BooleanField(source="institution_user.send_admin", required=False)
    data_admin = serializers.BooleanField(source="institution_user.data_admin", required=False)
    updated_at = serializers.DateTimeField(source="institution_user.updated_at", read_only=True)


class InstitutionInstructorSerializer(_PersonSerializer):
    """An instructor of the institution."""

    email = serializers.EmailField(
        source="institution_user.user.email", max_length=150, required=False, allow_blank=True
    )

    class Meta:
        model = Instructor
        fields = [
            "id",
            "username",
            "last_login",
            "first_name",
            "last_name",
            "email",
            "locale",
            "created_at",
            "updated_at",
            "uid",
            *ADMIN_FLAGS,
        ]


# §12 Learners -----------------------------------------------------------------------------
class InstitutionLearnerConsentSerializer(serializers.ModelSerializer):
    """The consent version a learner accepted and its status today."""

    version = serializers.CharField(max_length=250)
    status = serializers.SerializerMethodField()

    class Meta:
        model = InformedConsent
        fields = ["version", "status"]

    def get_value(self, dictionary):
        return empty

    def get_status(self, consent) -> str:
        return consent_status(consent, self.context.get("current_consent"))


class InstitutionLearnerSENDSerializer(serializers.Serializer):
    """The union of a learner's unexpired SEND assignments."""

    class Needs(serializers.Serializer):
        enabled_options = serializers.ListField(child=serializers.CharField())
        disabled_instruments = serializers.ListField(child=serializers.IntegerField())

    is_send = serializers.BooleanField()
    send = Needs()


class InstitutionLearnerSerializer(PlainRepresentation, _PersonSerializer):
    """A learner: the person, their pseudonymous `learner_id`, consent state and SEND needs.
    Consent is given by the learner (`learner/{id}/ic/`), never written here."""

    institution = InstitutionSerializer(
        source="institution_user.institution", required=False, help_text=SET_BY_SERVER
    )
    consent = InstitutionLearnerConsentSerializer(
        required=False, allow_null=True, help_text=SET_BY_SERVER
    )
    learner_id = serializers.UUIDField(read_only=True)
    send = serializers.SerializerMethodField()
    email = serializers.EmailField(source="institution_user.user.email", max_length=150)
    ic_status = serializers.SerializerMethodField()
    login_allowed = serializers.BooleanField(
        source="institution_user.login_allowed", read_only=True
    )
    created_at = serializers.DateTimeField(source="institution_user.created_at", read_only=True)

    class Meta:
        model = Learner
        fields = [
            "id",
            "institution",
            "username",
            "consent",
            "consent_accepted",
            "consent_rejected",
            "learner_id",
            "last_login",
            "send",
            "email",
            "ic_status",
            "login_allowed",
            "first_name",
            "last_name",
            "locale",
            "created_at",
            "updated_at",
            "uid",
            *ADMIN_FLAGS,
            "joined_at",
        ]
        read_only_fields = ["consent_accepted", "consent_rejected", "joined_at"]

    @extend_schema_field(InstitutionLearnerSENDSerializer)
    def get_send(self, learner) -> dict:
        return learner_send(learner)

    def get_ic_status(self, learner) -> str:
        return learner_ic_status(learner, self.context.get("current_consent", NOT_GIVEN))

    def represent(self, learner) -> dict:
        member = learner.institution_user
        user = member.user
        now = self.now
        current_consent = self.context.get("current_consent", NOT_GIVEN)
        consent = None
        if learner.consent is not None:
            consent = {
                "version": learner.consent.version,
                "status": consent_status(
                    learner.consent, None if current_consent is NOT_GIVEN else current_consent, now
                ),
            }
        return {
            "id": learner.pk,
            "institution": self.shared(InstitutionSerializer, member.institution),
            "username": user.username,
            "consent": consent,
            "consent_accepted": iso_datetime(learner.consent_accepted),
            "consent_rejected": iso_datetime(learner.consent_rejected),
            "learner_id": str(learner.learner_id),
            "last_login": iso_datetime(user.last_login),
            "send": learner_send(learner, now),
            "email": user.email,
            "ic_status": learner_ic_status(learner, current_consent, now),
            "login_allowed": member.login_allowed,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "locale": member.locale,
            "created_at": iso_datetime(member.created_at),
            "updated_at": iso_datetime(member.updated_at),
            "uid": member.uid,
            "inst_admin": member.inst_admin,
            "legal_admin": member.legal_admin,
            "send_admin": member.send_admin,
            "data_admin": member.data_admin,
            "joined_at": iso_datetime(learner.joined_at),
        }


class InstitutionLearnerConsentVersionSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=250)


class InstitutionLearnerConsentAcceptSerializer(serializers.Serializer):
    """Body of `POST learner/{id}/ic/`: the version to accept, as `version` or, in the
    learner-shaped body of the spec, as `consent.version`. Other learner fields are ignored."""

    version = serializers.CharField(max_length=250, required=False)
    consent = InstitutionLearnerConsentVersionSerializer(required=False)
    institution = InstitutionSerializer(required=False, help_text=SET_BY_SERVER)
    email = IgnoredEmailField(required=False, help_text=SET_BY_SERVER)
    first_name = IgnoredCharField(required=False, help_text=SET_BY_SERVER)
    last_name = IgnoredCharField(required=False, help_text=SET_BY_SERVER)
    locale = IgnoredCharField(required=False, help_text=SET_BY_SERVER)
    uid = IgnoredCharField(required=False, help_text=SET_BY_SERVER)
    inst_admin = IgnoredBooleanField(required=False, help_text=SET_BY_SERVER)
    legal_admin = IgnoredBooleanField(required=False, help_text=SET_BY_SERVER)
    send_admin = IgnoredBooleanField(required=False, help_text=SET_BY_SERVER)
    data_admin = IgnoredBooleanField(required=False, help_text=SET_BY_SERVER)

    def validate(self, attrs):
        version = attrs.get("version") or (attrs.get("consent") or {}).get("version")
        if not version:
            raise serializers.ValidationError({"version": ["This field is required."]})
        return {"version": version}


# §13 SEND categories ----------------------------------------------------------------------
class InstitutionSENDCategoryDataSerializer(serializers.Serializer):
    enabled_options = serializers.ListField(
        child=serializers.ChoiceField(choices=SENDCategory.ENABLED_OPTIONS), required=False
    )
    disabled_instruments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Instrument ids."
    )


@extend_schema_field(InstitutionSENDCategoryDataSerializer)
class SENDDataField(serializers.JSONField):
    """`data` of a SEND category (checked by the service); a JSON text is decoded first."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


class InstitutionSENDCategorySerializer(TeslaModelSerializer):
    """A kind of special educational need: accessibility options it enables and instruments it
    disables. Nested in an assignment (`info`) it is read-only."""

    institution = institution_field()
    data = SENDDataField(required=False, allow_null=True)

    class Meta:
        model = SENDCategory
        fields = ["id", "institution", "data", "description", "created_at", "updated_at"]

    def get_value(self, dictionary):
        return empty


# §14 Learner SEND assignments -------------------------------------------------------------
class InstitutionSENDLearnerSerializer(TeslaModelSerializer):
    """A learner's SEND category (one of the institution's), until `expires_at` or for good."""

    category = InstitutionScopedField(SENDCategory)
    info = InstitutionSENDCategorySerializer(
        source="category", required=False, help_text=SET_BY_SERVER
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    class Meta:
        model = SENDLearner
        fields = ["id", "expires_at", "category", "info"]
        validators = []


# Global admin: users ----------------------------------------------------------------------
class AdminUserInstitutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    acronym = serializers.CharField()
    uid = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    locale = serializers.CharField(allow_null=True)


class AdminUserSerializer(FlatInput, serializers.ModelSerializer):
    """A login identity as global admins manage it, with its institution membership.

    `institution_id` attaches the user to an institution (then `uid` is required), moves it, or
    with -1 (or null) detaches it; the membership fields are shown under `institution` and as
    flags (null for users without institution)."""

    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    password = password_field()
    password2 = password_field()
    institution = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    institution_id = serializers.IntegerField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Institution to attach the user to; -1 or null detaches it.",
    )
    uid = serializers.CharField(
        source="institution_user.uid", max_length=255, required=False, allow_null=True
    )
    login_allowed = serializers.BooleanField(
        source="institution_user.login_allowed", required=False
    )
    locale = serializers.CharField(
        source="institution_user.locale",
        max_length=10,
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    inst_admin = serializers.BooleanField(source="institution_user.inst_admin", required=False)
    legal_admin = serializers.BooleanField(source="institution_user.legal_admin", required=False)
    send_admin = serializers.BooleanField(source="institution_user.send_admin", required=False)
    data_admin = serializers.BooleanField(source="institution_user.data_admin", required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "last_login",
            "date_joined",
            "password",
            "password2",
            "institution",
            "roles",
            "institution_id",
            "uid",
            "login_allowed",
            "locale",
            *ADMIN_FLAGS,
        ]
        read_only_fields = ["last_login", "date_joined"]
        validators = []

    @extend_schema_field(AdminUserInstitutionSerializer(allow_null=True))
    def get_institution(self, user) -> dict | None:
        member = getattr(user, "institution_user", None)
        return member_summary(member) if member is not None else None

    def get_roles(self, user) -> list[str]:
        member = getattr(user, "institution_user", None)
        roles = list(member.roles) if member is not None else []
        if user.is_staff:
            roles.append("GLOBAL_ADMIN")
        return roles

    def validate_institution_id(self, value):
        if value is None or value == -1:
            return None
        institution = Institution.objects.filter(pk=value).first()
        if institution is None:
            raise serializers.ValidationError("Unknown institution.")
        return institution

    def validate(self, attrs):
        data = super().validate(attrs)
        if "institution_id" in data:
            data["institution"] = data.pop("institution_id")
        return data
