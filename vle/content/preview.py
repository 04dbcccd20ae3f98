"""The preview player: launch links, preview sessions and what each learning standard is
launched with.

A preview link (`preview_link_make`) is a signed token naming a course version and the
player options, valid for the `expiry` the caller asked for. Opening it
(`preview_session_open`) starts a preview session, a registration of the preview learner,
and the player page frames the version's launch file under
`/content/preview/<session token>/files/`, so the package's relative URLs keep working and the
SCO shares the player's origin (where the SCORM API objects live). The session token is the
content's only credential: for its files, its SCORM commits, and, base64-wrapped as HTTP
Basic, for the xAPI endpoint that xAPI and cmi5 content post statements to."""

import base64
import binascii
import contextlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tesla.signing import LinkExpired, absolute_url, token_make, token_read
from vle.content.models import CourseVersion, LearningStandard, PreviewSession

LAUNCH_SALT = "content.preview.launch"
SESSION_SALT = "content.preview.session"
PREVIEW_EXPIRY_MIN = 10
PREVIEW_EXPIRY_MAX = 300
EXIT_KEYWORDS = ("closer", "blank", "message")
BASIC_USER = "preview"

SCORM_12 = {LearningStandard.SCORM11, LearningStandard.SCORM12}
SCORM_2004 = {
    LearningStandard.SCORM20042NDEDITION,
    LearningStandard.SCORM20043RDEDITION,
    LearningStandard.SCORM20044THEDITION,
}
CMI5_SESSION_EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


class PreviewNotFound(Exception):
    """A preview link or session credential that is forged, damaged or names nothing."""


@dataclass(frozen=True)
class PlayerOptions:
    """What the caller of the preview operation asked the player to do."""

    start_sco: str = ""
    redirect_on_exit_url: str = ""
    css_url: str = ""
    culture: str = ""

    def as_payload(self) -> dict[str, str]:
        names = {"start_sco": "s", "redirect_on_exit_url": "x", "css_url": "c", "culture": "l"}
        return {short: getattr(self, name) for name, short in names.items() if getattr(self, name)}

    @classmethod
    def from_payload(cls, payload: dict[str, str]) -> "PlayerOptions":
        return cls(
            start_sco=payload.get("s", ""),
            redirect_on_exit_url=payload.get("x", ""),
            css_url=payload.get("c", ""),
            culture=payload.get("l", ""),
        )


def preview_learner() -> dict[str, str]:
    """The learner every preview plays as (a preview records no real learner's progress)."""
    return {"id": "preview", "name": "Preview Learner"}


def preview_actor() -> dict[str, Any]:
    """The preview learner as an xAPI Agent (cmi5 requires an account-identified Agent)."""
    learner = preview_learner()
    return {
        "objectType": "Agent",
        "name": learner["name"],
        "account": {"homePage": settings.PUBLIC_API_URL, "name": learner["id"]},
    }


def version_activity_id(version: CourseVersion) -> str:
    """The xAPI activity id of a course version: the package's own, or one of this server."""
    if version.xapi_activity_id:
        return version.xapi_activity_id
    return (
        f"{settings.PUBLIC_API_URL}/content/courses/{version.course_id}/versions/{version.version}"
    )


# --- Activities of the tree -----------------------------------------------------------------


def _activities(node: dict[str, Any]):
    """Every activity of a version's tree (`root_activity`), in document order."""
    if not isinstance(node, dict):
        return
    yield node
    for child in node.get("children") or []:
        yield from _activities(child)


def _launchable(version: CourseVersion) -> list[dict[str, Any]]:
    return [node for node in _activities(version.root_activity) if node.get("href")]


def start_activity(version: CourseVersion, start_sco: str = "") -> dict[str, Any]:
    """The activity a preview launches: the one named `start_sco` (by item or external
    identifier), else the first launchable one. A `start_sco` the tree does not have is a
    validation error naming `startSco`."""
    launchable = _launchable(version)
    if start_sco:
        for node in launchable:
            if start_sco in (node.get("itemIdentifier"), node.get("externalIdentifier")):
                return node
        raise ValidationError({"startSco": f"The course has no launchable activity {start_sco!r}."})
    if launchable:
        return launchable[0]
    return {"href": version.launch_path}


def session_activity(session: PreviewSession) -> dict[str, Any]:
    """The activity a session launched: for cmi5 the AU whose LMS activity id it was given."""
    version = session.version
    if version.learning_standard == LearningStandard.CMI5:
        for node in _launchable(version):
            if cmi5_activity_id(version, node) == session.activity_id:
                return node
    return start_activity(version)


# --- Links and sessions ---------------------------------------------------------------------


def preview_link_make(
    *, version: CourseVersion, expiry: int, options: PlayerOptions, request=None
) -> str:
    """A link that opens the player on `version` without credentials for `expiry` seconds."""
    start_activity(version, options.start_sco)  # refuse an unknown startSco now, not at launch
    token = token_make(
        {"v": version.pk, "o": options.as_payload()}, salt=LAUNCH_SALT, max_age=expiry
    )
    path = reverse("content-preview-player", kwargs={"token": token})
    if settings.COURSE_PREVIEW_URL:
        return settings.COURSE_PREVIEW_URL + path
    return absolute_url(path, request)


def preview_link_read(token: str) -> tuple[CourseVersion, PlayerOptions]:
    """The version and options of a preview link. Raises `LinkExpired` once it has expired
    and `PreviewNotFound` for anything forged or for a version deleted since."""
    try:
        payload = token_read(token, salt=LAUNCH_SALT)
    except signing.BadSignature:
        raise PreviewNotFound() from None
    version = CourseVersion.objects.select_related("course").filter(pk=payload.get("v")).first()
    if version is None:
        raise PreviewNotFound()
    return version, PlayerOptions.from_payload(payload.get("o") or {})


def preview_session_open(*, version: CourseVersion, options: PlayerOptions) -> PreviewSession:
    """Start a preview session on `version` (forgetting sessions that have ended). A cmi5
    launch is recorded with the `launched` statement the LMS owes before the AU runs."""
    now = timezone.now()
    PreviewSession.objects.filter(expires_at__lt=now).delete()
    activity = start_activity(version, options.start_sco)
    activity_id = version_activity_id(version)
    if version.learning_standard == LearningStandard.CMI5:
        activity_id = cmi5_activity_id(version, activity)
    session = PreviewSession.objects.create(
        version=version,
        activity_id=activity_id,
        expires_at=now + timedelta(seconds=settings.COURSE_PREVIEW_SESSION_SECONDS),
    )
    if version.learning_standard == LearningStandard.CMI5:
        from vle.content.lrs import cmi5_launched_record

        cmi5_launched_record(session=session, activity=activity)
    return session


def session_token(session: PreviewSession) -> str:
    return token_make(
        {"r": str(session.registration)},
        salt=SESSION_SALT,
        max_age=settings.COURSE_PREVIEW_SESSION_SECONDS,
    )


def preview_session_read(token: str) -> PreviewSession:
    """The live session a session token names; `PreviewNotFound` for anything else (forged,
    expired, or a session whose version was deleted)."""
    try:
        registration = uuid.UUID(str(token_read(token, salt=SESSION_SALT).get("r")))
    except (signing.BadSignature, LinkExpired, ValueError):
        raise PreviewNotFound() from None
    session = (
        PreviewSession.objects.select_related("version__course")
        .filter(registration=registration, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        raise PreviewNotFound()
    return session


def session_credential(session: PreviewSession) -> str:
    """The HTTP Basic credential (the part after `Basic `) of a session's xAPI calls."""
    raw = f"{BASIC_USER}:{session_token(session)}".encode()
    return base64.b64encode(raw).decode("ascii")


def session_from_authorization(header: str) -> PreviewSession:
    """The session an `Authorization: Basic ...` header carries; `PreviewNotFound` if none."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        raise PreviewNotFound()
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise PreviewNotFound() from None
    user, _, token = decoded.partition(":")
    if user != BASIC_USER:
        raise PreviewNotFound()
    return preview_session_read(token)


# --- What the player launches -----------------------------------------------------------


def files_url(token: str, href: str) -> str:
    """The URL of a package file (`href` relative to the package root, possibly with a query
    string or fragment) inside a session's file tree."""
    parts = urlsplit(href)
    base = reverse("content-preview-files", kwargs={"token": token, "path": "x"})[:-1]
    url = base + quote(parts.path.lstrip("/"), safe="/!$&'()*+,;=:@~")
    if parts.query:
        url += "?" + parts.query
    if parts.fragment:
        url += "#" + parts.fragment
    return url


def _with_query(url: str, params: dict[str, str]) -> str:
    base, _, fragment = url.partition("#")
    joined = base + ("&" if "?" in base else "?") + urlencode(params)
    return joined + ("#" + fragment if fragment else "")


def _is_absolute(href: str) -> bool:
    return urlsplit(href).scheme in ("http", "https")


def player_settings(version: CourseVersion) -> dict[str, str]:
    """The effective configuration settings of a version (its own, else its course's, else
    the catalogue's defaults)."""
    from vle.content.selectors import settings_effective

    items = settings_effective(course=version.course, version=version)
    return {setting.id: item["effectiveValue"] for setting, item in items}


def player_config(*, session: PreviewSession, options: PlayerOptions, request) -> dict[str, Any]:
    """Everything the player page needs: the URL it frames, how it looks (the version's
    `Player...` settings), and for SCORM the runtime's settings, for xAPI and cmi5 the launch
    parameters already in that URL."""
    version = session.version
    token = session_token(session)
    activity = start_activity(version, options.start_sco)
    href = activity.get("href") or ""
    standard = version.learning_standard
    settings_ = player_settings(version)
    config: dict[str, Any] = {
        "title": version.title or version.course.title or version.course.course_id,
        "exit": options.redirect_on_exit_url or "message",
        "exitMessage": settings_.get("PlayerExitMessage", ""),
        "navBar": settings_.get("PlayerShowNavBar", "true") == "true",
        "learner": preview_learner(),
    }
    if not href and version.reference_url:
        config.update(standard="media", launchUrl=version.reference_url)
        return config
    launch = href if _is_absolute(href) else files_url(token, href)
    endpoint = request.build_absolute_uri(reverse("content-xapi-root"))
    actor = preview_actor()
    if standard in SCORM_12 or standard in SCORM_2004:
        config.update(
            standard="scorm12" if standard in SCORM_12 else "scorm2004",
            launchUrl=launch,
            runtimeUrl=reverse("content-preview-runtime", kwargs={"token": token}),
            mode="normal",
            credit="credit",
            commitEvery=int(settings_.get("PlayerCommCommitFrequency") or 10000),
            **_scorm_launch_values(activity, standard),
        )
    elif standard == LearningStandard.CMI5:
        fetch = request.build_absolute_uri(
            reverse("content-preview-fetch", kwargs={"token": token})
        )
        params = {
            "endpoint": endpoint,
            "fetch": fetch,
            "actor": _json(actor),
            "registration": str(session.registration),
            "activityId": session.activity_id,
        }
        config.update(standard="cmi5", launchUrl=_with_query(launch, params))
    elif standard == LearningStandard.XAPI:
        params = {
            "endpoint": endpoint,
            "auth": "Basic " + session_credential(session),
            "actor": _json(actor),
            "registration": str(session.registration),
            "activity_id": session.activity_id,
        }
        config.update(standard="xapi", launchUrl=_with_query(launch, params))
    else:
        config.update(standard=str(standard).lower(), launchUrl=launch)
    return config


def _scorm_launch_values(activity: dict[str, Any], standard: str) -> dict[str, Any]:
    """What the manifest says the SCO's data model starts with: its passing score, as
    `cmi.scaled_passing_score` (2004) or `cmi.student_data.mastery_score` (1.2, 0-100), and
    (2004) the ids of its sequencing objectives."""
    values: dict[str, Any] = {}
    if standard in SCORM_2004 and activity.get("objectiveIds"):
        values["objectives"] = list(activity["objectiveIds"])
    try:
        scaled = float(activity.get("scaledPassingScore"))
    except (TypeError, ValueError):
        return values
    if standard in SCORM_12:
        values["masteryScore"] = f"{scaled * 100:g}"
    else:
        values["scaledPassingScore"] = f"{scaled:g}"
    return values


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


# --- cmi5 ---------------------------------------------------------------------------------


def cmi5_activity_id(version: CourseVersion, activity: dict[str, Any]) -> str:
    """The LMS-generated activity id of an AU, distinct from the AU's publisher id as cmi5
    requires, and stable for the AU within its course version."""
    publisher = activity.get("externalIdentifier") or activity.get("itemIdentifier") or ""
    digest = uuid.uuid5(uuid.NAMESPACE_URL, f"{version.pk}:{publisher}")
    return f"{version_activity_id(version).rstrip('/')}/au/{digest}"


def cmi5_launch_data(session: PreviewSession, activity: dict[str, Any]) -> dict[str, Any]:
    """The `LMS.LaunchData` state document of a cmi5 session (cmi5 section 10)."""
    publisher = activity.get("externalIdentifier") or activity.get("itemIdentifier") or ""
    data: dict[str, Any] = {
        "contextTemplate": cmi5_context_template(session, publisher),
        "launchMode": "Normal",
        "launchMethod": activity.get("launchMethod") or "AnyWindow",
        "moveOn": activity.get("moveOn") or "NotApplicable",
    }
    mastery = activity.get("scaledPassingScore")
    if mastery not in (None, ""):
        with contextlib.suppress(TypeError, ValueError):
            data["masteryScore"] = float(mastery)
    if activity.get("launchParameters"):
        data["launchParameters"] = activity["launchParameters"]
    if activity.get("entitlementKey"):
        data["entitlementKey"] = {"courseStructure": activity["entitlementKey"]}
    return data


def cmi5_context_template(session: PreviewSession, publisher_id: str) -> dict[str, Any]:
    grouping = [{"objectType": "Activity", "id": publisher_id}] if publisher_id else []
    return {
        "contextActivities": {"grouping": grouping},
        "extensions": {CMI5_SESSION_EXTENSION: str(cmi5_session_id(session))},
    }


def cmi5_session_id(session: PreviewSession) -> uuid.UUID:
    return uuid.uuid5(session.registration, "cmi5-session")
