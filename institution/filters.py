"""Query filters of the institution API (anchor-core §8).

Text filters match case-insensitively on part of the value, so the dashboard's column filters
(`?username=ann`) find what a person types; ids (`uid` of learners and instructors,
`learner_id`) match exactly because the VLE plugins look people up by them. A value of the wrong
type (`?parent=abc`, an unknown role) is a 400 naming the parameter, never a silently ignored
filter.
"""

import django_filters
from django.db.models import Q

from institution.models import (
    CourseGroup,
    InformedConsent,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    SENDCategory,
    UIOption,
    User,
)
from tesla.permissions import ADMIN, DATA, GLOBAL_ADMIN, INSTRUCTOR, LEARNER, LEGAL, SEND

# Institution roles and the rows or flags they come from (InstitutionUser.roles).
ROLE_LOOKUPS = {
    ADMIN: Q(inst_admin=True),
    SEND: Q(send_admin=True),
    LEGAL: Q(legal_admin=True),
    DATA: Q(data_admin=True),
    INSTRUCTOR: Q(instructor__isnull=False),
    LEARNER: Q(learner__isnull=False),
}


def _any_role(prefix: str, roles, extra: dict | None = None) -> Q:
    """OR of the lookups of `roles`, for a queryset whose institution user is at `prefix`."""
    condition = Q()
    for role in roles:
        if extra and role in extra:
            condition |= extra[role]
            continue
        lookup = ROLE_LOOKUPS[role]
        condition |= Q(**{f"{prefix}{key}": value for key, value in lookup.children})
    return condition


class InstitutionFilter(django_filters.FilterSet):
    acronym = django_filters.CharFilter(lookup_expr="icontains")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Institution
        fields = ["acronym", "name"]


class CourseGroupFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    description = django_filters.CharFilter(lookup_expr="icontains")
    parent = django_filters.NumberFilter(
        method="filter_parent", help_text="Id of the parent group; -1 lists the root groups."
    )

    class Meta:
        model = CourseGroup
        fields = ["name", "description", "parent"]

    def filter_parent(self, queryset, name, value):
        if value == -1:
            return queryset.filter(parent__isnull=True)
        return queryset.filter(parent_id=value)


class InformedConsentFilter(django_filters.FilterSet):
    version = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = InformedConsent
        fields = ["version"]


class UIOptionFilter(django_filters.FilterSet):
    route = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = UIOption
        fields = ["route", "enabled"]


class InstitutionUserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(field_name="user__username", lookup_expr="icontains")
    first_name = django_filters.CharFilter(field_name="user__first_name", lookup_expr="icontains")
    last_name = django_filters.CharFilter(field_name="user__last_name", lookup_expr="icontains")
    email = django_filters.CharFilter(field_name="user__email", lookup_expr="icontains")
    uid = django_filters.CharFilter(lookup_expr="icontains")
    roles = django_filters.MultipleChoiceFilter(
        choices=[(role, role) for role in ROLE_LOOKUPS],
        method="filter_roles",
        help_text="Users having any of these roles.",
    )

    class Meta:
        model = InstitutionUser
        fields = ["username", "first_name", "last_name", "email", "uid", "roles"]

    def filter_roles(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(_any_role("", value)).distinct()


class _PersonFilter(django_filters.FilterSet):
    """People of the institution seen through their learner or instructor row."""

    uid = django_filters.CharFilter(field_name="institution_user__uid")
    username = django_filters.CharFilter(
        field_name="institution_user__user__username", lookup_expr="icontains"
    )
    email = django_filters.CharFilter(
        field_name="institution_user__user__email", lookup_expr="icontains"
    )
    first_name = django_filters.CharFilter(
        field_name="institution_user__user__first_name", lookup_expr="icontains"
    )
    last_name = django_filters.CharFilter(
        field_name="institution_user__user__last_name", lookup_expr="icontains"
    )


class InstructorFilter(_PersonFilter):
    class Meta:
        model = Instructor
        fields = ["uid", "username", "email", "first_name", "last_name"]


class LearnerFilter(_PersonFilter):
    learner_id = django_filters.UUIDFilter()

    class Meta:
        model = Learner
        fields = ["uid", "username", "email", "first_name", "last_name", "learner_id"]


class SENDCategoryFilter(django_filters.FilterSet):
    description = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = SENDCategory
        fields = ["description"]


class AdminUserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains")
    first_name = django_filters.CharFilter(lookup_expr="icontains")
    last_name = django_filters.CharFilter(lookup_expr="icontains")
    email = django_filters.CharFilter(lookup_expr="icontains")
    institution = django_filters.NumberFilter(
        method="filter_institution",
        help_text="Users of this institution; -1 lists users without institution.",
    )
    roles = django_filters.MultipleChoiceFilter(
        choices=[(role, role) for role in (GLOBAL_ADMIN, ADMIN, SEND, LEGAL, DATA)],
        method="filter_roles",
        help_text="Users having any of these roles.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "institution", "roles"]

    def filter_institution(self, queryset, name, value):
        if value == -1:
            return queryset.filter(institution_user__isnull=True)
        return queryset.filter(institution_user__institution_id=value)

    def filter_roles(self, queryset, name, value):
        if not value:
            return queryset
        condition = _any_role("institution_user__", value, extra={GLOBAL_ADMIN: Q(is_staff=True)})
        return queryset.filter(condition).distinct()
