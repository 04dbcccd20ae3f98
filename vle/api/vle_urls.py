"""Routes of the VLE tree: /api/v2/vle/ and everything nested below it that lives in the VLE
app, plus the key-addressed files of assessment sessions. The reports app nests its VLE views
(assessment, attachments, activity learners and their requests, reports) under the same
prefixes, with the same kwargs: vle_pk, course_pk, activity_pk."""

from django.urls import path
from rest_framework_nested.routers import NestedSimpleRouter

from tesla.routers import api_router
from vle.api import vle_views as views

api_router.register("vle", views.VLEViewSet, basename="vle")

vle_router = NestedSimpleRouter(api_router, "vle", lookup="vle")
vle_router.register("instrument", views.VLEInstrumentViewSet, basename="vle-instrument")
vle_router.register("launcher", views.VLELauncherViewSet, basename="vle-launcher")
vle_router.register("course", views.VLECourseViewSet, basename="vle-course")

course_router = NestedSimpleRouter(vle_router, "course", lookup="course")
course_router.register(
    "instructor", views.VLECourseInstructorViewSet, basename="vle-course-instructor"
)
course_router.register("learner", views.VLECourseLearnerViewSet, basename="vle-course-learner")
course_router.register("activity", views.VLECourseActivityViewSet, basename="vle-course-activity")

activity_router = NestedSimpleRouter(course_router, "activity", lookup="activity")
activity_router.register(
    "instrument",
    views.VLECourseActivityInstrumentViewSet,
    basename="vle-course-activity-instrument",
)

urlpatterns = [
    *vle_router.urls,
    *course_router.urls,
    *activity_router.urls,
    path(
        "vle/session/<uuid:access_key>/connector.js",
        views.assessment_session_connector,
        name="vle-session-connector",
    ),
    path(
        "vle/session/<uuid:access_key>/data.json",
        views.assessment_session_config,
        name="vle-session-config",
    ),
]
