"""The VLE tree, /api/v2/vle/{v}/...: what a VLE (with its approle token) reads and writes.

Only VLE tokens may use it (users, providers and learners get 403). The VLE in the URL is
resolved among the caller's own VLE only, and every nested queryset is filtered by every URL
parent, so another VLE's courses, activities, people and sessions are a 404.

`VLE_PARENTS`, `COURSE_PARENTS` and `ACTIVITY_PARENTS` (`vle.parents`) are the parent chains
of this tree; the VLE views of the reports app (assessment, attachments, activity learners and
their requests, reports) nest under them too.
"""

import json
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from institution.api.views import CurrentConsentContext
from tesla.compiled_lists import CompiledFirstPage
from tesla.permissions import VLE as VLE_ROLE
from tesla.viewsets import TeslaModelViewSet, TeslaReadOnlyViewSet, TeslaViewSet
from vle import filters as vle_filters
from vle.api import vle_serializers as s
from vle.api.views import course_people
from vle.models import Activity, ActivityInstrument, Course, Instrument, Launcher
from vle.parents import (
    ACTIVITY_PARENTS,
    COURSE_LEARNER_PARENTS,
    COURSE_PARENTS,
    VLE_PARENTS,
    vles_of_caller,
    with_enabled_flag,
)
from vle.services import activities, courses, enrolments, instruments, people
from vle.services import assessment as sessions
from vle.services.launchers import launcher_create, launcher_url

VLE_ONLY = frozenset({VLE_ROLE})


class ForVLE:
    """Mixed into every viewset of the VLE tree: VLE tokens only, for every action."""

    allowed_kinds = frozenset({"vle"})
    access = {"read": VLE_ONLY, "write": VLE_ONLY, "delete": VLE_ONLY}


# §1 VLE, its instruments and launchers -------------------------------------------------------


class VLEViewSet(ForVLE, TeslaReadOnlyViewSet):
    """The calling VLE: its list is a page holding only itself."""

    serializer_class = s.VLESerializer
    search_fields = ["name", "url"]

    def get_queryset(self):
        return vles_of_caller(self.request)


class VLEInstrumentViewSet(ForVLE, TeslaReadOnlyViewSet):
    """The instruments switched on in this server (the catalogue is global)."""

    parent_chain = VLE_PARENTS
    serializer_class = s.VLEInstrumentSerializer
    search_fields = ["acronym", "name"]

    def get_queryset(self):
        return Instrument.objects.filter(enabled=True)


class VLELauncherViewSet(ForVLE, TeslaViewSet):
    """Login links for the VLE's users (the Moodle plugin's "My TeSLA")."""

    parent_chain = VLE_PARENTS
    serializer_class = s.VLELauncherRequestSerializer

    @extend_schema(
        request=s.VLELauncherRequestSerializer,
        responses={200: s.VLELauncherSerializer, 404: OpenApiResponse(description="Unknown user")},
        summary="Create a launcher (a single-use dashboard login link) for a user.",
    )
    def create(self, request, *args, **kwargs):
        body = s.VLELauncherRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        launcher = launcher_create(
            vle=self.parents["vle"],
            vle_user_uid=values["vle_user_uid"],
            target=Launcher.Target[values.get("target") or "DASHBOARD"],
            target_url=values.get("target_url") or None,
            ttl=values.get("ttl") or 120,
            session_id=values.get("session_id"),
        )
        # 200, not 201: the plugins' original server answered 200 (the spec says 201).
        return Response(
            {"id": launcher.pk, "token": str(launcher.token), "url": launcher_url(launcher)},
            status=status.HTTP_200_OK,
        )


# §2 Courses ----------------------------------------------------------------------------------


class VLECourseViewSet(ForVLE, CompiledFirstPage, TeslaModelViewSet):
    """The VLE's courses. A `vle_course_id` is unique within the VLE (409)."""

    parent_chain = VLE_PARENTS
    serializer_class = s.VLECourseSerializer
    filterset_class = vle_filters.VLECourseFilter
    search_fields = ["vle_course_id", "description", "code"]

    def get_queryset(self):
        if self.schema_only():
            return Course.objects.none()
        return with_enabled_flag(Course.objects.filter(vle=self.parents["vle"]))

    def perform_create(self, serializer):
        serializer.instance = courses.course_create(
            vle=self.parents["vle"], **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = courses.course_update(
            course=serializer.instance, **serializer.validated_data
        )


# §4, §5 Course instructors and learners (TBD in the spec; anchor-core §4.2, §4.3) -------------
# The two viewsets differ only in their `role`; these are their writes.


def _enrol_by_uid(view, serializer):
    """POST: the VLE's idempotent enrol by uid, creating the person when unknown."""
    serializer.instance = enrolments.course_enrol(
        course=view.parents["course"],
        role=view.role,
        vle=view.parents["vle"],
        **serializer.person_values(),
    )


def _change_person(view, serializer):
    """PUT/PATCH: the details the VLE knows of a person it created."""
    people.vle_person_update(
        vle=view.parents["vle"],
        member=serializer.instance.institution_user,
        **serializer.person_values(),
    )


def _unenrol(view, instance):
    """DELETE: out of the course only; the person and the role stay."""
    enrolments.course_unenrol(course=view.parents["course"], role=view.role, holder=instance)


class VLECourseInstructorViewSet(ForVLE, TeslaModelViewSet):
    """Instructors of the course. POST enrols by uid (idempotent; the person is created when
    unknown, as the institution allows); DELETE only unenrols."""

    parent_chain = COURSE_PARENTS
    serializer_class = s.VLECourseInstructorSerializer
    filterset_class = vle_filters.CourseInstructorFilter
    search_fields = vle_filters.PERSON_SEARCH_FIELDS

    role = enrolments.INSTRUCTOR
    get_queryset = course_people
    perform_create = _enrol_by_uid
    perform_update = _change_person
    perform_destroy = _unenrol


class VLECourseLearnerViewSet(CurrentConsentContext, ForVLE, TeslaModelViewSet):
    """Learners of the course, with their `learner_id` and `ic_status`. POST enrols by uid
    (idempotent; the learner is created when unknown, as the institution allows); DELETE
    only unenrols."""

    parent_chain = COURSE_LEARNER_PARENTS
    serializer_class = s.VLECourseLearnerSerializer
    filterset_class = vle_filters.VLECourseLearnerFilter
    search_fields = vle_filters.PERSON_SEARCH_FIELDS

    role = enrolments.LEARNER
    get_queryset = course_people
    perform_create = _enrol_by_uid
    perform_update = _change_person
    perform_destroy = _unenrol


# §6 Activities -------------------------------------------------------------------------------


class VLECourseActivityViewSet(ForVLE, CompiledFirstPage, TeslaModelViewSet):
    """Activities of the course; (`vle_activity_type`, `vle_activity_id`) is unique within
    the VLE (409)."""

    parent_chain = COURSE_PARENTS
    serializer_class = s.VLECourseActivitySerializer
    filterset_class = vle_filters.VLECourseActivityFilter
    search_fields = ["vle_activity_type", "vle_activity_id", "name"]

    def get_queryset(self):
        if self.schema_only():
            return Activity.objects.none()
        return Activity.objects.filter(vle=self.parents["vle"], course=self.parents["course"])

    def perform_create(self, serializer):
        serializer.instance = activities.activity_create(
            course=self.parents["course"], taken_is_conflict=True, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = activities.activity_update(
            activity=serializer.instance, **serializer.validated_data
        )


# §8 Activity instruments ---------------------------------------------------------------------


@contextmanager
def _instrument_named_as_in_the_body():
    """The activity-instrument rules name the instrument `instrument_id` (the institution
    API's field); this API's body calls it `instrument`, and so do its errors."""
    try:
        yield
    except DjangoValidationError as error:
        fields = getattr(error, "error_dict", {})
        if "instrument_id" not in fields:
            raise
        renamed = {
            ("instrument" if key == "instrument_id" else key): value
            for key, value in fields.items()
        }
        raise DjangoValidationError(renamed) from error


class VLECourseActivityInstrumentViewSet(ForVLE, TeslaModelViewSet):
    """Instruments configured on the activity, with the institution side's rules: one row
    per instrument, alternatives replace a primary row of the same activity, options satisfy
    the instrument's schema."""

    parent_chain = ACTIVITY_PARENTS
    serializer_class = s.VLECourseActivityInstrumentSerializer
    filterset_class = vle_filters.VLECourseActivityInstrumentFilter
    search_fields = ["instrument__acronym", "instrument__name"]

    def get_queryset(self):
        if self.schema_only():
            return ActivityInstrument.objects.none()
        return ActivityInstrument.objects.filter(activity=self.parents["activity"])

    def perform_create(self, serializer):
        with _instrument_named_as_in_the_body():
            serializer.instance = instruments.activity_instrument_create(
                activity=self.parents["activity"], **serializer.rule_values()
            )

    def perform_update(self, serializer):
        with _instrument_named_as_in_the_body():
            serializer.instance = instruments.activity_instrument_update(
                row=serializer.instance, **serializer.rule_values()
            )


# The browser plugin's files for an assessment session (no token: a <script src> sends none) --


def _script_json(value) -> str:
    """JSON safe to embed in a script: no `</script>`, no HTML-significant characters."""
    text = json.dumps(value)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _public(response: HttpResponse) -> HttpResponse:
    # Loaded by the learner's browser from the VLE's pages (another origin); the URL's key is
    # the only credential, and it must not be cached past the session.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


@transaction.non_atomic_requests
@require_GET
def assessment_session_connector(request, access_key):
    """The connector script of an open session: it loads the browser plugin into the page
    when TeSLA watches the activity."""
    session = sessions.assessment_session_open_by_key(access_key=access_key)
    if session is None:
        return _public(HttpResponseNotFound("/* unknown or closed session */"))
    base = sessions.web_plugin_base_url()
    loader = {
        "session_id": session.pk,
        "data_url": request.build_absolute_uri(
            reverse("vle-session-config", kwargs={"access_key": session.access_key})
        ),
        "modules": [f"{base}web-plugin.js"],
        "css": [f"{base}styles.css"],
        "active": sessions.assessment_connector_active(session),
    }
    body = render_to_string(
        "vle/connector.js",
        {"session_id": session.pk, "loader_json": mark_safe(_script_json(loader))},
    )
    return _public(HttpResponse(body, content_type="application/javascript; charset=utf-8"))


@transaction.non_atomic_requests
@require_GET
def assessment_session_config(request, access_key):
    """The browser plugin's configuration of an open session (the original's data.json)."""
    session = sessions.assessment_session_open_by_key(access_key=access_key)
    if session is None:
        return _public(
            HttpResponseNotFound('{"detail": "Not found."}', content_type="application/json")
        )
    return _public(
        HttpResponse(json.dumps(session.plugin_config or {}), content_type="application/json")
    )
