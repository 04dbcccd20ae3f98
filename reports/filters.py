"""List filters of the reports app (anchor-core §8).

Reports: the learner's names and e-mail (exact, as the dashboard's column filters send them),
each level exactly or with `__gte`/`__lte`, and `level`/`level__gte`/`level__lte` matching when
ANY of the three levels does (so `level__gte=3` lists every report with a Warning or Alert)."""

import django_filters
from django.db.models import Q

from reports.models import AlertLevel, ReportActivity, Request, RequestProviderResult, ResultStatus

LEARNER_USER = "learner__institution_user__user__"
LEVEL_FIELDS = ("identity_level", "content_level", "integrity_level")


class LevelFilter(django_filters.TypedChoiceFilter):
    """One level value (0-4); a value outside the scale is a 400 naming the parameter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=AlertLevel.choices, coerce=int, **kwargs)


class AnyLevelFilter(LevelFilter):
    """Matches a report when any of its three levels satisfies the lookup."""

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        condition = Q()
        for name in LEVEL_FIELDS:
            condition |= Q(**{f"{name}__{self.lookup_expr}": value})
        return qs.filter(condition)


class ReportFilter(django_filters.FilterSet):
    learner__first_name = django_filters.CharFilter(field_name=f"{LEARNER_USER}first_name")
    learner__last_name = django_filters.CharFilter(field_name=f"{LEARNER_USER}last_name")
    learner__email = django_filters.CharFilter(field_name=f"{LEARNER_USER}email")
    learner__uid = django_filters.CharFilter(field_name="learner__institution_user__uid")
    learner_id = django_filters.UUIDFilter(field_name="learner__learner_id")
    identity_level = LevelFilter()
    identity_level__gte = LevelFilter(field_name="identity_level", lookup_expr="gte")
    identity_level__lte = LevelFilter(field_name="identity_level", lookup_expr="lte")
    content_level = LevelFilter()
    content_level__gte = LevelFilter(field_name="content_level", lookup_expr="gte")
    content_level__lte = LevelFilter(field_name="content_level", lookup_expr="lte")
    integrity_level = LevelFilter()
    integrity_level__gte = LevelFilter(field_name="integrity_level", lookup_expr="gte")
    integrity_level__lte = LevelFilter(field_name="integrity_level", lookup_expr="lte")
    # field_name only documents the type; the filter looks at all three levels.
    level = AnyLevelFilter(field_name="identity_level", lookup_expr="exact")
    level__gte = AnyLevelFilter(field_name="identity_level", lookup_expr="gte")
    level__lte = AnyLevelFilter(field_name="identity_level", lookup_expr="lte")

    class Meta:
        model = ReportActivity
        fields = []


class ReportRequestFilter(django_filters.FilterSet):
    """A learner's requests: by instrument (`instruments=<id>`), status and session."""

    instruments = django_filters.NumberFilter(field_name="instruments")
    status = django_filters.NumberFilter()
    session = django_filters.NumberFilter(field_name="session_id")

    class Meta:
        model = Request
        fields = []


class ProviderRequestFilter(django_filters.FilterSet):
    """A provider's requests: unfinished ones by default; `status` picks one status instead."""

    status = django_filters.TypedChoiceFilter(choices=ResultStatus.choices, coerce=int)

    class Meta:
        model = RequestProviderResult
        fields = []
