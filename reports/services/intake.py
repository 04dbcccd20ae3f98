"""Verification requests coming in: a sample from a browser plugin (LAPI) or a document
attached by a VLE. Each becomes a `Request` with one `RequestResult` per instrument that
watches the learner in the activity, and is handed to the verification pipeline."""

import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from institution.models import Learner
from institution.selectors import learner_ic_status
from reports.models import Request, RequestResult, RequestStatus
from reports.services.verification import verification_request_schedule
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
    metadata: dict,
    session: AssessmentSession | None = None,
) -> Request:
    """Store a sample or document of a learner to verify with some instruments.

    Refuses (ValidationError naming the field) a learner without valid informed consent, a
    session of another learner or activity, and instruments that are unknown, inactive, or do
    not apply to the learner (SEND alternatives resolved by `activity_learner_instruments`).
    Creates the Request, its payload file, one RequestResult per kept instrument, and schedules
    verification (provider results to fill, or immediate outcomes when no provider can).
    Must run inside a transaction (requests are atomic); report work is committed with it."""
    if not learner_ic_status(learner).startswith("VALID"):
        raise ValidationError(
            {"learner_id": ["The learner has not accepted the current informed consent."]}
        )
    if not isinstance(data, str):
        raise ValidationError({"data": ["A string is required."]})
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise ValidationError({"metadata": ["An object is required."]})
    if session is not None and (
        session.learner_id != learner.pk or session.activity_id != activity.pk
    ):
        raise ValidationError(
            {"session_id": ["The session belongs to another learner or activity."]}
        )
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
