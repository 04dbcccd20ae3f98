"""Views of the preview player (no API credentials: each URL carries a signed token).

- `preview/<link token>/`: the player page. Opening it starts a preview session.
- `preview/<session token>/files/<path>`: the course version's files, so the package's
  relative URLs resolve under one prefix (served from storage, only paths the import stored).
- `preview/<session token>/runtime`: where the SCORM runtime posts its commits.
- `preview/<session token>/fetch`: cmi5's one-time fetch URL for the session's auth token.
- `xapi/...`: the LRS endpoint of xAPI and cmi5 content (`statements`, `activities/state`,
  `agents/profile`, `about`), authenticated with the session's Basic credential.

These are plain Django views rather than API endpoints: their callers are course content in a
browser, which speaks xAPI and SCORM, not this server's API."""

import json
import logging
import mimetypes
from datetime import datetime

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt

from tesla.errors import ApplicationError
from tesla.signing import LinkExpired
from vle.content import lrs, selectors
from vle.content.models import CourseFile, LearningStandard, PreviewDocument, PreviewSession
from vle.content.preview import (
    PreviewNotFound,
    player_config,
    player_settings,
    preview_link_read,
    preview_session_open,
    preview_session_read,
    session_credential,
    session_from_authorization,
)

logger = logging.getLogger(__name__)

# Types a browser must get right for course content (`nosniff` is on), whatever the host's
# mime.types says.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".vtt": "text/vtt; charset=utf-8",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".swf": "application/x-shockwave-flash",
}
XAPI_HEADER = "X-Experience-API-Version"


def content_type_of(path: str) -> str:
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def _message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def _json_error(message: str, status: int, **headers) -> JsonResponse:
    response = JsonResponse({"message": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _player_error(request, message: str, status: int):
    response = render(request, "content/player_error.html", {"message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _body_json(request):
    """The request's JSON body; `ValueError` when it is not JSON."""
    try:
        return json.loads(request.body or b"null")
    except UnicodeDecodeError as error:
        raise ValueError("The body is not UTF-8.") from error


# --- Player ---------------------------------------------------------------------------------


@xframe_options_exempt  # LMSs embed preview links in their own pages, as with SCORM Cloud.
def player_view(request, token: str):
    """The player page of a preview link: a frame with the course and its runtime."""
    if request.method not in ("GET", "HEAD"):
        return _json_error(f'Method "{request.method}" not allowed.', 405, Allow="GET, HEAD")
    try:
        version, options = preview_link_read(token)
    except LinkExpired:
        return _player_error(request, "This preview link has expired.", 410)
    except PreviewNotFound:
        return _player_error(request, "This preview link is not valid.", 404)
    session = preview_session_open(version=version, options=options)
    config = player_config(session=session, options=options, request=request)
    response = render(
        request,
        "content/player.html",
        {"config": config, "css_url": options.css_url, "culture": options.culture or "en"},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@xframe_options_sameorigin  # framed by the player, never by another site
def file_view(request, token: str, path: str):
    """A file of the session's course version. Only paths the import stored exist here
    (looked up in `CourseFile`, then case-insensitively, as Windows-made packages need), so
    no path can reach outside the version's folder."""
    if request.method not in ("GET", "HEAD"):
        return _json_error(f'Method "{request.method}" not allowed.', 405, Allow="GET, HEAD")
    try:
        session = preview_session_read(token)
    except PreviewNotFound:
        return _json_error("Not found.", 404)
    segments = path.split("/")
    if not path or "\\" in path or "\x00" in path or any(s in ("", ".", "..") for s in segments):
        return _json_error("Not found.", 404)
    files = CourseFile.objects.filter(version=session.version)
    stored = files.filter(path=path).first() or files.filter(path__iexact=path).first()
    if stored is None:
        return _json_error("Not found.", 404)
    name = f"{session.version.storage_folder}/{stored.path}"
    try:
        handle = default_storage.open(name, "rb")
    except OSError:
        logger.warning("Course file %s is missing from storage", name)
        return _json_error("Not found.", 404)
    response = FileResponse(handle, content_type=content_type_of(stored.path))
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_exempt  # content posts here with the session token in the URL, not with a cookie
def runtime_view(request, token: str):
    """A SCORM runtime commit: `{standard, event, data}` from the player's runtime.js."""
    if request.method != "POST":
        return _json_error(f'Method "{request.method}" not allowed.', 405, Allow="POST")
    try:
        session = preview_session_read(token)
        body = _body_json(request)
    except PreviewNotFound:
        return _json_error("Not found.", 404)
    except RequestDataTooBig:
        return _json_error("Request body is too large.", 413)
    except ValueError:
        return _json_error("The body is not valid JSON.", 400)
    if not isinstance(body, dict):
        return _json_error("The body must be a JSON object.", 400)
    if player_settings(session.version).get("PlayerRecordRuntimeStatements") == "false":
        return JsonResponse({"recorded": 0})
    try:
        recorded = lrs.scorm_commit_record(
            session=session,
            standard=body.get("standard"),
            event=body.get("event"),
            data=body.get("data"),
        )
    except ValidationError as error:
        transaction.set_rollback(True)
        return _json_error(_message(error), 400)
    return JsonResponse({"recorded": recorded})


@csrf_exempt
def fetch_view(request, token: str):
    """cmi5's fetch URL: the session's auth token, once (cmi5 8.2)."""
    if request.method != "POST":
        return _json_error(f'Method "{request.method}" not allowed.', 405, Allow="POST")
    try:
        session = preview_session_read(token)
    except PreviewNotFound:
        return _json_error("Not found.", 404)
    if session.version.learning_standard != LearningStandard.CMI5:
        return _json_error("Not found.", 404)
    claimed = PreviewSession.objects.filter(pk=session.pk, token_fetched_at__isnull=True).update(
        token_fetched_at=timezone.now()
    )
    if not claimed:
        return JsonResponse(
            {"error-code": "1", "error-text": "This fetch URL has already been used."},
            status=403,
        )
    return JsonResponse({"auth-token": session_credential(session)})


# --- xAPI endpoint ------------------------------------------------------------------------


def _xapi(view):
    """Common rules of the xAPI resources: the version header (required on requests, sent on
    every answer), the session's Basic credential, JSON errors, one transaction (undone when
    the view fails)."""

    @csrf_exempt
    def wrapped(request):
        version = request.headers.get(XAPI_HEADER, "")
        if not version.startswith("1.0"):
            response = _json_error(f"The {XAPI_HEADER} header (1.0.x) is required.", 400)
        else:
            try:
                session = session_from_authorization(request.headers.get("Authorization", ""))
            except PreviewNotFound:
                response = _json_error(
                    "Authentication required.", 401, WWW_Authenticate='Basic realm="xAPI"'
                )
            else:
                try:
                    with transaction.atomic():
                        response = view(request, session)
                except ValidationError as error:
                    response = _json_error(_message(error), 400)
                except ApplicationError as refused:  # a conflicting statement, a cmi5 rule
                    response = _json_error(refused.message, refused.status_code)
                except RequestDataTooBig:
                    response = _json_error("Request body is too large.", 413)
                except ValueError:
                    response = _json_error("The body is not valid JSON.", 400)
        response[XAPI_HEADER] = lrs.XAPI_VERSION
        return response

    return wrapped


def xapi_about_view(request):
    """`about`: the xAPI versions this endpoint speaks (open, as the spec wants)."""
    response = JsonResponse({"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]})
    response[XAPI_HEADER] = lrs.XAPI_VERSION
    return response


def xapi_root_view(request):
    return _json_error("Not found.", 404)


@_xapi
def xapi_statements_view(request, session):
    if request.method == "POST":
        ids = lrs.statements_receive(session=session, body=_body_json(request))
        return JsonResponse(ids, safe=False)
    if request.method == "PUT":
        statement_id = request.GET.get("statementId", "")
        if not lrs.UUID_FORM.match(statement_id):
            return _json_error("statementId: Required, a UUID.", 400)
        body = _body_json(request)
        if not isinstance(body, dict):
            return _json_error("statement: A PUT carries one statement object.", 400)
        lrs.statements_receive(session=session, body=body, statement_id=statement_id)
        return HttpResponse(status=204)
    if request.method == "GET":
        return _statements_get(request, session)
    return _json_error(f'Method "{request.method}" not allowed.', 405, Allow="GET, POST, PUT")


def _statements_get(request, session):
    """One statement by `statementId`, or the session's own statements, newest first."""
    from vle.content.models import Statement

    statements = Statement.objects.filter(course_id=session.version.course_id)
    statement_id = request.GET.get("statementId")
    if statement_id is not None:
        if not lrs.UUID_FORM.match(statement_id):
            return _json_error("statementId: Must be a UUID.", 400)
        found = statements.filter(pk=statement_id).first()
        if found is None:
            return _json_error("Not found.", 404)
        return JsonResponse(found.statement)
    own = statements.filter(registration=session.registration).order_by("-stored", "-id")[:100]
    return JsonResponse({"statements": [item.statement for item in own], "more": ""})


def _agent_param(request) -> dict:
    raw = request.GET.get("agent")
    if raw is None:
        raise ValidationError({"agent": "Required."})
    try:
        agent = json.loads(raw)
    except ValueError:
        raise ValidationError({"agent": "Must be JSON."}) from None
    lrs.agent_validate(agent, "agent")
    return agent


def _since_param(request) -> datetime | None:
    raw = request.GET.get("since")
    if raw is None:
        return None
    parsed = selectors.parse_time(raw)
    if parsed is None:
        raise ValidationError({"since": "Must be an ISO 8601 date and time."})
    return parsed


def _document_response(request, session, *, kind, scope, document_id, readonly=None):
    """GET/PUT/POST/DELETE of one xAPI document resource (state or agent profile)."""
    method = request.method
    if method == "GET" and readonly is not None and document_id == readonly[0]:
        return HttpResponse(readonly[1], content_type="application/json")
    if method in ("PUT", "POST", "DELETE") and readonly is not None and document_id == readonly[0]:
        return _json_error(f"{document_id} is written by the LMS only.", 403)
    if method == "GET":
        if not document_id:
            ids = lrs.document_ids(session=session, scope=scope, since=_since_param(request))
            return JsonResponse(ids, safe=False)
        document = lrs.document_get(session=session, scope=scope, document_id=document_id)
        if document is None:
            return _json_error("Not found.", 404)
        return HttpResponse(bytes(document.content), content_type=document.content_type)
    if method in ("PUT", "POST"):
        if not document_id:
            return _json_error("The document id is required.", 400)
        lrs.document_put(
            session=session,
            kind=kind,
            scope=scope,
            document_id=document_id,
            content=request.body,
            content_type=request.content_type or "application/octet-stream",
            merge=method == "POST",
        )
        return HttpResponse(status=204)
    if method == "DELETE":
        lrs.document_delete(session=session, scope=scope, document_id=document_id)
        return HttpResponse(status=204)
    return _json_error(f'Method "{method}" not allowed.', 405, Allow="GET, PUT, POST, DELETE")


@_xapi
def xapi_state_view(request, session):
    """`activities/state`. For cmi5 the `LMS.LaunchData` document of the session's AU is the
    LMS's, read-only."""
    activity_id = request.GET.get("activityId", "")
    if not activity_id:
        raise ValidationError({"activityId": "Required."})
    agent = _agent_param(request)
    registration = request.GET.get("registration", "")
    if registration and not lrs.UUID_FORM.match(registration):
        raise ValidationError({"registration": "Must be a UUID."})
    readonly = None
    launch_data = (
        session.version.learning_standard == LearningStandard.CMI5
        and activity_id == session.activity_id
        and registration.lower() == str(session.registration)
    )
    if launch_data:
        readonly = (lrs.LAUNCH_DATA_STATE, lrs.launch_data_document(session))
    scope = lrs.document_scope(
        PreviewDocument.Kind.STATE, agent=agent, activity_id=activity_id, registration=registration
    )
    return _document_response(
        request,
        session,
        kind=PreviewDocument.Kind.STATE,
        scope=scope,
        document_id=request.GET.get("stateId", ""),
        readonly=readonly,
    )


@_xapi
def xapi_agent_profile_view(request, session):
    """`agents/profile`: documents about the (preview) learner, such as cmi5's
    `cmi5LearnerPreferences` (absent until content writes one, which cmi5 allows)."""
    agent = _agent_param(request)
    scope = lrs.document_scope(PreviewDocument.Kind.AGENT_PROFILE, agent=agent)
    return _document_response(
        request,
        session,
        kind=PreviewDocument.Kind.AGENT_PROFILE,
        scope=scope,
        document_id=request.GET.get("profileId", ""),
    )
