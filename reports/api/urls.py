"""Routes of the reports app under /api/v2/: reports in the institution tree
(`institution_views`), the provider tree (`provider_views`, `delayed_views`), global-admin
providers (`admin_views`), and the learner enrolment status. The VLE tree's routes are in
`vle_urls`, the learner API's in `lapi_urls`."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from reports.api import admin_views, delayed_views, institution_views, provider_views
from reports.api.common import UUID_REGEX
from tesla.routers import nested

router = SimpleRouter()
router.register(
    nested("institution", "course", "activity", leaf="report"),
    institution_views.InstitutionCourseActivityReportViewSet,
    basename="institution-report",
)
router.register(
    nested("institution", "course", "activity", "report", leaf="request"),
    institution_views.InstitutionCourseActivityReportRequestViewSet,
    basename="institution-report-request",
)
router.register(
    nested("institution", "course", "activity", "report", leaf="audit"),
    institution_views.InstitutionCourseActivityReportAuditViewSet,
    basename="institution-report-audit",
)
router.register("provider", provider_views.ProviderViewSet, basename="provider")
router.register(
    nested("provider", leaf="request"),
    provider_views.ProviderRequestViewSet,
    basename="provider-request",
)
router.register(
    nested("provider", leaf="enrolment"),
    provider_views.ProviderEnrolmentViewSet,
    basename="provider-enrolment",
)
PROVIDER_LEARNER = rf"provider/(?P<provider_pk>[0-9]+)/enrolment/(?P<learner_id>{UUID_REGEX})"
router.register(
    f"{PROVIDER_LEARNER}/available_samples",
    provider_views.ProviderAvailableSampleViewSet,
    basename="provider-available-sample",
)
router.register(
    f"{PROVIDER_LEARNER}/used_samples",
    provider_views.ProviderUsedSampleViewSet,
    basename="provider-used-sample",
)
router.register(
    f"{PROVIDER_LEARNER}/sample", provider_views.ProviderSampleViewSet, basename="provider-sample"
)
router.register(
    rf"{PROVIDER_LEARNER}/sample/(?P<sample_pk>[0-9]+)/validation",
    provider_views.ProviderSampleValidationViewSet,
    basename="provider-sample-validation",
)
router.register(
    nested("provider", leaf="notification"),
    delayed_views.ProviderNotificationViewSet,
    basename="provider-notification",
)
router.register(
    "admin/" + nested("instrument", leaf="provider"),
    admin_views.AdminInstrumentProviderViewSet,
    basename="admin-instrument-provider",
)

learner_enrolment = institution_views.InstitutionLearnerEnrolmentViewSet.as_view(
    {"get": "enrolment", "delete": "prune"}
)

urlpatterns = [
    re_path(
        r"^institution/(?P<institution_pk>[0-9]+)/learner/(?P<learner_pk>[0-9]+)/enrolment/$",
        learner_enrolment,
        name="institution-learner-enrolment",
    ),
    *router.urls,
]
