"""Routes of the Course Service, under /api/v2/ (the official client's host is
`<server>/api/v2`; with a trailing slash it sends `//courses`, which the tolerant-path
middleware serves too). Course ids are matched as one path segment: an id cannot hold `/`."""

from django.urls import path

from vle.content.api import preview_views, views

course = "courses/<str:course_id>"
version = f"{course}/versions/<str:version_id>"


def content_routes(prefix: str, scope: str) -> list:
    """What a course (its latest version) and each of its versions both have: configuration,
    statements, assets, the file list and the zip."""
    return [
        path(
            f"{prefix}/configuration",
            views.CourseConfigurationView.as_view(),
            name=f"content-{scope}-configuration",
        ),
        path(
            f"{prefix}/configuration/<str:setting_id>",
            views.CourseSettingView.as_view(),
            name=f"content-{scope}-setting",
        ),
        path(
            f"{prefix}/xAPIStatements",
            views.CourseStatementsView.as_view(),
            name=f"content-{scope}-statements",
        ),
        path(f"{prefix}/asset", views.CourseAssetView.as_view(), name=f"content-{scope}-asset"),
        path(
            f"{prefix}/asset/upload",
            views.CourseAssetUploadView.as_view(),
            name=f"content-{scope}-asset-upload",
        ),
        path(
            f"{prefix}/asset/list",
            views.CourseFileListView.as_view(),
            name=f"content-{scope}-files",
        ),
        path(f"{prefix}/zip", views.CourseZipView.as_view(), name=f"content-{scope}-zip"),
    ]


urlpatterns = [
    path("appManagement/token", views.ApplicationTokenView.as_view(), name="content-token"),
    path(
        "oauth/authenticate/application/token",
        views.OAuthApplicationTokenView.as_view(),
        name="content-oauth-token",
    ),
    path("courses", views.CoursesView.as_view(), name="content-courses"),
    path("courses/importJobs", views.ImportFetchView.as_view(), name="content-import-fetch"),
    path(
        "courses/importJobs/upload",
        views.ImportUploadView.as_view(),
        name="content-import-upload",
    ),
    path(
        "courses/importJobs/noUpload",
        views.ImportNoUploadView.as_view(),
        name="content-import-no-upload",
    ),
    path(
        "courses/importJobs/<str:job_id>",
        views.ImportJobView.as_view(),
        name="content-import-job",
    ),
    path("courses/tags", views.CourseTagsBatchView.as_view(), name="content-tags-batch"),
    path(course, views.CourseView.as_view(), name="content-course"),
    path(f"{course}/title", views.CourseTitleView.as_view(), name="content-course-title"),
    path(f"{course}/tags", views.CourseTagsView.as_view(), name="content-course-tags"),
    path(
        f"{course}/preview", preview_views.CoursePreviewLatestView.as_view(), name="content-preview"
    ),
    path(
        f"{version}/preview",
        preview_views.CourseVersionPreviewView.as_view(),
        name="content-version-preview",
    ),
    path(f"{course}/versions", views.CourseVersionsView.as_view(), name="content-versions"),
    path(version, views.CourseVersionView.as_view(), name="content-version"),
    *content_routes(course, "course"),
    *content_routes(version, "version"),
]
