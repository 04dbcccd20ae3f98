"""Institution API (institution-api.txt §1, 4, 6, 7, 9-14) and the global-admin API for
institutions, users and UI routes (anchor-core §2.5).

Who may do what (anchor-core §2.3, with the original's holes closed, §11). GA = global admin;
"members" = any user of the institution; "learner tokens" = assessment-session tokens.

- institution/: read GA, members, learner tokens (their own); update GA, ADMIN.
- {i}/group/: read GA, members; write and delete GA, ADMIN.
- {i}/ic/ (+ current/) and {i}/ic/{c}/document/ (+ {lang}/pdf/, the PDF file): read GA,
  members, learner tokens; write and delete GA, LEGAL, ADMIN.
- {i}/ui/: everything GA, ADMIN.
- {i}/user/: read GA, ADMIN, LEGAL, DATA (other members: their own row); write and delete
  GA, ADMIN, DATA (nobody deletes themselves); {u}/profile/: the user themself.
- {i}/instructor/: read GA, ADMIN, LEGAL, DATA; write and delete GA, ADMIN.
- {i}/learner/: read GA, ADMIN, LEGAL, DATA, SEND (a learner: their own detail); write and
  delete GA, ADMIN; {l}/ic/: the learner themself.
- {i}/send/ and {i}/learner/{l}/send/: everything GA, ADMIN, SEND.
- admin/institution/, admin/user/, admin/ui/: everything GA.

Only institution admins (and GA) change admin flags or edit an institution admin; only GA edit
a person who is also a global admin (otherwise an institution admin could take over a global
admin account by setting its password).
"""

from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from institution.api import serializers as s
from institution.api.writes import ServiceWrites, WritesThroughServices
from institution.filters import (
    AdminUserFilter,
    CourseGroupFilter,
    InformedConsentFilter,
    InstitutionFilter,
    InstitutionUserFilter,
    InstructorFilter,
    LearnerFilter,
    SENDCategoryFilter,
    UIOptionFilter,
)
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
from institution.parents import IC_PARENTS, INSTITUTION_PARENTS, LEARNER_PARENTS
from institution.selectors import (
    consents_from_rows,
    current_informed_consent,
    current_of,
    institutions_visible_to,
    learners_of,
)
from institution.services.admins import admin_user_create, admin_user_delete, admin_user_update
from institution.services.consent import (
    ic_document_create,
    ic_document_delete,
    ic_document_update,
    informed_consent_create,
    informed_consent_update,
    learner_accept_consent,
    learner_reject_consent,
)
from institution.services.groups import course_group_create, course_group_update
from institution.services.people import (
    institution_user_create,
    institution_user_delete,
    institution_user_set_profile,
    institution_user_update,
    instructor_create,
    instructor_remove,
    learner_create,
    learner_remove,
    person_update,
)
from institution.services.send import (
    send_category_create,
    send_category_update,
    send_learner_assign,
    send_learner_update,
)
from institution.services.ui import (
    ui_option_create,
    ui_option_update,
    ui_route_create,
    ui_route_delete,
    ui_route_update,
)
from tesla.downloads import DownloadNegotiation, file_download
from tesla.filters import OrderingFilter, SearchFilter
from tesla.permissions import (
    ADMIN,
    DATA,
    GLOBAL_ADMIN,
    LEARNER_TOKEN,
    LEGAL,
    MEMBER,
    SELF,
    SEND,
)
from tesla.principals import kind_of
from tesla.services import NOT_GIVEN
from tesla.viewsets import TeslaModelViewSet, TeslaViewSet


class CurrentConsentContext:
    """Hands the serializer the institution's current informed consent, looked up once per
    request: every learner's consent status is judged against it. The institution is the URL's
    (or, in the VLE tree, the VLE's)."""

    def consent_institution_id(self) -> int | None:
        parents = {} if self.schema_only() else self.parents
        if "institution" in parents:
            return parents["institution"].pk
        if "vle" in parents:
            return parents["vle"].institution_id
        return None

    @cached_property
    def current_consent(self):
        course = {} if self.schema_only() else self.parents.get("course")
        rows = getattr(course, "consent_versions", NOT_GIVEN)
        if rows is not NOT_GIVEN:  # read with the course (`vle.parents.with_consent_versions`)
            return current_of(consents_from_rows(rows, self.consent_institution_id()))
        return current_informed_consent(self.consent_institution_id())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.consent_institution_id() is not None:
            context["current_consent"] = self.current_consent
        return context


class AliasOrderingFilter(OrderingFilter):
    """`?ordering=` by the names clients see (`username`), translated through the view's
    `ordering_aliases` to the ORM path (`institution_user__user__username`)."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        aliases = getattr(view, "ordering_aliases", {})
        translated = []
        for term in ordering or []:
            name = term.lstrip("-")
            prefix = "-" if term.startswith("-") else ""
            translated.append(prefix + aliases.get(name, name))
        return translated


FILTER_BACKENDS = [DjangoFilterBackend, SearchFilter, AliasOrderingFilter]


def everyone_of(*roles: str) -> dict[str, set[str]]:
    """The same roles for reading, writing and deleting."""
    return {"read": set(roles), "write": set(roles), "delete": set(roles)}


class InstitutionAPIViewSet(TeslaViewSet):
    """Common ground of the institution viewsets: filter backends and caller helpers."""

    filter_backends = FILTER_BACKENDS
    ordering_aliases: dict[str, str] = {}

    def caller_pk(self) -> int | None:
        """The id of the person calling (user id, or the learner's for learner tokens)."""
        user = self.request.user
        if kind_of(user) == "learner":
            return user.learner.pk
        return getattr(user, "pk", None)

    def check_person_edit(self, member: InstitutionUser | None, changes: dict) -> None:
        """Admin flags are granted by institution admins only, and people holding more power
        than the caller (institution admins, global admins) are edited by their peers only."""
        roles = self.caller_roles()
        if GLOBAL_ADMIN in roles:
            return
        if member is not None and member.user.is_staff:
            raise PermissionDenied("Only global admins can change a global admin.")
        if ADMIN in roles:
            return
        if member is not None and member.inst_admin:
            raise PermissionDenied("Only institution admins can change an institution admin.")
        for flag in ADMIN_FLAGS:
            if flag in changes and bool(changes[flag]) != bool(getattr(member, flag, False)):
                raise PermissionDenied("Only institution admins can change admin flags.")

    def check_role_create(self, serializer) -> None:
        """Creating a learner or instructor may reuse (and update) the person with that uid:
        the same edit rules apply to that person."""
        changes = serializer.validated_data
        member = (
            InstitutionUser.objects.select_related("user")
            .filter(institution=self.parents["institution"], uid=changes.get("uid"))
            .first()
        )
        self.check_person_edit(member, changes)


class InstitutionModelViewSet(WritesThroughServices, TeslaModelViewSet, InstitutionAPIViewSet):
    """Create, read, update and delete under an institution of the URL, writing through the
    services the view declares (`writes`)."""


# §1 ---------------------------------------------------------------------------------------
class InstitutionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    InstitutionAPIViewSet,
):
    """Institutions: global admins see all of them, anyone else only their own. Institution
    admins change the settings; acronym and name belong to the admin API."""

    serializer_class = s.InstitutionSerializer
    filterset_class = InstitutionFilter
    search_fields = ["acronym", "name"]
    ordering_fields = ["id", "acronym", "name", "created_at", "updated_at"]
    allowed_kinds = frozenset({"admin", "user", "learner"})
    access = {"read": {GLOBAL_ADMIN, MEMBER, LEARNER_TOKEN}, "update": {GLOBAL_ADMIN, ADMIN}}

    def get_queryset(self):
        return institutions_visible_to(self.request).order_by("id")


# §4 ---------------------------------------------------------------------------------------
class InstitutionCourseGroupViewSet(InstitutionModelViewSet):
    """Course groups: a tree of folders of the institution's courses."""

    parent_chain = INSTITUTION_PARENTS
    queryset = CourseGroup.objects.none()
    serializer_class = s.InstitutionCourseGroupSerializer
    filterset_class = CourseGroupFilter
    ordering_fields = ["id", "name", "created_at", "updated_at"]
    access = {
        "read": {GLOBAL_ADMIN, MEMBER},
        "write": {GLOBAL_ADMIN, ADMIN},
        "delete": {GLOBAL_ADMIN, ADMIN},
    }

    def get_queryset(self):
        return CourseGroup.objects.filter(institution=self.parents["institution"]).select_related(
            "institution"
        )

    writes = ServiceWrites(create=course_group_create, update=course_group_update, instance="group")


# §6 ---------------------------------------------------------------------------------------
IC_READERS = {GLOBAL_ADMIN, MEMBER, LEARNER_TOKEN}
IC_WRITERS = {GLOBAL_ADMIN, LEGAL, ADMIN}


class InstitutionInformedConsentViewSet(InstitutionModelViewSet):
    """Versions of the institution's informed consent; `current/` is the one in force."""

    parent_chain = INSTITUTION_PARENTS
    queryset = InformedConsent.objects.none()
    serializer_class = s.InstitutionInformedConsentSerializer
    filterset_class = InformedConsentFilter
    search_fields = ["version"]
    ordering_fields = ["id", "version", "valid_from", "created_at"]
    allowed_kinds = frozenset({"admin", "user", "learner"})
    access = {
        "read": IC_READERS,
        "current": IC_READERS,
        "write": IC_WRITERS,
        "delete": IC_WRITERS,
    }

    def get_queryset(self):
        return InformedConsent.objects.filter(
            institution=self.parents["institution"]
        ).select_related("institution")

    writes = ServiceWrites(
        create=informed_consent_create, update=informed_consent_update, instance="consent"
    )

    @extend_schema(
        responses={
            200: s.InstitutionCurrentInformedConsentSerializer,
            404: OpenApiResponse(description="The institution has no consent in force."),
        }
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def current(self, request, *args, **kwargs):
        """The consent in force: the highest version whose `valid_from` has passed."""
        consent = current_informed_consent(self.parents["institution"].pk)
        if consent is None:
            raise NotFound("The institution has no informed consent in force.")
        context = self.get_serializer_context()
        return Response(
            s.InstitutionCurrentInformedConsentSerializer(consent, context=context).data
        )


# §7 ---------------------------------------------------------------------------------------
class InstitutionInformedConsentDocumentViewSet(InstitutionModelViewSet):
    """The texts of a consent version, one per language (addressed by the language)."""

    parent_chain = IC_PARENTS
    queryset = InformedConsentDocument.objects.none()
    serializer_class = s.InstitutionInformedConsentDocumentSerializer
    lookup_field = "language"
    lookup_value_regex = s.LANGUAGE_RE.strip("^$")
    search_fields = ["language"]
    ordering_fields = ["id", "language", "created_at"]
    allowed_kinds = frozenset({"admin", "user", "learner"})
    access = {"read": IC_READERS, "pdf": IC_READERS, "write": IC_WRITERS, "delete": IC_WRITERS}

    def get_queryset(self):
        return InformedConsentDocument.objects.filter(consent=self.parents["ic"]).select_related(
            "consent__institution"
        )

    writes = ServiceWrites(
        create=ic_document_create,
        update=ic_document_update,
        instance="document",
        parent="consent",
        url_parent="ic",
    )

    def perform_destroy(self, instance):
        ic_document_delete(document=instance)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such document, or it has no PDF."),
        },
        description="The document's PDF, for the same callers as the document itself (the "
        "`pdf` field of the document is this URL).",
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        content_negotiation_class=DownloadNegotiation,
    )
    def pdf(self, request, *args, **kwargs):
        document = self.get_object()
        if not document.pdf:
            raise NotFound("This document has no PDF.")
        return file_download(
            document.pdf,
            content_type="application/pdf",
            filename=s.consent_pdf_filename(document),
        )


# §9 ---------------------------------------------------------------------------------------
class InstitutionUIOptionViewSet(InstitutionModelViewSet):
    """The institution's switches of global dashboard routes (for all its users or one)."""

    parent_chain = INSTITUTION_PARENTS
    queryset = UIOption.objects.none()
    serializer_class = s.InstitutionUIOptionSerializer
    filterset_class = UIOptionFilter
    search_fields = ["route"]
    ordering_fields = ["id", "route", "enabled"]
    access = everyone_of(GLOBAL_ADMIN, ADMIN)

    def get_queryset(self):
        return UIOption.objects.filter(institution=self.parents["institution"])

    writes = ServiceWrites(create=ui_option_create, update=ui_option_update, instance="option")


# §10 --------------------------------------------------------------------------------------
USER_READERS = {GLOBAL_ADMIN, ADMIN, LEGAL, DATA}


class InstitutionUserViewSet(InstitutionModelViewSet):
    """People of the institution. Members without an admin role see only themselves; nobody
    deletes themselves; everyone may change their own locale and password (`profile/`)."""

    parent_chain = INSTITUTION_PARENTS
    queryset = InstitutionUser.objects.none()
    serializer_class = s.InstitutionUserSerializer
    filterset_class = InstitutionUserFilter
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email", "uid"]
    ordering_fields = ["id", "username", "first_name", "last_name", "email", "uid", "created_at"]
    ordering_aliases = {
        "id": "pk",
        "username": "user__username",
        "first_name": "user__first_name",
        "last_name": "user__last_name",
        "email": "user__email",
    }
    access = {
        "read": {GLOBAL_ADMIN, MEMBER},
        "write": {GLOBAL_ADMIN, ADMIN, DATA},
        "delete": {GLOBAL_ADMIN, ADMIN, DATA},
        "profile": {SELF},
    }
    own_field = "pk"
    sees_all = frozenset(USER_READERS)
    self_kwarg = "pk"

    def get_queryset(self):
        return InstitutionUser.objects.filter(
            institution=self.parents["institution"]
        ).select_related("user")

    writes = ServiceWrites(
        create=institution_user_create, update=institution_user_update, instance="member"
    )

    def perform_create(self, serializer):
        self.check_person_edit(None, serializer.validated_data)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self.check_person_edit(serializer.instance, serializer.validated_data)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        if instance.pk == self.caller_pk():
            raise PermissionDenied("Cannot delete yourself.")
        self.check_person_edit(instance, {})
        self.delete_owner(instance, lambda: institution_user_delete(member=instance))

    @extend_schema(
        request=s.InstitutionUserProfileSerializer, responses={200: s.InstitutionUserSerializer}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def profile(self, request, *args, **kwargs):
        """Change one's own locale and/or password."""
        member = self.get_object()
        if member.pk != self.caller_pk():
            raise PermissionDenied("You can only change your own profile.")
        body = s.InstitutionUserProfileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if changes.get("password") and not member.login_allowed:
            raise PermissionDenied("This user is not allowed to log in with a password.")
        institution_user_set_profile(member=member, **changes)
        return Response(
            s.InstitutionUserSerializer(member, context=self.get_serializer_context()).data
        )


# §11 --------------------------------------------------------------------------------------
PERSON_ORDERING = ["id", "username", "first_name", "last_name", "email", "uid", "created_at"]
PERSON_ALIASES = {
    "id": "pk",
    "username": "institution_user__user__username",
    "first_name": "institution_user__user__first_name",
    "last_name": "institution_user__user__last_name",
    "email": "institution_user__user__email",
    "uid": "institution_user__uid",
}
PERSON_SEARCH = [
    "institution_user__uid",
    "institution_user__user__username",
    "institution_user__user__email",
    "institution_user__user__first_name",
    "institution_user__user__last_name",
]


class InstitutionRoleViewSet(InstitutionModelViewSet):
    """Learners and instructors: the role's service creates the row (reusing the person with
    that uid, who falls under the same edit rules); an update changes the person behind it."""

    def perform_create(self, serializer):
        self.check_role_create(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        member = serializer.instance.institution_user
        self.check_person_edit(member, serializer.validated_data)
        person_update(member=member, **serializer.validated_data)


class InstitutionInstructorViewSet(InstitutionRoleViewSet):
    """Instructors of the institution. Creating one reuses the person with that uid or makes
    a new one; deleting takes the instructor role away and keeps the person."""

    parent_chain = INSTITUTION_PARENTS
    queryset = Instructor.objects.none()
    serializer_class = s.InstitutionInstructorSerializer
    filterset_class = InstructorFilter
    search_fields = PERSON_SEARCH
    ordering_fields = PERSON_ORDERING
    ordering_aliases = PERSON_ALIASES
    access = {
        "read": {GLOBAL_ADMIN, ADMIN, LEGAL, DATA},
        "write": {GLOBAL_ADMIN, ADMIN},
        "delete": {GLOBAL_ADMIN, ADMIN},
    }

    def get_queryset(self):
        return Instructor.objects.filter(
            institution_user__institution=self.parents["institution"]
        ).select_related("institution_user__user")

    writes = ServiceWrites(create=instructor_create)

    def perform_destroy(self, instance):
        instructor_remove(instructor=instance)


# §12 --------------------------------------------------------------------------------------
LEARNER_READERS = {GLOBAL_ADMIN, ADMIN, LEGAL, DATA, SEND}


class InstitutionLearnerViewSet(CurrentConsentContext, InstitutionRoleViewSet):
    """Learners of the institution. A learner reads their own detail and accepts (POST) or
    rejects (DELETE) the institution's current informed consent at `ic/`."""

    parent_chain = INSTITUTION_PARENTS
    queryset = Learner.objects.none()
    serializer_class = s.InstitutionLearnerSerializer
    filterset_class = LearnerFilter
    search_fields = PERSON_SEARCH
    ordering_fields = [*PERSON_ORDERING, "joined_at", "consent_accepted"]
    ordering_aliases = PERSON_ALIASES
    allowed_kinds = frozenset({"admin", "user", "learner"})
    access = {
        "read": LEARNER_READERS,
        "retrieve": LEARNER_READERS | {SELF},
        "ic": {SELF},
        "write": {GLOBAL_ADMIN, ADMIN},
        "delete": {GLOBAL_ADMIN, ADMIN},
    }
    self_kwarg = "pk"

    def get_queryset(self):
        return learners_of(self.parents["institution"])

    writes = ServiceWrites(create=learner_create)

    def perform_destroy(self, instance):
        self.delete_owner(instance, lambda: learner_remove(learner=instance))

    def _detail(self, learner) -> Response:
        learner = self.get_queryset().get(pk=learner.pk)
        return Response(self.get_serializer(learner).data)

    @extend_schema(
        methods=["POST"],
        request=s.InstitutionLearnerConsentAcceptSerializer,
        responses={200: s.InstitutionLearnerSerializer},
        description="The learner accepts the institution's current informed consent.",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={
            200: s.InstitutionLearnerSerializer,
            404: OpenApiResponse(description="No informed consent to reject."),
        },
        description="The learner rejects the consent they accepted (answers the learner).",
    )
    @action(detail=True, methods=["post", "delete"], filter_backends=[])
    def ic(self, request, *args, **kwargs):
        """Accept (POST `{version}`) or reject (DELETE) the informed consent, as the learner."""
        learner = self.get_object()
        if request.method == "DELETE":
            if not learner_reject_consent(learner=learner):
                raise NotFound("No informed consent to reject.")
            return self._detail(learner)
        body = s.InstitutionLearnerConsentAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        learner_accept_consent(learner=learner, version=body.validated_data["version"])
        return self._detail(learner)


# §13 --------------------------------------------------------------------------------------
SEND_STAFF = (GLOBAL_ADMIN, ADMIN, SEND)


class InstitutionSENDCategoryViewSet(InstitutionModelViewSet):
    """Kinds of special educational needs of the institution."""

    parent_chain = INSTITUTION_PARENTS
    queryset = SENDCategory.objects.none()
    serializer_class = s.InstitutionSENDCategorySerializer
    filterset_class = SENDCategoryFilter
    search_fields = ["description"]
    ordering_fields = ["id", "description", "created_at", "updated_at"]
    access = everyone_of(*SEND_STAFF)

    def get_queryset(self):
        return SENDCategory.objects.filter(institution=self.parents["institution"]).select_related(
            "institution"
        )

    writes = ServiceWrites(
        create=send_category_create, update=send_category_update, instance="category"
    )


# §14 --------------------------------------------------------------------------------------
class InstitutionSENDLearnerViewSet(InstitutionModelViewSet):
    """A learner's SEND categories."""

    parent_chain = LEARNER_PARENTS
    queryset = SENDLearner.objects.none()
    serializer_class = s.InstitutionSENDLearnerSerializer
    search_fields = ["category__description"]
    ordering_fields = ["id", "expires_at", "created_at"]
    access = everyone_of(*SEND_STAFF)

    def get_queryset(self):
        return SENDLearner.objects.filter(learner=self.parents["learner"]).select_related(
            "category__institution"
        )

    writes = ServiceWrites(
        create=send_learner_assign,
        update=send_learner_update,
        instance="assignment",
        parent="learner",
    )


# Global admin -----------------------------------------------------------------------------
class AdminInstitutionViewSet(InstitutionModelViewSet):
    """Institutions as global admins manage them (create, rename, delete)."""

    queryset = Institution.objects.none()
    serializer_class = s.AdminInstitutionSerializer
    filterset_class = InstitutionFilter
    search_fields = ["acronym", "name"]
    ordering_fields = ["id", "acronym", "name", "created_at", "updated_at"]
    access = everyone_of(GLOBAL_ADMIN)

    def get_queryset(self):
        return Institution.objects.order_by("created_at", "id")


class AdminUserViewSet(InstitutionModelViewSet):
    """Every login identity, with its institution membership; global admins only."""

    queryset = User.objects.none()
    serializer_class = s.AdminUserSerializer
    filterset_class = AdminUserFilter
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["id", "username", "first_name", "last_name", "email", "date_joined"]
    access = everyone_of(GLOBAL_ADMIN)

    def get_queryset(self):
        return User.objects.select_related(
            "institution_user__institution",
            "institution_user__learner",
            "institution_user__instructor",
        ).order_by("id")

    writes = ServiceWrites(create=admin_user_create, parent=None)

    def perform_update(self, serializer):
        user = admin_user_update(
            user=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        # Membership may have been attached, moved or removed: answer with fresh relations.
        serializer.instance = self.get_queryset().get(pk=user.pk)

    def perform_destroy(self, instance):
        self.delete_owner(instance, lambda: admin_user_delete(user=instance, by=self.request.user))


class AdminUIOptionViewSet(InstitutionModelViewSet):
    """Global dashboard routes and the roles that see them; global admins only."""

    queryset = UIOption.objects.none()
    serializer_class = s.AdminUIOptionSerializer
    filterset_class = UIOptionFilter
    search_fields = ["route"]
    ordering_fields = ["id", "route", "enabled"]
    access = everyone_of(GLOBAL_ADMIN)

    def get_queryset(self):
        return UIOption.objects.filter(institution__isnull=True, user__isnull=True).order_by(
            "route", "id"
        )

    writes = ServiceWrites(
        create=ui_route_create, update=ui_route_update, instance="option", parent=None
    )

    def perform_destroy(self, instance):
        ui_route_delete(option=instance)
