"""Routes of the preview player and its xAPI endpoint, under /content/ (outside the API: their
callers are course content in a browser, authenticated by the tokens in these URLs)."""

from django.urls import path

from vle.content import player

urlpatterns = [
    path("preview/<str:token>/", player.player_view, name="content-preview-player"),
    path("preview/<str:token>/files/<path:path>", player.file_view, name="content-preview-files"),
    path("preview/<str:token>/runtime", player.runtime_view, name="content-preview-runtime"),
    path("preview/<str:token>/fetch", player.fetch_view, name="content-preview-fetch"),
    path("xapi/", player.xapi_root_view, name="content-xapi-root"),
    path("xapi/about", player.xapi_about_view, name="content-xapi-about"),
    path("xapi/statements", player.xapi_statements_view, name="content-xapi-statements"),
    path("xapi/activities/state", player.xapi_state_view, name="content-xapi-state"),
    path("xapi/agents/profile", player.xapi_agent_profile_view, name="content-xapi-agent-profile"),
]
