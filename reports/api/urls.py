"""Routes of the reports app under /api/v2/: reports in the institution and VLE trees, the
provider tree, global-admin providers, and the learner enrolment status."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from reports.api import delayed_views, views
from tesla.routers import nested

router = SimpleRouter()
router.register(
    nested("institution", "course", "activity", leaf="report"),
    views.InstitutionCourseActivityReportViewSet,
    basename="institution-report",
)
router.register(
    nested("institution", "course", "activity", "report", leaf="request"),
    views.InstitutionCourseActivityReportRequestViewSet,
    basename="institution-report-request",
)
router.register(
    nested("institution", "course", "activity", "report", leaf="audit"),
    views.InstitutionCourseActivityReportAuditViewSet,
    basename="institution-report-audit",
)
router.register(
    nested("vle", "course", "activity", leaf="report"),
    views.VLECourseActivityReportViewSet,
    basename="vle-report",
)
router.register("provider", views.ProviderViewSet, basename="provider")
router.register(
    nested("provider", leaf="request"), views.ProviderRequestViewSet, basename="provider-request"
)
router.register(
    nested("provider", leaf="enrolment"),
    views.ProviderEnrolmentViewSet,
    basename="provider-enrolment",
)
PROVIDER_LEARNER = rf"provider/(?P<provider_pk>[0-9]+)/enrolment/(?P<learner_id>{views.UUID_REGEX})"
router.register(
    f"{PROVIDER_LEARNER}/available_samples",
    views.ProviderAvailableSampleViewSet,
    basename="provider-available-sample",
)
router.register(
    f"{PROVIDER_LEARNER}/used_samples",
    views.ProviderUsedSampleViewSet,
    basename="provider-used-sample",
)
router.register(
    f"{PROVIDER_LEARNER}/sample", views.ProviderSampleViewSet, basename="provider-sample"
)
router.register(
    rf"{PROVIDER_LEARNER}/sample/(?P<sample_pk>[0-9]+)/validation",
    views.ProviderSampleValidationViewSet,
    basename="provider-sample-validation",
)
router.register(
    nested("provider", leaf="notification"),
    delayed_views.ProviderNotificationViewSet,
    basename="provider-notification",
)
router.register(
    "admin/" + nested("instrument", leaf="provider"),
    views.AdminInstrumentProviderViewSet,
    basename="admin-instrument-provider",
)

learner_enrolment = views.InstitutionLearnerEnrolmentViewSet.as_view(
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
