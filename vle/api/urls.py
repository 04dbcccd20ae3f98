"""Routes of the VLE app in the institution tree and the global-admin instrument catalogue.

The institution itself is registered by the institution app; these resources hang below it
with `nested()` prefixes, so URL kwargs are institution_pk, course_pk, activity_pk, group_pk
and user_pk. (The VLE tree, /api/v2/vle/..., is in `vle_urls.py`.)
"""

from rest_framework.routers import SimpleRouter

from tesla.routers import api_router, nested
from vle.api import views

api_router.register("admin/instrument", views.AdminInstrumentViewSet, basename="admin-instrument")

router = SimpleRouter()
router.register(
    nested("institution", leaf="vle"), views.InstitutionVLEViewSet, basename="institution-vle"
)
router.register(
    nested("institution", leaf="course"),
    views.InstitutionCourseViewSet,
    basename="institution-course",
)
router.register(
    nested("institution", leaf="instrument"),
    views.InstitutionInstrumentViewSet,
    basename="institution-instrument",
)
router.register(
    nested("institution", "group", leaf="course"),
    views.InstitutionGroupCourseViewSet,
    basename="institution-group-course",
)
router.register(
    nested("institution", "course", leaf="instructor"),
    views.InstitutionCourseInstructorViewSet,
    basename="institution-course-instructor",
)
router.register(
    nested("institution", "course", leaf="learner"),
    views.InstitutionCourseLearnerViewSet,
    basename="institution-course-learner",
)
router.register(
    nested("institution", "course", leaf="activity"),
    views.InstitutionCourseActivityViewSet,
    basename="institution-course-activity",
)
router.register(
    nested("institution", "course", "activity", leaf="instrument"),
    views.InstitutionActivityInstrumentViewSet,
    basename="institution-course-activity-instrument",
)
router.register(
    nested("institution", "user", leaf="activities"),
    views.InstitutionUserActivitiesViewSet,
    basename="institution-user-activities",
)

urlpatterns = router.urls
