"""Routes of the Course Service, under /api/v2/ (the official client's host is
`<server>/api/v2`; with a trailing slash it sends `//courses`, which the tolerant-path
middleware serves too). Course ids are matched as one path segment: an id cannot hold `/`."""

from django.urls import path

from vle.content.api import preview_views, views
from vle.content.api.views import VERSION_PARENTS

course = "courses/<str:course_id>"
version = f"{course}/versions/<str:version_id>"

# What a course (its latest version) and each of its versions both have:
# (path below the course or version, view, name).
CONTENT = (
    ("configuration", views.CourseConfigurationView, "configuration"),
    ("configuration/<str:setting_id>", views.CourseSettingView, "setting"),
    ("xAPIStatements", views.CourseStatementsView, "statements"),
    ("asset", views.CourseAssetView, "asset"),
    ("asset/upload", views.CourseAssetUploadView, "asset-upload"),
    ("asset/list", views.CourseFileListView, "files"),
    ("zip", views.CourseZipView, "zip"),
)


def content_routes(prefix: str, scope: str, **initkwargs) -> list:
    """The CONTENT routes below `prefix`, named `content-<scope>-<name>`."""
    return [
        path(f"{prefix}/{below}", view.route(**initkwargs), name=f"content-{scope}-{name}")
        for below, view, name in CONTENT
    ]


urlpatterns = [
    path("appManagement/token", views.ApplicationTokenView.route(), name="content-token"),
    path(
        "oauth/authenticate/application/token",
        views.OAuthApplicationTokenView.route(),
        name="content-oauth-token",
    ),
    path("courses", views.CoursesView.route(), name="content-courses"),
    path("courses/importJobs", views.ImportFetchView.route(), name="content-import-fetch"),
    path(
        "courses/importJobs/upload",
        views.ImportUploadView.route(),
        name="content-import-upload",
    ),
    path(
        "courses/importJobs/noUpload",
        views.ImportNoUploadView.route(),
        name="content-import-no-upload",
    ),
    path(
        "courses/importJobs/<str:job_id>",
        views.ImportJobView.route(),
        name="content-import-job",
    ),
    path("courses/tags", views.CourseTagsBatchView.route(), name="content-tags-batch"),
    path(course, views.CourseView.route(), name="content-course"),
    path(f"{course}/title", views.CourseTitleView.route(), name="content-course-title"),
    path(f"{course}/tags", views.CourseTagsView.route(), name="content-course-tags"),
    path(
        f"{course}/preview", preview_views.CoursePreviewLatestView.route(), name="content-preview"
    ),
    path(
        f"{version}/preview",
        preview_views.CourseVersionPreviewView.route(),
        name="content-version-preview",
    ),
    path(f"{course}/versions", views.CourseVersionsView.route(), name="content-versions"),
    path(version, views.CourseVersionView.route(), name="content-version"),
    *content_routes(course, "course"),
    *content_routes(version, "version", parent_chain=VERSION_PARENTS),
]
