"""The Course Service API (SCORM Cloud's `/courses` operations and its token calls).

Every view is a `TeslaViewSet` and goes through its steps: authentication (the service's
own credentials and tokens), a VLE caller, the URL's course (and version) looked up among
the caller's own, so another VLE's course is a 404 like one that does not exist, then the
token's scopes, which act as the roles (`read`, `write`, `delete`); one transaction per
write. The URL shapes are SCORM Cloud's: each HTTP method of a view is one action (`route`).
A view validates its query and body with the serializers and hands the work to
`services`/`selectors`. Every error body is `{"message": ...}`, the spec's MessageSchema."""

import mimetypes
import posixpath
import re
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser as DRFFormParser
from rest_framework.response import Response

from tesla.exceptions import PayloadTooLarge, exception_handler
from tesla.parsers import FormParser, JSONParser, MultiPartParser
from tesla.principals import kind_of
from tesla.viewsets import Parent, TeslaViewSet
from vle.content import selectors, services
from vle.content.api import serializers as s
from vle.content.auth import (
    SCOPES,
    CourseServiceAuthentication,
    Grant,
    application_token_issue,
    expiry_seconds_until,
    token_lifetime,
)
from vle.content.models import Course, CourseVersion, ImportJob

TAG = "course service"
ERRORS = {
    400: OpenApiResponse(s.MessageSchemaSerializer, description="Bad request"),
    401: OpenApiResponse(s.MessageSchemaSerializer, description="No or bad credentials"),
    403: OpenApiResponse(s.MessageSchemaSerializer, description="Missing scope"),
    404: OpenApiResponse(s.MessageSchemaSerializer, description="Not found"),
}
NO_CONTENT = {204: OpenApiResponse(description="Done"), **ERRORS}
COURSE_ID = OpenApiParameter("course_id", str, OpenApiParameter.PATH, description="courseId")
VERSION_ID = OpenApiParameter("version_id", int, OpenApiParameter.PATH, description="versionId")


def message_of(data) -> str:
    """One readable sentence from DRF's error shapes, naming the field at fault."""
    if isinstance(data, dict):
        if "detail" in data and len(data) == 1:
            return message_of(data["detail"])
        return "; ".join(
            f"{field}: {message_of(value)}" if field != "non_field_errors" else message_of(value)
            for field, value in data.items()
        )
    if isinstance(data, list):
        return " ".join(message_of(item) for item in data[:3])
    return str(data)


def not_found_message(kwargs: dict) -> str:
    """What a 404 of an unknown (or another VLE's) course or version of the URL says."""
    if "version_id" in kwargs:
        return f"Version {kwargs['version_id']} of course '{kwargs['course_id']}' was not found."
    if "course_id" in kwargs:
        return f"Course '{kwargs['course_id']}' was not found."
    return "Not found."


def course_service_exception_handler(exc, context):
    """The project's handler (statuses, rollback), answering in the spec's MessageSchema."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404 | exceptions.NotFound):  # a URL parent the caller cannot reach
        response.data = {"message": not_found_message(getattr(context.get("view"), "kwargs", {}))}
    else:
        response.data = {"message": message_of(response.data)}
    return response


# The token scopes a view asks for, which act as the caller's roles (see `principal_roles`).
READ, WRITE, DELETE = "read", "write", "delete"
# HTTP method -> the action a view answers it with (`CourseServiceView.route`).
ACTIONS = {"get": "retrieve", "post": "create", "put": "update", "delete": "destroy"}


def _course_versions(request, parents):
    """The versions of the URL's course; a version that is not a number is a 400."""
    if not str(request.parser_context["kwargs"].get("version_id", "")).isdigit():
        raise ValidationError({"versionId": ["A version is a whole number."]})
    return parents["course"].versions.all()


# The URL parents of the Course Service: the caller's course, and a version of it.
COURSE = Parent(
    "course",
    "course_id",
    lambda request, parents: Course.objects.filter(vle=request.user.module),
    field="course_id",
)
VERSION = Parent("version", "version_id", _course_versions, field="version")
COURSE_PARENTS = (COURSE,)
VERSION_PARENTS = (COURSE, VERSION)


class CourseServiceView(TeslaViewSet):
    """The base of every view here: TeslaViewSet's steps with the service's credentials,
    scopes and messages."""

    authentication_classes = [CourseServiceAuthentication]
    allowed_kinds = frozenset({"vle"})
    # A DELETE needs the "write" scope where it only removes a value (tags, a setting) and
    # "delete" for courses and versions, as the spec lists them.
    access = {"read": {READ}, "create": {WRITE}, "update": {WRITE}, "delete": {WRITE}}
    parser_classes = [JSONParser]

    @classmethod
    def route(cls, **initkwargs):
        """The view of a URL: each HTTP method the class answers is one action."""
        actions = {method: action for method, action in ACTIONS.items() if hasattr(cls, action)}
        return cls.as_view(actions, **initkwargs)

    def principal_roles(self) -> set[str]:
        """The scopes the caller's credentials hold."""
        grant = self.request.auth if isinstance(self.request.auth, Grant) else Grant()
        return {access for access in SCOPES if grant.allows(access)}

    def permission_denied(self, request, message=None, code=None):
        """Refusals in the service's own words."""
        kind = kind_of(request.user)
        if kind is None:
            raise exceptions.NotAuthenticated("Authorization Required.")
        if kind != "vle":
            message = "Only a VLE's credentials give access to the Course Service."
        else:
            wanted = "/".join(sorted(self.access.get(self.access_group(), ())))
            message = f"The token lacks the '{wanted}:course' scope."
        super().permission_denied(request, message=message, code=code)

    def get_exception_handler(self):
        return course_service_exception_handler

    def perform_content_negotiation(self, request, force=False):
        # The client's file downloads accept only the file's type; their errors (and every
        # other answer) are still JSON.
        return super().perform_content_negotiation(request, force=True)

    @property
    def vle(self):
        return self.request.user.module

    def query(self, serializer_class) -> dict:
        """Validated query parameters. The official client sends a parameter given as None
        as the literal `None`; such a parameter counts as absent."""
        data = {key: value for key, value in self.request.query_params.items() if value != "None"}
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def refuse_bodies_over(self, limit: int) -> None:
        """413 before the body is read when its declared length is already over the cap
        (Django spools uploaded files to disk whatever their size)."""
        declared = self.request.META.get("CONTENT_LENGTH") or "0"
        # Room for the multipart envelope and the small form fields beside the file.
        if declared.isdigit() and int(declared) > limit + 1024 * 1024:
            raise PayloadTooLarge(f"The file is larger than {limit} bytes.")

    def tags_of(self, course: Course) -> list[str]:
        return [tag.name for tag in course.tags.all()]

    def course_payload(
        self, course: Course, version: CourseVersion, options: dict, *, of_version=False, tags=None
    ) -> dict:
        """The CourseSchema of `course` as of `version`, with what the query asked to include."""
        return selectors.course_body(
            course,
            version,
            tags=self.tags_of(course) if tags is None else tags,
            include_metadata=options["includeCourseMetadata"],
            include_registration_count=options["includeRegistrationCount"],
            of_version=of_version,
        )


class OneCourseView(CourseServiceView):
    """A view of the URL's course, as of its latest version or of the version in the URL
    (`route(parent_chain=VERSION_PARENTS)`)."""

    parent_chain = COURSE_PARENTS

    @property
    def course(self) -> Course:
        return self.parents["course"]

    @cached_property
    def version(self) -> CourseVersion:
        """The version in the URL, or the course's latest when the URL names none."""
        if self.has_version:
            return self.parents["version"]
        return selectors.course_version_get(course=self.course)

    @property
    def has_version(self) -> bool:
        return "version" in self.parents


# --- tokens ---------------------------------------------------------------------------------


SCOPE = re.compile(r"^[A-Za-z_]+(:[A-Za-z_]+)?$")


def _scopes_checked(scopes: list[str], request) -> list[str]:
    """Scopes as SCORM Cloud spells them (`read`, `write:course`, `read:registration`...).
    Any well-formed scope may be asked for; only the course scopes grant anything here."""
    malformed = [scope for scope in scopes if not SCOPE.match(scope)]
    if malformed:
        raise exceptions.ValidationError({"scopes": [f"'{malformed[0]}' is not a scope."]})
    grant = request.auth if isinstance(request.auth, Grant) else Grant()
    if grant.scopes is not None:
        raise exceptions.PermissionDenied("Tokens are issued to the application's credentials.")
    return scopes


class ApplicationTokenView(CourseServiceView):
    """A bearer token with the scopes asked for, until `expiry` (SCORM Cloud's
    appManagement/token)."""

    @extend_schema(
        request=s.TokenRequestSchemaSerializer,
        responses={200: s.StringResultSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="createToken",
    )
    def create(self, request):
        body = self.body(s.TokenRequestSchemaSerializer)
        scopes = _scopes_checked(body["permissions"]["scopes"], request)
        seconds = expiry_seconds_until(body["expiry"]) if body.get("expiry") else None
        if seconds is not None and seconds <= 0:
            raise exceptions.ValidationError({"expiry": ["The expiry is in the past."]})
        token = application_token_issue(
            vle=self.vle, scopes=scopes, seconds=token_lifetime(seconds)
        )
        return Response({"result": token})


class OAuthApplicationTokenView(CourseServiceView):
    """An OAuth bearer token for the application (form fields `scope`, `expiration`)."""

    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        request={"application/x-www-form-urlencoded": s.ApplicationTokenRequestSerializer},
        responses={200: s.ApplicationTokenSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getApplicationToken",
    )
    def create(self, request):
        body = self.body(s.ApplicationTokenRequestSerializer)
        scopes = _scopes_checked(body["scope"].split(), request)
        seconds = token_lifetime(body.get("expiration"))
        token = application_token_issue(vle=self.vle, scopes=scopes, seconds=seconds)
        return Response({"access_token": token, "expires_in": seconds, "token_type": "bearer"})


# --- import ---------------------------------------------------------------------------------

IMPORT_PARAMETERS = [
    OpenApiParameter("courseId", str, required=True),
    OpenApiParameter("mayCreateNewVersion", bool),
    OpenApiParameter("postbackUrl", str),
    OpenApiParameter("tags", str, description="Comma-separated tags for the course."),
]
IMPORT_RESPONSES = {
    200: s.StringResultSchemaSerializer,
    409: OpenApiResponse(s.MessageSchemaSerializer, description="Course exists"),
    413: OpenApiResponse(s.MessageSchemaSerializer, description="Package too large"),
    **ERRORS,
}


class ImportViewMixin:
    def import_job(self, **values) -> Response:
        query = self.query(s.ImportQuerySerializer)
        job = services.import_job_create(
            vle=self.vle,
            course_id=query["courseId"],
            may_create_new_version=query["mayCreateNewVersion"],
            postback_url=query.get("postbackUrl", ""),
            tags=query.get("tags", []),
            **values,
        )
        return Response({"result": str(job.pk)})


class ImportFetchView(ImportViewMixin, CourseServiceView):
    """Fetch a package from a URL and import it (createFetchAndImportCourseJob)."""

    @extend_schema(
        parameters=IMPORT_PARAMETERS,
        request=s.ImportFetchRequestSchemaSerializer,
        responses=IMPORT_RESPONSES,
        tags=[TAG],
        operation_id="createFetchAndImportCourseJob",
    )
    def create(self, request):
        body = self.body(s.ImportFetchRequestSchemaSerializer)
        return self.import_job(
            source=ImportJob.Source.FETCH,
            source_url=body["url"],
            content_type=body["contentType"],
            media_metadata=dict(body.get("mediaFileMetadata") or {}),
        )


class ImportNoUploadView(ImportViewMixin, CourseServiceView):
    """Import by fetching, or by reference to an external media file (no upload)."""

    @extend_schema(
        parameters=IMPORT_PARAMETERS,
        request=s.ImportRequestSchemaSerializer,
        responses=IMPORT_RESPONSES,
        tags=[TAG],
        operation_id="createNoUploadAndImportCourseJob",
    )
    def create(self, request):
        body = self.body(s.ImportRequestSchemaSerializer)
        fetch = body.get("fetchRequest")
        if fetch:
            return self.import_job(
                source=ImportJob.Source.FETCH,
                source_url=fetch["url"],
                content_type=fetch["contentType"],
                media_metadata=dict(fetch.get("mediaFileMetadata") or {}),
            )
        reference = body["mediaFileReferenceRequest"]
        return self.import_job(
            source=ImportJob.Source.MEDIA_REFERENCE,
            source_url=reference["url"],
            content_type=reference["contentType"],
            media_metadata=dict(reference.get("mediaFileMetadata") or {}),
        )


class ImportUploadView(ImportViewMixin, CourseServiceView):
    """Import an uploaded package (multipart `file`; header `uploadedContentType`)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[
            *IMPORT_PARAMETERS,
            OpenApiParameter("uploadedContentType", str, OpenApiParameter.HEADER),
        ],
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses=IMPORT_RESPONSES,
        tags=[TAG],
        operation_id="createUploadAndImportCourseJob",
    )
    def create(self, request):
        self.refuse_bodies_over(settings.COURSE_UPLOAD_MAX_BYTES)
        body = self.body(s.ImportUploadSerializer)
        upload = body["file"]
        declared = request.headers.get("uploadedContentType", "").split(";")[0].strip()
        part_type = (upload.content_type or "").split(";")[0].strip()
        content_type = declared or (
            part_type if part_type in services.MEDIA_TYPES else "application/zip"
        )
        return self.import_job(
            source=ImportJob.Source.UPLOAD,
            upload=upload,
            content_type=content_type,
            media_metadata=body.get("contentMetadata") or {},
        )


class ImportJobView(CourseServiceView):
    """The status of an import job, for a week after it finished."""

    @extend_schema(
        responses={200: s.ImportJobResultSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getImportJobStatus",
    )
    def retrieve(self, request, job_id: str):
        job = selectors.import_job_get(vle=self.vle, job_id=job_id)
        return Response(selectors.import_job_body(job))


# --- courses and versions -------------------------------------------------------------------


class CoursesView(CourseServiceView):
    """The VLE's courses, a page at a time (`more`), newest first by default."""

    @extend_schema(
        parameters=[s.CourseListQuerySerializer],
        responses={200: s.CourseListSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getCourses",
    )
    def retrieve(self, request):
        options = self.query(s.CourseListQuerySerializer)
        if options.get("more"):
            query = selectors.CourseQuery.loads(options["more"])
        else:
            query = selectors.CourseQuery(
                since=options.get("since"),
                until=options.get("until"),
                datetime_filter=options["datetimeFilter"],
                tags=s.csv_list(options.get("tags", "")),
                filter=options.get("filter", ""),
                filter_by=options["filterBy"],
                order_by=options["orderBy"],
            )
        page, more, total = selectors.courses_list(
            vle=self.vle, query=query, page_size=_page_size("COURSE_LIST_PAGE_SIZE")
        )
        body = {
            "courses": [self.course_payload(course, version, options) for course, version in page]
        }
        if more:
            body["more"] = more
        headers = {"X-Total-Count": str(total)} if options["includeTotalCount"] else None
        return Response(body, headers=headers)


def _page_size(name: str) -> int:
    return max(1, getattr(settings, name))


class CourseView(OneCourseView):
    """One course (as of its latest version); DELETE removes it with everything it has."""

    access = {**OneCourseView.access, "delete": {DELETE}}

    @extend_schema(
        parameters=[COURSE_ID, s.CourseDetailQuerySerializer],
        responses={200: s.CourseSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getCourse",
    )
    def retrieve(self, request, course_id: str):
        options = self.query(s.CourseDetailQuerySerializer)
        return Response(self.course_payload(self.course, self.version, options))

    @extend_schema(
        parameters=[COURSE_ID], responses=NO_CONTENT, tags=[TAG], operation_id="deleteCourse"
    )
    def destroy(self, request, course_id: str):
        services.course_delete(course=self.course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseTitleView(OneCourseView):
    """Rename a course (its versions keep the titles they were imported with)."""

    @extend_schema(
        parameters=[COURSE_ID],
        request=s.TitleSchemaSerializer,
        responses=NO_CONTENT,
        tags=[TAG],
        operation_id="setCourseTitle",
    )
    def update(self, request, course_id: str):
        body = self.body(s.TitleSchemaSerializer)
        services.course_title_set(course=self.course, title=body["title"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseVersionsView(OneCourseView):
    """Every version of a course, oldest first."""

    @extend_schema(
        parameters=[COURSE_ID, s.CourseVersionsQuerySerializer],
        responses={200: s.CourseListNonPagedSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getCourseVersions",
    )
    def retrieve(self, request, course_id: str):
        options = self.query(s.CourseVersionsQuerySerializer)
        versions = self.course.versions.order_by("version")
        if options.get("since"):
            versions = versions.filter(updated_at__gte=options["since"])
        if options.get("until"):
            versions = versions.filter(updated_at__lte=options["until"])
        tags = self.tags_of(self.course)
        courses = [
            self.course_payload(self.course, version, options, of_version=True, tags=tags)
            for version in versions
        ]
        return Response({"courses": courses})


class CourseVersionView(OneCourseView):
    """One version; deleting the last version deletes the course."""

    parent_chain = VERSION_PARENTS
    access = {**OneCourseView.access, "delete": {DELETE}}

    @extend_schema(
        parameters=[COURSE_ID, VERSION_ID, s.CourseDetailQuerySerializer],
        responses={200: s.CourseSchemaSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getCourseVersionInfo",
    )
    def retrieve(self, request, course_id: str, version_id: str):
        options = self.query(s.CourseDetailQuerySerializer)
        return Response(self.course_payload(self.course, self.version, options, of_version=True))

    @extend_schema(
        parameters=[COURSE_ID, VERSION_ID],
        responses=NO_CONTENT,
        tags=[TAG],
        operation_id="deleteCourseVersion",
    )
    def destroy(self, request, course_id: str, version_id: str):
        services.course_version_delete(version=self.version)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- configuration --------------------------------------------------------------------------


class CourseConfigurationView(OneCourseView):
    """The catalogue's settings at the course level, or at a version's (URL with a version)."""

    @extend_schema(
        parameters=[COURSE_ID, s.ConfigurationQuerySerializer],
        responses={200: s.SettingListSchemaSerializer, **ERRORS},
        tags=[TAG],
    )
    def retrieve(self, request, course_id: str, version_id: str | None = None):
        options = self.query(s.ConfigurationQuerySerializer)
        version = self.version if self.has_version else None
        items = []
        for setting, item in selectors.settings_effective(course=self.course, version=version):
            if options["includeMetadata"]:
                item["metadata"] = setting.metadata()
            items.append(item)
        return Response({"settingItems": items})

    @extend_schema(
        parameters=[COURSE_ID],
        request=s.SettingsPostSchemaSerializer,
        responses=NO_CONTENT,
        tags=[TAG],
    )
    def create(self, request, course_id: str, version_id: str | None = None):
        body = self.body(s.SettingsPostSchemaSerializer)
        version = self.version if self.has_version else None
        services.course_settings_set(course=self.course, version=version, items=body["settings"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseSettingView(OneCourseView):
    """Clear one setting at this level; it falls back to the level above or its default."""

    @extend_schema(parameters=[COURSE_ID], responses=NO_CONTENT, tags=[TAG])
    def destroy(self, request, course_id: str, setting_id: str, version_id: str | None = None):
        version = self.version if self.has_version else None
        services.course_setting_delete(course=self.course, version=version, setting_id=setting_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tags -----------------------------------------------------------------------------------


class CourseTagsView(OneCourseView):
    """The course's tags: read them, replace them, or remove some."""

    @extend_schema(
        parameters=[COURSE_ID],
        responses={200: s.TagListResponseSerializer, **ERRORS},
        tags=[TAG],
        operation_id="getCourseTags",
    )
    def retrieve(self, request, course_id: str):
        return Response({"tags": self.tags_of(self.course)})

    @extend_schema(
        parameters=[COURSE_ID],
        request=s.TagListSchemaSerializer,
        responses=NO_CONTENT,
        tags=[TAG],
        operation_id="putCourseTags",
    )
    def update(self, request, course_id: str):
        body = self.body(s.TagListSchemaSerializer)
        services.course_tags_set(course=self.course, tags=body["tags"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[COURSE_ID],
        request=s.TagListSchemaSerializer,
        responses=NO_CONTENT,
        tags=[TAG],
        operation_id="deleteCourseTags",
    )
    def destroy(self, request, course_id: str):
        body = self.body(s.TagListSchemaSerializer)
        services.course_tags_remove(course=self.course, tags=body["tags"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseTagsBatchView(CourseServiceView):
    """Add tags to several courses at once."""

    @extend_schema(
        request=s.BatchTagsSchemaSerializer,
        responses=NO_CONTENT,
        tags=[TAG],
        operation_id="putCourseTagsBatch",
    )
    def update(self, request):
        body = self.body(s.BatchTagsSchemaSerializer)
        services.course_tags_batch(vle=self.vle, course_ids=body["ids"], tags=body["tags"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- statements -----------------------------------------------------------------------------


class CourseStatementsView(OneCourseView):
    """xAPI statements recorded for the course (or one version), newest first."""

    @extend_schema(
        parameters=[COURSE_ID, s.StatementQuerySerializer],
        responses={200: s.XapiStatementResultSerializer, **ERRORS},
        tags=[TAG],
    )
    def retrieve(self, request, course_id: str, version_id: str | None = None):
        options = self.query(s.StatementQuerySerializer)
        if options.get("more"):
            query = selectors.StatementQuery.loads(options["more"])
        else:
            query = selectors.StatementQuery(
                learner_id=options.get("learnerId", ""),
                since=options.get("since"),
                until=options.get("until"),
            )
        statements, more = selectors.statements_list(
            course=self.course,
            version=self.version if self.has_version else None,
            query=query,
            page_size=_page_size("COURSE_STATEMENT_PAGE_SIZE"),
        )
        body = {"statements": statements}
        if more:
            body["more"] = more
        return Response(body)


# --- assets ---------------------------------------------------------------------------------


class CourseAssetImportView(OneCourseView):
    """Fetch a file from a URL into the course's latest version (or the version named)."""

    @extend_schema(
        parameters=[COURSE_ID, s.AssetPolicyQuerySerializer],
        request=s.ImportAssetRequestSchemaSerializer,
        responses={200: s.AssetFileSchemaSerializer, **ERRORS},
        tags=[TAG],
    )
    def create(self, request, course_id: str, version_id: str | None = None):
        options = self.query(s.AssetPolicyQuerySerializer)
        body = self.body(s.ImportAssetRequestSchemaSerializer)
        version = self.version
        services.asset_path_check(body["destination"])
        with services.course_asset_fetch(url=body["fetchUrl"]) as content:
            path = services.course_asset_store(
                version=version,
                destination=body["destination"],
                content=content,
                policy=options["updateAssetPolicy"],
            )
        return Response({"filename": posixpath.basename(path), "destination": path})


class CourseAssetView(CourseAssetImportView):
    """One file of the course's latest version (or the version named): import (POST), download
    (GET) or delete (DELETE) at `relativePath`. Download and delete are the official client's
    additions to the spec."""

    @extend_schema(
        parameters=[COURSE_ID, s.AssetPathQuerySerializer],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
        tags=[TAG],
    )
    def retrieve(self, request, course_id: str, version_id: str | None = None):
        path = self.query(s.AssetPathQuerySerializer)["relativePath"]
        stored = services.course_asset_open(version=self.version, relative_path=path)
        name = posixpath.basename(path)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(stored, as_attachment=True, filename=name, content_type=content_type)

    @extend_schema(
        parameters=[COURSE_ID, s.AssetPathQuerySerializer], responses=NO_CONTENT, tags=[TAG]
    )
    def destroy(self, request, course_id: str, version_id: str | None = None):
        path = self.query(s.AssetPathQuerySerializer)["relativePath"]
        services.course_asset_delete(version=self.version, relative_path=path)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseFileListView(OneCourseView):
    """The files of the course's latest version (or the version named)."""

    @extend_schema(
        parameters=[COURSE_ID], responses={200: s.FileListSchemaSerializer, **ERRORS}, tags=[TAG]
    )
    def retrieve(self, request, course_id: str, version_id: str | None = None):
        files = [
            {"path": f.path, "size": f.size, "modified": selectors.wire_datetime(f.modified)}
            for f in self.version.files.all()
        ]
        return Response({"files": files})


class CourseZipView(OneCourseView):
    """The course's latest version (or the version named) as a zip of its stored files."""

    @extend_schema(
        parameters=[COURSE_ID],
        responses={(200, "application/zip"): OpenApiTypes.BINARY, **ERRORS},
        tags=[TAG],
    )
    def retrieve(self, request, course_id: str, version_id: str | None = None):
        archive = services.course_zip_build(version=self.version)
        name = f"{self.course.course_id}_v{self.version.version}.zip"
        return FileResponse(
            archive, as_attachment=True, filename=name, content_type="application/zip"
        )


class CourseAssetUploadView(OneCourseView):
    """Upload a file into the course's latest version (or the version named)."""

    parser_classes = [MultiPartParser, DRFFormParser]

    @extend_schema(
        parameters=[COURSE_ID, s.AssetPolicyQuerySerializer],
        request={"multipart/form-data": s.AssetUploadSerializer},
        responses={200: s.AssetFileSchemaSerializer, **ERRORS},
        tags=[TAG],
    )
    def create(self, request, course_id: str, version_id: str | None = None):
        options = self.query(s.AssetPolicyQuerySerializer)
        self.refuse_bodies_over(settings.COURSE_ASSET_MAX_BYTES)
        body = self.body(s.AssetUploadSerializer)
        upload = body["file"]
        if upload.size > settings.COURSE_ASSET_MAX_BYTES:
            raise PayloadTooLarge(
                f"The file is larger than {settings.COURSE_ASSET_MAX_BYTES} bytes."
            )
        path = services.course_asset_store(
            version=self.version,
            destination=body["destination"],
            content=upload,
            policy=options["updateAssetPolicy"],
        )
        return Response({"filename": posixpath.basename(path), "destination": path})
