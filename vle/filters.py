"""Exact-match list filters of the VLE app (anchor-core §8): on the institution side the
dashboard sends one `<column>=<text>` per filled-in column header; in the VLE tree the plugins
look objects up by their VLE ids."""

import django_filters

from institution.models import Instructor, Learner
from tesla.filters import OrderingFilter
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument


class VLEFilter(django_filters.FilterSet):
    class Meta:
        model = VLE
        fields = ["name", "type", "url", "client_id"]


class CourseFilter(django_filters.FilterSet):
    vle_id = django_filters.NumberFilter(field_name="vle_id")

    class Meta:
        model = Course
        fields = ["vle_id", "vle_course_id", "code", "description", "start", "end"]


class InstrumentFilter(django_filters.FilterSet):
    class Meta:
        model = Instrument
        fields = [
            "name",
            "acronym",
            "queue",
            "enabled",
            "requires_enrolment",
            "identity",
            "originality",
            "authorship",
            "integrity",
        ]


class CourseInstructorFilter(django_filters.FilterSet):
    uid = django_filters.CharFilter(field_name="institution_user__uid")
    email = django_filters.CharFilter(field_name="institution_user__user__email")
    first_name = django_filters.CharFilter(field_name="institution_user__user__first_name")
    last_name = django_filters.CharFilter(field_name="institution_user__user__last_name")

    class Meta:
        model = Instructor
        fields = ["uid", "email", "first_name", "last_name"]


class CourseLearnerFilter(CourseInstructorFilter):
    learner_id = django_filters.UUIDFilter(field_name="learner_id")

    class Meta:
        model = Learner
        fields = ["uid", "email", "first_name", "last_name", "learner_id"]


class VLECourseLearnerFilter(CourseLearnerFilter):
    """Course learners as VLEs look them up; the Python SDK's find_by_mail and
    find_by_lerner_id send `mail` and `lerner_id`."""

    mail = django_filters.CharFilter(field_name="institution_user__user__email")
    lerner_id = django_filters.UUIDFilter(field_name="learner_id")

    class Meta(CourseLearnerFilter.Meta):
        fields = [*CourseLearnerFilter.Meta.fields, "mail", "lerner_id"]


class ActivityFilter(django_filters.FilterSet):
    class Meta:
        model = Activity
        fields = ["vle_activity_type", "vle_activity_id", "name", "enabled"]


class VLECourseActivityInstrumentFilter(django_filters.FilterSet):
    """An activity's instruments by instrument and state (both trees)."""

    instrument_id = django_filters.NumberFilter(field_name="instrument_id")

    class Meta:
        model = ActivityInstrument
        fields = ["instrument_id", "active"]


class ActivityInstrumentFilter(VLECourseActivityInstrumentFilter):
    """The institution side also finds the alternatives of a primary row."""

    alternative_to = django_filters.NumberFilter(field_name="alternative_to_id")

    class Meta(VLECourseActivityInstrumentFilter.Meta):
        fields = [*VLECourseActivityInstrumentFilter.Meta.fields, "alternative_to"]


PERSON_SEARCH_FIELDS = [
    "institution_user__uid",
    "institution_user__user__email",
    "institution_user__user__first_name",
    "institution_user__user__last_name",
]
# API field name -> the row it lives on, for `?ordering=` on instructor and learner lists.
PERSON_ORDERING = {
    "id": "pk",
    "uid": "institution_user__uid",
    "username": "institution_user__user__username",
    "email": "institution_user__user__email",
    "first_name": "institution_user__user__first_name",
    "last_name": "institution_user__user__last_name",
}


class PersonOrderingFilter(OrderingFilter):
    """Orders instructor and learner lists by the API's names (uid, email, ...), which live on
    the institution user and user rows; unknown names are ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        terms = []
        for term in fields:
            name = term.lstrip("-")
            if name in PERSON_ORDERING:
                terms.append(("-" if term.startswith("-") else "") + PERSON_ORDERING[name])
        return terms


# The VLE tree (exact matches, anchor-core §8; the plugins look objects up by their VLE ids) ---


class VLECourseFilter(django_filters.FilterSet):
    vle = django_filters.NumberFilter(field_name="vle_id")

    class Meta:
        model = Course
        fields = ["code", "vle_course_id", "description", "vle"]


class VLECourseActivityFilter(django_filters.FilterSet):
    vle_id = django_filters.NumberFilter(field_name="vle_id")
    course_id = django_filters.NumberFilter(field_name="course_id")

    class Meta:
        model = Activity
        fields = ["vle_id", "vle_activity_type", "vle_activity_id", "course_id", "name"]
