"""The root API router and helpers for nesting.

Each app's `api/urls.py` registers its top-level resources on `api_router` and nests the rest
below them: with drf-nested-routers where the parent is registered in the same module, or with
`nested()` prefixes where the parent lives in another app. Either way the URL kwargs are
`<parent>_pk` (institution_pk, vle_pk, course_pk, activity_pk, report_pk, learner_pk, ...).
Real clients call paths with and without the trailing slash; TolerantPathMiddleware serves
both, so routes are registered with the slash only (and the schema shows them as specified).
"""

from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import APIRootView, DefaultRouter


class TeslaAPIRootView(APIRootView):
    """The browsable API's root, for any authenticated caller (it only lists links)."""

    permission_classes = [IsAuthenticated]


class APIRouter(DefaultRouter):
    """DefaultRouter (with the browsable API root at /api/v2/) without format-suffix routes."""

    include_format_suffixes = False
    APIRootView = TeslaAPIRootView


api_router = APIRouter()

INT = "[0-9]+"


def nested(*parents: str, leaf: str) -> str:
    """`nested("vle", "course", leaf="activity")` ->
    `vle/(?P<vle_pk>[0-9]+)/course/(?P<course_pk>[0-9]+)/activity`, for router.register()."""
    return "/".join(f"{name}/(?P<{name}_pk>{INT})" for name in parents) + f"/{leaf}"
