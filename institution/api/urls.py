"""Routes of the institution API.

`institution` is registered on the root router (basename "institution") so that other apps
can nest their resources below it (`NestedSimpleRouter(api_router, "institution",
lookup="institution")` gives them `institution_pk`); the rest of the institution tree is nested
here and exposed as `urlpatterns`."""

from rest_framework_nested.routers import NestedSimpleRouter

from institution.api import views
from tesla.routers import api_router

api_router.register("institution", views.InstitutionViewSet, basename="institution")
api_router.register(
    "admin/institution", views.AdminInstitutionViewSet, basename="admin-institution"
)
api_router.register("admin/user", views.AdminUserViewSet, basename="admin-user")
api_router.register("admin/ui", views.AdminUIOptionViewSet, basename="admin-ui")

institution_router = NestedSimpleRouter(api_router, "institution", lookup="institution")
for prefix, viewset in (
    ("group", views.InstitutionCourseGroupViewSet),
    ("ic", views.InstitutionInformedConsentViewSet),
    ("ui", views.InstitutionUIOptionViewSet),
    ("user", views.InstitutionUserViewSet),
    ("instructor", views.InstitutionInstructorViewSet),
    ("learner", views.InstitutionLearnerViewSet),
    ("send", views.InstitutionSENDCategoryViewSet),
):
    institution_router.register(prefix, viewset, basename=f"institution-{prefix}")

ic_router = NestedSimpleRouter(institution_router, "ic", lookup="ic")
ic_router.register(
    "document", views.InstitutionInformedConsentDocumentViewSet, basename="institution-ic-document"
)

learner_router = NestedSimpleRouter(institution_router, "learner", lookup="learner")
learner_router.register(
    "send", views.InstitutionSENDLearnerViewSet, basename="institution-learner-send"
)

urlpatterns = [*institution_router.urls, *ic_router.urls, *learner_router.urls]
