"""Root URLs: the API under /api/v2/, its schema and docs, the admin site and /health.

Stored files (verification payloads, informed-consent PDFs) are never served from MEDIA_URL,
not even with DEBUG on: they are personal data, downloaded through authenticated API
endpoints (`.../document/{language}/pdf/`, `.../request/{id}/data/`) or through the signed,
expiring links those endpoints hand out (`/api/v2/files/<token>/<filename>`)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from institution.api import urls as institution_urls
from reports.api import lapi_urls
from reports.api import urls as reports_urls
from reports.api import vle_urls as reports_vle_urls
from tesla.api.views import HealthView
from tesla.downloads import signed_file_view
from tesla.routers import api_router
from vle.api import urls as vle_urls
from vle.api import vle_urls as vle_tree_urls

api_patterns = [
    path("auth/", include("tesla.api.urls")),
    *api_router.urls,
    *institution_urls.urlpatterns,
    *vle_urls.urlpatterns,
    *vle_tree_urls.urlpatterns,
    *reports_urls.urlpatterns,
    *reports_vle_urls.urlpatterns,
    path("files/<str:token>/<str:filename>", signed_file_view, name="signed-file"),
]

urlpatterns = [
    path("api/v2/", include(api_patterns)),
    path("lapi/v1/", include(lapi_urls.urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("health", HealthView.as_view(), name="health"),
]

# Unknown API paths and crashes answer JSON; a lost database answers 503 (tesla.middleware).
handler404 = "tesla.api.views.not_found"
handler500 = "tesla.api.views.server_error"
