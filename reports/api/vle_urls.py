"""Routes of the reports app inside the VLE tree (/api/v2/vle/{v}/...): assessment sessions,
attachments, the learners of an activity and their verification requests, activity reports.
The kwargs are the VLE tree's: vle_pk, course_pk, activity_pk, learner_pk (learner_id, a
UUID, for attachments)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from reports.api import vle_views as views
from tesla.routers import nested

UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

router = SimpleRouter()
router.register(
    nested("vle", leaf="assessment"), views.VLEAssessmentViewSet, basename="vle-assessment"
)
router.register(
    nested("vle", "course", "activity", leaf="learner"),
    views.VLEActivityLearnerViewSet,
    basename="vle-activity-learner",
)
router.register(
    nested("vle", "course", "activity", "learner", leaf="request"),
    views.VLELearnerRequestViewSet,
    basename="vle-activity-learner-request",
)
router.register(
    nested("vle", "course", "activity", leaf="report"),
    views.VLECourseActivityReportViewSet,
    basename="vle-report",
)

urlpatterns = [
    *router.urls,
    re_path(
        rf"^{nested('vle', 'course', 'activity', leaf='attachment')}/(?P<learner_id>{UUID})/$",
        views.VLEAttachmentViewSet.as_view({"get": "retrieve", "post": "create"}),
        name="vle-activity-attachment",
    ),
]
