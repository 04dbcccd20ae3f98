"""The landing page at `/`: what this server is and where to go next."""

from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


def server_version() -> str:
    """The installed version of this server (from the package metadata)."""
    try:
        return version("tesla-server")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


@require_safe
def home(request):
    """A small page for people who open the server in a browser: no login needed, no data
    shown, just the links (API root, docs, admin site, health) and the version."""
    return render(
        request,
        "tesla/home.html",
        {
            "version": server_version(),
            "api_title": settings.SPECTACULAR_SETTINGS["TITLE"],
            "dashboard_url": settings.DASHBOARD_URL,
        },
    )
