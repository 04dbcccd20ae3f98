"""The VLE app's endpoints in the institution tree (/api/v2/institution/{i}/...) and the
global-admin instrument catalogue (/api/v2/admin/instrument/).

Parents come from the URL through caller-scoped querysets (foreign → 404); roles come from
the institution flags plus, under a course, the caller's enrolment in that course.
"""

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from institution.api.views import CurrentConsentContext
from institution.models import Learner
from institution.parents import INSTITUTION_PARENTS, USER_PARENTS
from tesla.filters import SearchFilter
from tesla.permissions import (
    ADMIN,
    COURSE_INSTRUCTOR,
    COURSE_LEARNER,
    DATA,
    GLOBAL_ADMIN,
    LEGAL,
    MEMBER,
    SELF,
)
from tesla.principals import institution_user_of
from tesla.viewsets import (
    DestroyMixin,
    TeslaModelViewSet,
    TeslaReadOnlyViewSet,
    TeslaViewSet,
)
from vle import filters, selectors
from vle.api import serializers as s
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument
from vle.parents import GROUP_PARENTS, INSTITUTION_ACTIVITY_PARENTS, INSTITUTION_COURSE_PARENTS
from vle.services import activities, courses, enrolments, instruments, vles

# Who sees every course of the institution (others see the courses they teach or take).
ALL_COURSES = frozenset({GLOBAL_ADMIN, ADMIN, DATA})
PEOPLE_FILTERS = [DjangoFilterBackend, SearchFilter, filters.PersonOrderingFilter]


# §2 Institution VLEs -------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        description="Register a VLE. The response carries its `credentials` "
        "`{role_id, secret_id}`; the secret is never shown again."
    )
)
class InstitutionVLEViewSet(TeslaModelViewSet):
    """The VLEs of an institution, managed by its admins (and global admins)."""

    parent_chain = INSTITUTION_PARENTS
    serializer_class = s.InstitutionVLESerializer
    filterset_class = filters.VLEFilter
    search_fields = ["name", "url"]
    ordering_fields = ["id", "name", "type", "url", "created_at", "updated_at"]
    access = {
        "read": {GLOBAL_ADMIN, ADMIN},
        "write": {GLOBAL_ADMIN, ADMIN},
        "delete": {GLOBAL_ADMIN, ADMIN},
        "credentials": {GLOBAL_ADMIN, ADMIN},
    }

    def get_queryset(self) -> QuerySet[VLE]:
        if self.schema_only():
            return VLE.objects.none()
        return VLE.objects.filter(institution=self.parents["institution"])

    def perform_create(self, serializer):
        vle, credentials = vles.vle_create(
            institution=self.parents["institution"], **serializer.validated_data
        )
        vle.issued_credentials = credentials
        serializer.instance = vle

    def perform_update(self, serializer):
        serializer.instance = vles.vle_update(vle=serializer.instance, **serializer.validated_data)

    @extend_schema(
        request=None,
        responses={201: s.VLECredentialsSerializer},
        description="Issue a new secret for the VLE; the previous one stops working.",
    )
    @action(detail=True, methods=["post"])
    def credentials(self, request, *args, **kwargs):
        credentials = vles.vle_renew_credentials(vle=self.get_object())
        return Response(
            s.VLECredentialsSerializer(credentials).data, status=status.HTTP_201_CREATED
        )


# §3 Institution courses ----------------------------------------------------------------------


class InstitutionCourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    DestroyMixin,
    TeslaViewSet,
):
    """The institution's courses (they come from the VLEs). Admins, data admins and global
    admins see all of them; other members only those they teach or take."""

    parent_chain = INSTITUTION_PARENTS
    serializer_class = s.InstitutionCourseSerializer
    filterset_class = filters.CourseFilter
    search_fields = ["code", "vle_course_id", "description"]
    ordering_fields = ["id", "code", "vle_course_id", "start", "end", "created_at", "updated_at"]
    access = {"read": {GLOBAL_ADMIN, MEMBER}, "delete": {ADMIN, DATA}}
    # Others see the courses they teach or take: a filter on the annotations the selector
    # adds, not one field, so the selector applies it.
    sees_all = ALL_COURSES

    def get_queryset(self) -> QuerySet[Course]:
        if self.schema_only():
            return Course.objects.none()
        return selectors.courses_of_institution(
            institution=self.parents["institution"],
            person=institution_user_of(self.request),
            own_only=not self.holds_any(self.sees_all),
        )


# §5 Group courses ----------------------------------------------------------------------------


class InstitutionGroupCourseViewSet(TeslaModelViewSet):
    """The courses in a course group. Writes link courses of the institution to the group
    (POST/PUT `{id}`) or unlink them (DELETE); courses themselves are never changed."""

    parent_chain = GROUP_PARENTS
    serializer_class = s.InstitutionGroupCourseSerializer
    filterset_class = filters.CourseFilter
    ordering_fields = ["id", "code", "vle_course_id", "start", "end", "created_at", "updated_at"]
    access = {"read": {GLOBAL_ADMIN, MEMBER}, "write": {ADMIN}, "delete": {ADMIN}}

    def get_queryset(self) -> QuerySet[Course]:
        if self.schema_only():
            return Course.objects.none()
        return Course.objects.filter(groups=self.parents["group"])

    def perform_create(self, serializer):
        serializer.instance = courses.group_add_course(
            group=self.parents["group"], course_id=serializer.validated_data["id"]
        )

    def perform_update(self, serializer):
        if "id" in serializer.validated_data:
            serializer.instance = courses.group_relink_course(
                group=self.parents["group"],
                course=serializer.instance,
                course_id=serializer.validated_data["id"],
            )

    def perform_destroy(self, instance):
        courses.group_remove_course(group=self.parents["group"], course=instance)


# §8 Institution instruments and the admin catalogue ------------------------------------------


class InstitutionInstrumentViewSet(TeslaReadOnlyViewSet):
    """The enabled instruments, for any member of the institution."""

    parent_chain = INSTITUTION_PARENTS
    serializer_class = s.InstitutionInstrumentSerializer
    filterset_class = filters.InstrumentFilter
    search_fields = ["name", "acronym", "description"]
    ordering_fields = ["id", "acronym", "name", "created_at", "updated_at"]
    access = {"read": {GLOBAL_ADMIN, MEMBER}}

    def get_queryset(self) -> QuerySet[Instrument]:
        return Instrument.objects.filter(enabled=True).order_by("acronym", "id")


class AdminInstrumentViewSet(TeslaModelViewSet):
    """The instrument catalogue, managed by global admins."""

    serializer_class = s.AdminInstrumentSerializer
    filterset_class = filters.InstrumentFilter
    search_fields = ["name", "acronym", "queue", "description"]
    ordering_fields = ["id", "acronym", "name", "queue", "enabled", "created_at", "updated_at"]
    access = {"read": {GLOBAL_ADMIN}, "write": {GLOBAL_ADMIN}, "delete": {GLOBAL_ADMIN}}

    def get_queryset(self) -> QuerySet[Instrument]:
        return Instrument.objects.order_by("created_at", "id")

    def perform_create(self, serializer):
        serializer.instance = instruments.instrument_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = instruments.instrument_update(
            instrument=serializer.instance, **serializer.validated_data
        )


# §15, §16 Course instructors and learners ----------------------------------------------------


def _uid(serializer) -> str | None:
    return serializer.validated_data.get("institution_user", {}).get("uid")


# The course-people viewsets (of both trees) differ in their `role`; these are their queryset
# and writes.


def course_people(view):
    """The course's learners or instructors (`view.role`), with what their rows show."""
    if view.schema_only():
        return view.role.model._default_manager.none()
    return view.role.of_course(course=view.parents["course"])


def _enrol_by_uid(view, serializer):
    """POST `{uid}`: enrol the institution's learner or instructor with this uid."""
    serializer.instance = enrolments.course_enrol(
        course=view.parents["course"], role=view.role, uid=_uid(serializer)
    )


def _replace_by_uid(view, serializer):
    """PUT/PATCH `{uid}`: swap this person for the one with that uid (no uid: no change)."""
    if _uid(serializer) is not None:
        serializer.instance = enrolments.course_replace(
            course=view.parents["course"],
            role=view.role,
            holder=serializer.instance,
            uid=_uid(serializer),
        )


def _unenrol(view, instance):
    """DELETE: out of the course only; the person and the role stay."""
    enrolments.course_unenrol(course=view.parents["course"], role=view.role, holder=instance)


COURSE_PEOPLE_ACCESS = {
    "write": {ADMIN, COURSE_INSTRUCTOR},
    "delete": {ADMIN, COURSE_INSTRUCTOR},
}


class InstitutionCourseInstructorViewSet(TeslaModelViewSet):
    """The instructors of a course. POST `{uid}` enrols an instructor of the institution
    (again: no change), PUT/PATCH `{uid}` swaps this instructor for another, DELETE unenrols
    (the person stays)."""

    parent_chain = INSTITUTION_COURSE_PARENTS
    serializer_class = s.InstitutionCourseInstructorSerializer
    filterset_class = filters.CourseInstructorFilter
    filter_backends = PEOPLE_FILTERS
    search_fields = filters.PERSON_SEARCH_FIELDS
    ordering_fields = list(filters.PERSON_ORDERING)
    access = {
        "read": {GLOBAL_ADMIN, ADMIN, LEGAL, DATA, COURSE_INSTRUCTOR, COURSE_LEARNER},
        **COURSE_PEOPLE_ACCESS,
    }

    role = enrolments.INSTRUCTOR
    get_queryset = course_people
    perform_create = _enrol_by_uid
    perform_update = _replace_by_uid
    perform_destroy = _unenrol


class InstitutionCourseLearnerViewSet(CurrentConsentContext, TeslaModelViewSet):
    """The learners of a course. Admins, data admins, global admins and the course's
    instructors see all of them; a learner of the course sees only their own row. POST
    `{uid}` enrols a learner of the institution (again: no change), PUT/PATCH `{uid}` swaps
    this learner for another, DELETE unenrols (the learner and their data stay)."""

    parent_chain = INSTITUTION_COURSE_PARENTS
    serializer_class = s.InstitutionCourseLearnerSerializer
    filterset_class = filters.CourseLearnerFilter
    filter_backends = PEOPLE_FILTERS
    search_fields = filters.PERSON_SEARCH_FIELDS
    ordering_fields = list(filters.PERSON_ORDERING)
    access = {
        "read": {GLOBAL_ADMIN, ADMIN, DATA, COURSE_INSTRUCTOR, COURSE_LEARNER},
        **COURSE_PEOPLE_ACCESS,
    }

    own_field = "pk"
    sees_all = frozenset({GLOBAL_ADMIN, ADMIN, DATA, COURSE_INSTRUCTOR})

    def get_queryset(self):
        if self.schema_only():
            return Learner.objects.none()
        return selectors.course_learners(course=self.parents["course"])

    role = enrolments.LEARNER
    perform_create = _enrol_by_uid
    perform_update = _replace_by_uid
    perform_destroy = _unenrol


# §17 Course activities -----------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        description="Record an activity of the course before the VLE syncs it: it belongs to "
        "the course's VLE, whose activity type and id it needs (unique in that VLE). Only "
        "`enabled` and `conf` can be changed afterwards."
    ),
    update=extend_schema(description="Change `enabled` and/or `conf`; both are optional."),
)
class InstitutionCourseActivityViewSet(TeslaModelViewSet):
    """The activities of a course. Admins and the course's instructors switch TeSLA on or off
    for an activity (`enabled`) and set its `conf`; they may also record an activity before the
    VLE syncs it (POST with the VLE's activity type and id). The course's learners read."""

    parent_chain = INSTITUTION_COURSE_PARENTS
    serializer_class = s.InstitutionCourseActivitySerializer
    filterset_class = filters.ActivityFilter
    search_fields = ["name", "vle_activity_type", "vle_activity_id", "description"]
    ordering_fields = [
        "id",
        "name",
        "vle_activity_type",
        "vle_activity_id",
        "start",
        "end",
        "enabled",
        "created_at",
        "updated_at",
    ]
    access = {
        "read": {GLOBAL_ADMIN, ADMIN, COURSE_INSTRUCTOR, COURSE_LEARNER},
        "write": {ADMIN, COURSE_INSTRUCTOR},
        "delete": {ADMIN, COURSE_INSTRUCTOR},
    }

    def get_serializer_class(self):
        if self.action == "create":
            return s.InstitutionCourseActivityCreateSerializer
        return s.InstitutionCourseActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        if self.schema_only():
            return Activity.objects.none()
        return Activity.objects.filter(course=self.parents["course"])

    def perform_create(self, serializer):
        serializer.instance = activities.activity_create(
            course=self.parents["course"], taken_is_conflict=False, **serializer.validated_data
        )


# §18 Activity instruments --------------------------------------------------------------------


class InstitutionActivityInstrumentViewSet(TeslaModelViewSet):
    """The instruments configured on an activity, managed by admins and the course's
    instructors; the course's learners read them."""

    parent_chain = INSTITUTION_ACTIVITY_PARENTS
    serializer_class = s.InstitutionActivityInstrumentSerializer
    filterset_class = filters.ActivityInstrumentFilter
    search_fields = ["instrument__acronym", "instrument__name"]
    ordering_fields = ["id", "instrument_id", "active", "alternative_to", "created_at"]
    access = {
        "read": {GLOBAL_ADMIN, ADMIN, COURSE_INSTRUCTOR, COURSE_LEARNER},
        "write": {ADMIN, COURSE_INSTRUCTOR},
        "delete": {ADMIN, COURSE_INSTRUCTOR},
    }

    def get_queryset(self) -> QuerySet[ActivityInstrument]:
        if self.schema_only():
            return ActivityInstrument.objects.none()
        return ActivityInstrument.objects.filter(activity=self.parents["activity"]).select_related(
            "instrument"
        )

    def perform_create(self, serializer):
        serializer.instance = instruments.activity_instrument_create(
            activity=self.parents["activity"], **serializer.rule_values()
        )

    def perform_update(self, serializer):
        serializer.instance = instruments.activity_instrument_update(
            row=serializer.instance, **serializer.rule_values()
        )


# A user's current activities -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        description="Enabled activities, open now, of the courses the user teaches or takes; "
        "`user_instruments` are the instruments that watch the user there as a learner.",
        responses={200: s.InstitutionUserActivitySerializer(many=True), 403: OpenApiResponse()},
    )
)
class InstitutionUserActivitiesViewSet(mixins.ListModelMixin, TeslaViewSet):
    """A user's current activities, for the user themself and for admins, legal and data
    admins of the institution (and global admins)."""

    parent_chain = USER_PARENTS
    serializer_class = s.InstitutionUserActivitySerializer
    filterset_class = filters.ActivityFilter
    search_fields = ["name", "vle_activity_type", "vle_activity_id", "course__code"]
    ordering_fields = ["id", "name", "start", "end", "created_at"]
    access = {"read": {GLOBAL_ADMIN, ADMIN, LEGAL, DATA, SELF}}

    def get_queryset(self) -> QuerySet[Activity]:
        if self.schema_only():
            return Activity.objects.none()
        return selectors.user_current_activities(
            institution=self.parents["institution"], person=self.parents["user"]
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        person = self.parents["user"]
        for activity in page:
            # The nested course shows the user's roles in it (the subject's, not the caller's).
            activity.course.is_learner = activity.person_is_learner
            activity.course.is_instructor = activity.person_is_instructor
        context = self.get_serializer_context()
        context["user_instruments"] = selectors.learner_instruments_of_page(
            activities=page, learner=getattr(person, "learner", None)
        )
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)
