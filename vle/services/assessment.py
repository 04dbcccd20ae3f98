"""Assessment sessions: a learner sitting an activity while the browser plugin watches.

A VLE opens a session when a learner enters an activity page (`assessment_session_start`),
gives the session back on later page views (`assessment_session_resume`) and closes it when the
learner submits (`assessment_session_close`). Opening checks the learner's informed consent and
enrolment first; a refusal is an `AssessmentRejected` with the original's status codes, which
the VLE plugin turns into a redirect (consent page, enrolment page).

An open session carries what the browser needs: `plugin_config` (the original's data.json: the
learner's token, instruments, sensors, accessibility, launcher...) and a connector script that
loads the plugin; both are served at URLs holding the session's unguessable `access_key`,
because a `<script src>` sends no token.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from institution.models import Learner
from institution.selectors import learner_ic_status, learner_send
from tesla import tokens
from tesla.errors import NotFound
from tesla.precompiled import Lookup
from vle.models import VLE, Activity, ActivityInstrument, AssessmentSession, Launcher
from vle.selectors import activity_learner_instruments
from vle.services.enrolments import LEARNER

# Status codes of a refusal (the original's apps/api/status.py).
MISSING_IC = 2
INVALID_IC = 3
MISSING_ENROLMENT = 4

DEFAULT_OPTIONS = {"floating_menu_initial_pos": "top-right"}
SENSORS = ("camera", "keyboard", "microphone", "activity")

# learner, activity, watching (the instruments that watch the learner) ->
# {"missing_enrolments": bool, "instruments": {id: status}, ...}
EnrolmentCheck = Callable[..., dict]


class AssessmentRejected(Exception):
    """The learner may not start the activity yet: informed consent missing (2) or not valid
    (3), or an enrolment the activity needs is missing (4)."""

    def __init__(self, status: int, message: str, **details: Any):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details

    @property
    def body(self) -> dict:
        return {"status": self.status, "message": self.message, **self.details}


# Instruments and sensors ---------------------------------------------------------------------


def instrument_sensors(row: ActivityInstrument) -> set[str]:
    """What an activity instrument needs from the learner's browser or submission.

    Face and voice recognition use the camera/microphone during the activity when their
    `online` option is on (the default) and analyse delivered files when `offline` is on;
    keystroke dynamics uses the keyboard; forensic analysis and plagiarism detection analyse
    the delivered work ("activity"). Null options mean the defaults (the original crashed)."""
    options = row.options if isinstance(row.options, dict) else {}
    online = options.get("online", True) is True
    offline = options.get("offline", False) is True
    acronym = row.instrument.acronym
    if acronym == "fr":
        return _capture("camera", online, offline)
    if acronym == "vr":
        return _capture("microphone", online, offline)
    if acronym == "ks":
        return {"keyboard"}
    if acronym in {"fa", "plag"}:
        return {"activity"}
    return set()


def _capture(device: str, online: bool, offline: bool) -> set[str]:
    return ({device} if online else set()) | ({"activity"} if offline else set())


def instrument_takes_documents(row: ActivityInstrument) -> bool:
    """Whether the instrument analyses documents the VLE delivers (attachments)."""
    return "activity" in instrument_sensors(row)


# Resolving what the VLE names ----------------------------------------------------------------


def assessment_activity(
    *,
    vle: VLE,
    vle_activity_type: str | None = None,
    vle_activity_id: str | None = None,
    activity_pk: int | None = None,
) -> Activity:
    """The VLE's activity, by its VLE (type, id) or by its TeSLA id (404 "Activity not
    found")."""
    if activity_pk is not None:
        activity = _ACTIVITY_BY_PK.first(vle_id=vle.pk, pk=activity_pk)
    else:
        activity = _ACTIVITY_BY_VLE_IDS.first(
            vle_id=vle.pk, type=vle_activity_type or "", id=vle_activity_id or ""
        )
    if activity is None:
        raise NotFound("Activity not found")
    activity.vle = vle
    return activity


# The two lookups of `assessment_activity` (SQL compiled once: every session opens with one).
def _vle_activities(vle_id: int):
    return Activity.objects.filter(vle_id=vle_id).select_related("course").order_by("pk")


_ACTIVITY_BY_PK = Lookup(
    Activity, lambda vle_id, pk: _vle_activities(vle_id).filter(pk=pk)[:1], vle_id=-1, pk=-2
)
_ACTIVITY_BY_VLE_IDS = Lookup(
    Activity,
    lambda vle_id, type, id: _vle_activities(vle_id).filter(
        vle_activity_type=type, vle_activity_id=id
    )[:1],
    vle_id=-1,
    type="\x00type",
    id="\x00id",
)


def assessment_learner(
    *, vle: VLE, uid: str | None = None, learner_ref: str | None = None
) -> Learner:
    """The learner of the VLE's institution with this uid; or named by `learner_ref`, which
    is the learner's public UUID (`learner_id`) or else their uid (404 "Learner not found")."""
    # Consent, SEND and person are all read while opening the session: load them once here.
    learner = None
    if uid is not None:
        learner = LEARNER.holder(institution_id=vle.institution_id, uid=uid)
    elif learner_ref is not None:
        learners = LEARNER.holders(institution_id=vle.institution_id)
        try:
            learner = learners.filter(learner_id=uuid.UUID(str(learner_ref))).first()
        except ValueError:
            learner = learners.filter(institution_user__uid=learner_ref).first()
    if learner is None:
        raise NotFound("Learner not found")
    return learner


# Opening, resuming, closing ------------------------------------------------------------------


def assessment_check_consent(*, learner: Learner) -> None:
    """Refuse a learner without informed consent (2) or whose consent is not valid now (3).
    Institutions that handle consent themselves (`external_ic`) are not checked."""
    if learner.institution_user.institution.external_ic:
        return
    if learner.consent_id is None or learner.consent_accepted is None or learner.consent_rejected:
        raise AssessmentRejected(MISSING_IC, "Missing Informed Consent")
    if not learner_ic_status(learner).startswith("VALID"):
        raise AssessmentRejected(INVALID_IC, "Invalid Informed Consent")


def _named_enrolments(enrolments: dict, rows: list[ActivityInstrument]) -> dict:
    """The missing-enrolment object with each instrument's acronym and name added, so the
    refusal says which instruments need enrolling."""
    names = {row.instrument_id: row.instrument for row in rows}
    instruments = {}
    for instrument_id, entry in (enrolments.get("instruments") or {}).items():
        instrument = names.get(int(instrument_id))
        instruments[instrument_id] = {
            **entry,
            "acronym": instrument.acronym if instrument else None,
            "name": instrument.name if instrument else None,
        }
    return {**enrolments, "instruments": instruments}


def assessment_session_start(
    *,
    activity: Activity,
    learner: Learner,
    enrolment_check: EnrolmentCheck,
    max_ttl: int = 120,
    locale: str | None = None,
    redirect_reject_url: str | None = None,
    reject_message: str | None = None,
    options: dict | None = None,
) -> AssessmentSession:
    """Open a new session of the learner in the activity.

    Refused (`AssessmentRejected`, nothing written) without valid informed consent or, for an
    enabled activity, when an enrolment the learner's instruments need is missing
    (`enrolment_check`, SEND alternatives applied). Otherwise the learner joins the course,
    gets a token pair valid for `max_ttl` minutes of refreshes and a dashboard launcher, and
    the session keeps the browser plugin's configuration. A disabled activity still gets a
    session; its connector loads nothing."""
    assessment_check_consent(learner=learner)
    rows = activity_learner_instruments(activity=activity, learner=learner)
    enrolments = enrolment_check(learner=learner, activity=activity, watching=rows)
    if enrolments.get("missing_enrolments"):
        raise AssessmentRejected(
            MISSING_ENROLMENT, "Missing Enrolment", enrolments=_named_enrolments(enrolments, rows)
        )
    now = timezone.now()
    session = AssessmentSession.objects.create(activity=activity, learner=learner)
    activity.course.learners.add(learner)
    pair = tokens.issue_pair(
        principal_type="learner",
        pk=learner.pk,
        sub=str(learner.learner_id),
        refresh_minutes=max_ttl,
        extra={"session_id": session.pk, "mode": "verification"},
    )
    launcher = Launcher.objects.create(
        user=learner.institution_user,
        session=session,
        target=Launcher.Target.DASHBOARD,
        refresh_minutes=max_ttl,
        expires_at=now + timedelta(minutes=max_ttl),
    )
    session.plugin_config = _plugin_config(
        session=session,
        activity=activity,
        learner=learner,
        rows=rows,
        pair=pair,
        launcher=launcher,
        enrolments=enrolments,
        locale=locale,
        redirect_reject_url=redirect_reject_url,
        reject_message=reject_message,
        options={**DEFAULT_OPTIONS, **(options or {})},
    )
    session.save(update_fields=["plugin_config"])
    return session


def assessment_session_resume(
    *, vle: VLE, session_id: int, close: bool = False
) -> AssessmentSession:
    """Act on a session the VLE opened before: close it (`close`), or else confirm it is
    still open (its `checked_at` moves). A session of another VLE is unknown (404); a closed
    session cannot be closed again nor resumed (400, after which the plugin opens a new one)."""
    with transaction.atomic():
        session = (
            AssessmentSession.objects.select_for_update(of=("self",))
            .filter(pk=session_id, activity__vle=vle)
            .first()
        )
        if session is None:
            raise NotFound("Session not found")
        if session.closed_at is not None:
            message = "Cannot close a closed session." if close else "Closed session."
            raise ValidationError({"session_id": [message]})
        if close:
            assessment_session_close(session=session)
        else:
            session.checked_at = timezone.now()
            session.save(update_fields=["checked_at"])
    return session


def assessment_session_close(*, session: AssessmentSession, auto: bool = False) -> None:
    """Close the session; the learner's older sessions of the same activity that are still
    open are closed with it, marked as closed automatically."""
    now = timezone.now()
    session.closed_at = now
    session.auto_closed = auto
    session.save(update_fields=["closed_at", "auto_closed"])
    AssessmentSession.objects.filter(
        activity_id=session.activity_id,
        learner_id=session.learner_id,
        closed_at__isnull=True,
        pk__lt=session.pk,
    ).update(closed_at=now, auto_closed=True)


def assessment_session_open_by_key(*, access_key) -> AssessmentSession | None:
    """The open session whose connector or configuration URL holds this key; closed sessions
    no longer serve either (their tokens are of no further use to the page)."""
    try:
        key = uuid.UUID(str(access_key))
    except ValueError:
        return None
    return (
        AssessmentSession.objects.filter(access_key=key, closed_at__isnull=True)
        .select_related("activity")
        .first()
    )


def assessment_connector_active(session: AssessmentSession) -> bool:
    """Whether the connector loads the browser plugin: the activity is enabled and at least
    one instrument watches the learner."""
    config = session.plugin_config or {}
    return bool(config.get("activity", {}).get("enabled") and config.get("instruments"))


# The browser plugin's configuration (data.json) ----------------------------------------------


def web_plugin_base_url() -> str:
    """Where the browser plugin's static files (web-plugin.js, styles.css) are served."""
    return settings.WEB_PLUGIN_URL


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _plugin_config(
    *,
    session: AssessmentSession,
    activity: Activity,
    learner: Learner,
    rows: list[ActivityInstrument],
    pair: tokens.TokenPair,
    launcher: Launcher,
    enrolments: dict,
    locale: str | None,
    redirect_reject_url: str | None,
    reject_message: str | None,
    options: dict,
) -> dict:
    user = learner.institution_user.user
    course = activity.course
    sensors: dict[str, list[int]] = {name: [] for name in SENSORS}
    for row in rows:
        for sensor in sorted(instrument_sensors(row)):
            sensors[sensor].append(row.instrument_id)
    # The original left these all false (its §11 gap); the learner's SEND turns them on.
    enabled_options = set(learner_send(learner)["send"]["enabled_options"])
    return {
        "mode": "verification",
        "learner": {
            "id": learner.pk,
            "learner_id": str(learner.learner_id),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "picture": None,
            "institution_id": learner.institution_user.institution_id,
        },
        "session_id": session.pk,
        "activity": {
            "id": activity.pk,
            "vle_id": activity.vle_id,
            "name": activity.name,
            "description": activity.description,
            "enabled": activity.enabled,
            "start": _iso(activity.start),
            "end": _iso(activity.end),
            "allow_reject_capture": False,
            "redirect_reject_url": redirect_reject_url,
            "rejected_message": reject_message,
            "course": {
                "id": course.pk,
                "code": course.code,
                "description": course.description,
                "start": _iso(course.start),
                "end": _iso(course.end),
            },
        },
        "accessibility": {
            name: name in enabled_options
            for name in ("high_contrast", "big_fonts", "text_to_speech")
        },
        "instruments": [row.instrument_id for row in rows],
        "sensors": sensors,
        "token": pair.as_dict(),
        "enrolment": {
            **enrolments,
            "instruments": {str(k): v for k, v in (enrolments.get("instruments") or {}).items()},
        },
        "logo_url": None,
        "api_url": settings.PUBLIC_API_URL,
        "dashboard_url": settings.DASHBOARD_URL,
        "base_url": web_plugin_base_url(),
        "launcher": {"id": launcher.pk, "token": str(launcher.token)},
        "locale": locale,
        "options": options,
    }
