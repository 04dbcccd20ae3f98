"""Routes of the institution API.

`institution` is registered on the root router (basename "institution") so that other apps
can nest their resources below it (`NestedSimpleRouter(api_router, "institution",
lookup="institution")` gives them `institution_pk`); the rest of the institution tree is nested
here and exposed as `urlpatterns`."""

from rest_framework_nested.routers import NestedSimpleRouter

from institution.api import views
from tesla.routers import api_router

api_router.register("institution", views.InstitutionViewSet, basename="institution")

institution_router = NestedSimpleRouter(api_router, "institution", lookup="institution")
institution_router.register("group", views.InstitutionCourseGroupViewSet, basename="institution-group")

urlpatterns = [*institution_router.urls]
