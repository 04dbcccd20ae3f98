"""Verification requests coming in: a sample from a browser plugin (LAPI) or a document
attached by a VLE. Each becomes a `Request` with one `RequestResult` per instrument that
watches the learner in the activity, and is handed to the verification pipeline.

The intake's rules live here once, for every door: the body names the URL's learner (403),
the activity is one of the course's in the learner's institution, the learner is in the
course, a session is the learner's own in that activity, and the learner consents (each a
ValidationError naming the field, which the intake endpoints wrap in their `{"status":
"ERROR"}` envelope)."""

import json
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from institution.models import Institution, Learner
from institution.selectors import learner_ic_status
from reports.models import Request, RequestResult, RequestStatus
from reports.services.verification import verification_request_schedule
from tesla.errors import Forbidden
from vle.models import Activity, AssessmentSession, Instrument
from vle.selectors import activity_learner_instruments

FILENAME_MAX = 80


def safe_filename(value, *, default: str) -> str:
    """A client-given file name made safe for a storage key: only its last path component,
    only letters, digits and `._-`, at most FILENAME_MAX characters (`default` when empty)."""
    if not isinstance(value, str) or not value.strip():
        value = default
    return "".join(
        char if char.isalnum() or char in "._-" else "_" for char in value.split("/")[-1]
    )[:FILENAME_MAX]


def intake_learner_check(*, learner: Learner, learner_id: UUID) -> None:
    """The body speaks of the URL's learner: one learner cannot send samples as another
    (Forbidden, a 403, since the caller may only speak for the URL's learner)."""
    if learner_id != learner.learner_id:
        raise Forbidden("The body's learner_id is not the learner of the URL.")


def intake_consent_check(*, learner: Learner) -> None:
    """Nothing of a learner is stored before they accept the current informed consent."""
    if not learner_ic_status(learner).startswith("VALID"):
        raise ValidationError(
            {"learner_id": ["The learner has not accepted the current informed consent."]}
        )


def intake_activity_resolve(
    *, institution: Institution, course_id: int, activity_id: int
) -> Activity:
    """The activity a sample is sent for: one of the course's, in the institution."""
    activity = (
        Activity.objects.filter(
            pk=activity_id, course_id=course_id, course__vle__institution=institution
        )
        .select_related("course")
        .first()
    )
    if activity is None:
        raise ValidationError({"activity_id": ["Unknown activity of this course."]})
    return activity


def intake_course_member_check(*, learner: Learner, activity: Activity) -> None:
    """Only a learner of the activity's course sends samples for it."""
    if not activity.course.learners.filter(pk=learner.pk).exists():
        raise ValidationError({"learner_id": ["The learner is not in this course."]})


def intake_session_resolve(
    *, session_id: int | None, learner: Learner, activity: Activity
) -> AssessmentSession | None:
    """The assessment session a sample belongs to (None when none is named): it must be the
    learner's own session of this activity, closed or not."""
    if session_id is None:
        return None
    session = AssessmentSession.objects.filter(
        pk=session_id, learner=learner, activity=activity
    ).first()
    if session is None:
        raise ValidationError({"session_id": ["Unknown session of this learner and activity."]})
    return session


def _storage_name(*, learner: Learner, activity: Activity, session, metadata: dict) -> str:
    """Where the payload is kept, as the original laid it out (anchor-core §1.19):
    `{inst}/requests/{learner uuid}/{course}/{activity}/sessions/{session}/...` for samples of a
    session, `.../documents/...` for documents sent outside one."""
    institution_id = learner.institution_user.institution_id
    folder = f"sessions/{session.pk}" if session is not None else "documents"
    filename = safe_filename(
        metadata.get("filename") if isinstance(metadata, dict) else None,
        default="request" if session is not None else "document",
    )
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return (
        f"{institution_id}/requests/{learner.learner_id}/{activity.course_id}/{activity.pk}/"
        f"{folder}/{stamp}_{filename}.json"
    )


def _resolved_instruments(*, learner: Learner, activity: Activity, instruments) -> list[int]:
    """The requested instruments that watch this learner in this activity.

    Unknown ids, instruments switched off globally and instruments that are not active in the
    activity are errors. Instruments the learner's SEND replaces with alternatives are left
    out (the plugin or VLE should not send them; a face sample cannot feed keystroke dynamics);
    if nothing is left the request is refused, never stored half-usable."""
    if not isinstance(instruments, list | tuple) or not instruments:
        raise ValidationError({"instruments": ["A non-empty list of instrument ids is required."]})
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in instruments):
        raise ValidationError({"instruments": ["Instrument ids must be integers."]})
    requested = list(dict.fromkeys(instruments))
    known = {
        instrument.pk: instrument for instrument in Instrument.objects.filter(pk__in=requested)
    }
    unknown = [pk for pk in requested if pk not in known]
    if unknown:
        raise ValidationError({"instruments": [f"Unknown instrument ids: {unknown}."]})
    configured = {row.instrument_id for row in activity.configuration.all() if row.active}
    inactive = [pk for pk in requested if not known[pk].enabled or pk not in configured]
    if inactive:
        raise ValidationError(
            {"instruments": [f"Instruments not active in this activity: {inactive}."]}
        )
    resolved = {
        row.instrument_id
        for row in activity_learner_instruments(activity=activity, learner=learner)
    }
    kept = [pk for pk in requested if pk in resolved]
    if not kept:
        raise ValidationError(
            {"instruments": ["None of these instruments applies to this learner here."]}
        )
    return kept


def verification_request_create(
    *,
    learner: Learner,
    activity: Activity,
    instruments: list[int],
    data: str,
    metadata: dict | None,
    session_id: int | None = None,
) -> Request:
    """Store a sample or document of a learner to verify with some instruments.

    Refuses (ValidationError naming the field) a session that is not the learner's in this
    activity, a learner without valid informed consent, and instruments that are unknown,
    inactive, or do not apply to the learner (SEND alternatives resolved by
    `activity_learner_instruments`). Creates the Request, its payload file, one RequestResult
    per kept instrument, and schedules verification (provider results to fill, or immediate
    outcomes when no provider can). Must run inside a transaction (requests are atomic);
    report work is committed with it."""
    session = intake_session_resolve(session_id=session_id, learner=learner, activity=activity)
    intake_consent_check(learner=learner)
    if not isinstance(data, str):
        raise ValidationError({"data": ["A string is required."]})
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ValidationError({"metadata": ["An object is required."]})
    kept = _resolved_instruments(learner=learner, activity=activity, instruments=instruments)

    request = Request.objects.create(
        learner=learner,
        activity=activity,
        session=session,
        status=RequestStatus.STORED,
        metadata=metadata,
    )
    payload = {
        "learner_id": str(learner.learner_id),
        "course_id": activity.course_id,
        "activity_id": activity.pk,
        "session_id": session.pk if session is not None else None,
        "instruments": kept,
        "metadata": metadata,
        "data": data,
    }
    request.data.save(
        _storage_name(learner=learner, activity=activity, session=session, metadata=metadata),
        ContentFile(json.dumps(payload).encode()),
        save=False,
    )
    request.save(update_fields=["data"])
    request.instruments.set(kept)
    RequestResult.objects.bulk_create(
        RequestResult(request=request, instrument_id=instrument_id) for instrument_id in kept
    )
    verification_request_schedule(request=request)
    return request


def lapi_verification_receive(
    *,
    institution: Institution,
    learner: Learner,
    course_id: int,
    activity_id: int,
    instruments: list[int],
    data: str,
    metadata: dict | None = None,
    session_id: int | None = None,
) -> Request:
    """A sample the browser plugin sends about a learner of `institution`: the activity must
    be the course's and the learner in the course, then it becomes a verification request."""
    activity = intake_activity_resolve(
        institution=institution, course_id=course_id, activity_id=activity_id
    )
    intake_course_member_check(learner=learner, activity=activity)
    return verification_request_create(
        learner=learner,
        activity=activity,
        instruments=instruments,
        data=data,
        metadata=metadata or {},
        session_id=session_id,
    )
