"""Institution API (institution-api.txt §1, 4, 6, 7, 9-14) and the global-admin API for
institutions, users and UI routes (anchor-core §2.5).

Who may do what (anchor-core §2.3, with the original's holes closed, §11):

| endpoint                       | read                               | write          | delete         |
| ------------------------------ | ---------------------------------- | -------------- | -------------- |
| institution/                   | GA, members, learner tokens (own)  | GA, ADMIN      | -              |
| {i}/group/                     | GA, members                        | GA, ADMIN      | GA, ADMIN      |
| {i}/ic/, ic/current/, document | GA, members, learner tokens        | GA, LEGAL, ADMIN | GA, LEGAL, ADMIN |
| {i}/ui/                        | GA, ADMIN                          | GA, ADMIN      | GA, ADMIN      |
| {i}/user/                      | GA, ADMIN, LEGAL, DATA; others own | GA, ADMIN, DATA | GA, ADMIN, DATA |
| {i}/user/{u}/profile/          | -                                  | the user self  | -              |
| {i}/instructor/                | GA, ADMIN, LEGAL, DATA             | GA, ADMIN      | GA, ADMIN      |
| {i}/learner/                   | GA, ADMIN, LEGAL, DATA, SEND; learner own detail | GA, ADMIN | GA, ADMIN |
| {i}/learner/{l}/ic/            | -                                  | learner l self | learner l self |
| {i}/send/, learner/{l}/send/   | GA, ADMIN, SEND                    | GA, ADMIN, SEND | GA, ADMIN, SEND |
| admin/institution, user, ui    | GA                                 | GA             | GA             |

Only institution admins (and GA) change admin flags or edit an institution admin; only GA edit
a person who is also a global admin (otherwise an institution admin could take over a global
admin account by setting its password).
"""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from institution import services
from institution.api import serializers as s
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
from institution.selectors import current_informed_consent, institutions_visible_to, learners_of
from tesla.filters import OrderingFilter, SearchFilter
from tesla.permissions import (
    ADMIN,
    DATA,
    GLOBAL_ADMIN,
    LEARNER,
    LEARNER_TOKEN,
    LEGAL,
    MEMBER,
    SEND,
)
from tesla.principals import kind_of
from tesla.viewsets import Parent, TeslaModelViewSet, TeslaViewSet

INSTITUTION_PARENTS = (Parent("institution", "institution_pk", institutions_visible_to),)
IC_PARENTS = (
    *INSTITUTION_PARENTS,
    Parent(
        "ic",
        "ic_pk",
        lambda request, p: InformedConsent.objects.filter(institution=p["institution"]),
    ),
)
LEARNER_PARENTS = (
    *INSTITUTION_PARENTS,
    Parent(
        "learner",
        "learner_pk",
        lambda request, p: Learner.objects.filter(
            institution_user__institution=p["institution"]
        ).select_related("institution_user"),
    ),
)
INSTITUTION_PK = OpenApiParameter("institution_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
IC_PK = OpenApiParameter("ic_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
LEARNER_PK = OpenApiParameter("learner_pk", OpenApiTypes.INT, OpenApiParameter.PATH)
ADMIN_FLAGS = ("inst_admin", "legal_admin", "send_admin", "data_admin")


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

    def roles(self) -> set[str]:
        if not hasattr(self, "_roles"):
            self._roles = self.caller_roles()
        return self._roles

    def caller_pk(self) -> int | None:
        """The id of the person calling (user id, or the learner's for learner tokens)."""
        user = self.request.user
        if kind_of(user) == "learner":
            return user.learner.pk
        return getattr(user, "pk", None)

    def url_pk_is_caller(self) -> bool:
        pk = self.kwargs.get("pk")
        return pk is not None and str(self.caller_pk()) == str(pk)

    def check_person_edit(self, member: InstitutionUser | None, changes: dict) -> None:
        """Admin flags are granted by institution admins only, and people holding more power
        than the caller (institution admins, global admins) are edited by their peers only."""
        roles = self.roles()
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
class InstitutionCourseGroupViewSet(TeslaModelViewSet, InstitutionAPIViewSet):
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

    def perform_create(self, serializer):
        serializer.save(institution=self.parents["institution"])
