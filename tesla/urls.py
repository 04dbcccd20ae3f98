"""Root URLs: a landing page at /, the API under /api/v2/, its schema and docs, the admin site
and /health.

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
from reports.api.delayed_views import WebhookView
from tesla.api.views import HealthView
from tesla.downloads import signed_file_view, signed_upload_view
from tesla.routers import api_router
from tesla.views import home
from vle.api import urls as vle_urls
from vle.api import vle_urls as vle_tree_urls
from vle.content.api import urls as content_urls

api_patterns = [
    path("auth/", include("tesla.api.urls")),
    *api_router.urls,
    *institution_urls.urlpatterns,
    *vle_urls.urlpatterns,
    *vle_tree_urls.urlpatterns,
    *reports_urls.urlpatterns,
    *reports_vle_urls.urlpatterns,
    *content_urls.urlpatterns,
    path("files/<str:token>/<str:filename>", signed_file_view, name="signed-file"),
    path("files/upload", signed_upload_view, name="signed-upload"),
]

urlpatterns = [
    path("", home, name="home"),
    path("api/v2/", include(api_patterns)),
    path("lapi/v1/", include(lapi_urls.urlpatterns)),
    # Providers' external services post delayed results here (signed, no token).
    path("api/webhooks/", WebhookView.as_view(), name="webhooks"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("content/", include("vle.content.player_urls")),
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),
    path("health", HealthView.as_view(), name="health"),
]

# Unknown API paths and crashes answer JSON; a lost database answers 503 (tesla.middleware).
handler404 = "tesla.api.views.not_found"
handler500 = "tesla.api.views.server_error"
