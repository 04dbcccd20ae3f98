"""Rules for what the institution side may change in the VLE app: registering VLEs, the
instrument catalogue, course groups, course enrolments, activities and the instruments
configured on each activity.

Every function is keyword-only and raises `rest_framework.exceptions.ValidationError` keyed by
the request field at fault, so views answer 400 naming it. Writes run inside the request's
transaction (ATOMIC_REQUESTS).
"""

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from jsonschema import SchemaError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rest_framework.exceptions import ValidationError

from institution.models import CourseGroup, Institution, Instructor, Learner
from tesla.services import model_update
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument

# VLEs ----------------------------------------------------------------------------------------


def vle_lti(*, url: str | None, lti: dict | None = None) -> dict:
    """The LTI settings of a VLE: the LTI 1.1 consumer key and secret (kept when they already
    exist, otherwise new uuid4 strings) and, when the VLE has a url, the Moodle LTI 1.3
    endpoints under it."""
    current = dict(lti or {})
    settings = {
        "consumer_key": current.get("consumer_key") or str(uuid.uuid4()),
        "consumer_secret": current.get("consumer_secret") or str(uuid.uuid4()),
    }
    if url:
        base = url.rstrip("/")
        settings.update(
            auth_login_url=f"{base}/mod/lti/auth.php",
            auth_token_url=f"{base}/mod/lti/token.php",
            key_set_url=f"{base}/mod/lti/certs.php",
        )
    return settings


def vle_check_url(*, url: str | None) -> str | None:
    """A VLE url is empty (None) or an absolute http(s) URL; host names without a domain
    (`http://moodle:8080`, common in containers) are fine."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationError({"url": ["Must be an absolute http or https URL."]})
    return url


def vle_create(
    *,
    institution: Institution,
    name: str,
    type: int = VLE.Type.MOODLE,
    url: str | None = None,
    client_id: str | None = None,
) -> tuple[VLE, dict[str, str]]:
    """Register a VLE of an institution with fresh LTI settings and module credentials.

    Returns the VLE and its credentials `{role_id, secret_id}`; the secret is shown only now."""
    vle = VLE.objects.create(
        institution=institution,
        name=name,
        type=type,
        url=url,
        client_id=client_id,
        lti=vle_lti(url=url),
    )
    return vle, vle.issue_credentials()


def vle_update(*, vle: VLE, **changes: Any) -> VLE:
    """Change a VLE's name, type, url or client id. A new url moves the LTI 1.3 endpoints;
    the LTI 1.1 key and secret stay."""
    if "url" in changes:
        changes["lti"] = vle_lti(url=changes["url"], lti=vle.lti)
    model_update(instance=vle, data=changes)
    return vle


def vle_renew_credentials(*, vle: VLE) -> dict[str, str]:
    """Give the VLE a new secret; the previous one stops working at once."""
    return vle.issue_credentials()


# Instrument catalogue ------------------------------------------------------------------------


def instrument_check_options_schema(*, schema: Any) -> None:
    """An instrument's options schema is null or a valid JSON Schema object."""
    if schema is None:
        return
    if not isinstance(schema, dict):
        raise ValidationError({"options_schema": ["Must be a JSON Schema object or null."]})
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as error:
        raise ValidationError(
            {"options_schema": [f"Not a valid JSON Schema: {error.message}"]}
        ) from error


# Course groups -------------------------------------------------------------------------------


def _course_of_institution(*, institution: Institution, course_id: Any, field: str) -> Course:
    course = Course.objects.filter(vle__institution=institution, pk=course_id).first()
    if course is None:
        raise ValidationError({field: ["Course not found in this institution."]})
    return course


def group_add_course(*, group: CourseGroup, course_id: int) -> Course:
    """Put an existing course of the group's institution in the group (nothing happens when
    it is already there)."""
    course = _course_of_institution(institution=group.institution, course_id=course_id, field="id")
    group.courses.add(course)
    return course


def group_relink_course(*, group: CourseGroup, course: Course, course_id: int) -> Course:
    """Replace `course` in the group by the course `course_id` of the same institution."""
    replacement = _course_of_institution(
        institution=group.institution, course_id=course_id, field="id"
    )
    if replacement.pk != course.pk:
        group.courses.remove(course)
        group.courses.add(replacement)
    return replacement


def group_remove_course(*, group: CourseGroup, course: Course) -> None:
    """Take the course out of the group; the course itself stays."""
    group.courses.remove(course)


# Course enrolments ---------------------------------------------------------------------------


def _instructor_by_uid(*, course: Course, uid: str) -> Instructor:
    instructor = (
        Instructor.objects.select_related("institution_user__user")
        .filter(
            institution_user__institution_id=course.vle.institution_id,
            institution_user__uid=uid,
        )
        .first()
    )
    if instructor is None:
        raise ValidationError({"uid": [f"No instructor with uid '{uid}' in this institution."]})
    return instructor


def _learner_by_uid(*, course: Course, uid: str) -> Learner:
    learner = (
        Learner.objects.filter(
            institution_user__institution_id=course.vle.institution_id,
            institution_user__uid=uid,
        )
        .select_related("institution_user__user")
        .first()
    )
    if learner is None:
        raise ValidationError({"uid": [f"No learner with uid '{uid}' in this institution."]})
    return learner


def course_enrol_instructor_by_uid(*, course: Course, uid: str) -> Instructor:
    """Make the institution's instructor with this uid an instructor of the course.
    Enrolling someone already enrolled changes nothing."""
    instructor = _instructor_by_uid(course=course, uid=uid)
    course.instructors.add(instructor)
    return instructor


def course_replace_instructor(*, course: Course, instructor: Instructor, uid: str) -> Instructor:
    """Swap an instructor of the course for the institution's instructor with this uid."""
    replacement = _instructor_by_uid(course=course, uid=uid)
    if replacement.pk != instructor.pk:
        course.instructors.remove(instructor)
        course.instructors.add(replacement)
    return replacement


def course_unenrol_instructor(*, course: Course, instructor: Instructor) -> None:
    """Remove an instructor from the course; the person stays an instructor elsewhere."""
    course.instructors.remove(instructor)


def course_enrol_learner_by_uid(*, course: Course, uid: str) -> Learner:
    """Make the institution's learner with this uid a learner of the course. Enrolling
    someone already enrolled changes nothing."""
    learner = _learner_by_uid(course=course, uid=uid)
    course.learners.add(learner)
    return learner


def course_replace_learner(*, course: Course, learner: Learner, uid: str) -> Learner:
    """Swap a learner of the course for the institution's learner with this uid."""
    replacement = _learner_by_uid(course=course, uid=uid)
    if replacement.pk != learner.pk:
        course.learners.remove(learner)
        course.learners.add(replacement)
    return replacement


def course_unenrol_learner(*, course: Course, learner: Learner) -> None:
    """Remove a learner from the course; their data (consent, SEND, reports) stays."""
    course.learners.remove(learner)


# Activities ----------------------------------------------------------------------------------


def activity_create(
    *,
    course: Course,
    vle_activity_type: str,
    vle_activity_id: str,
    **values: Any,
) -> Activity:
    """Record an activity of the course ahead of the VLE's own sync. It belongs to the
    course's VLE, where (type, id) must be new."""
    taken = Activity.objects.filter(
        vle_id=course.vle_id,
        vle_activity_type=vle_activity_type,
        vle_activity_id=vle_activity_id,
    ).exists()
    if taken:
        raise ValidationError(
            {"vle_activity_id": ["This VLE already has an activity with this type and id."]}
        )
    return Activity.objects.create(
        vle_id=course.vle_id,
        course=course,
        vle_activity_type=vle_activity_type,
        vle_activity_id=vle_activity_id,
        **values,
    )


# Activity instruments ------------------------------------------------------------------------


def parse_options(value: Any) -> Any:
    """Options as sent: a JSON object, or (as the dashboard does) a string holding one."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except ValueError as error:
            raise ValidationError({"options": ["Not valid JSON."]}) from error
    return value


def activity_instrument_check_options(*, instrument: Instrument, options: Any) -> None:
    """Options are null (the instrument's defaults) or a JSON object that satisfies the
    instrument's options schema, when it has one."""
    if options is None:
        return
    if not isinstance(options, dict):
        raise ValidationError({"options": ["Must be a JSON object or null."]})
    schema = instrument.options_schema
    if not schema:
        return
    try:
        validator = validator_for(schema)(schema)
        error = best_match(validator.iter_errors(options))
    except SchemaError as exc:
        raise ValidationError(
            {"options": ["The instrument's options schema is not valid; ask an administrator."]}
        ) from exc
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path)
        message = f"{where}: {error.message}" if where else error.message
        raise ValidationError({"options": [message]})


def _check_instrument_row(
    *,
    activity: Activity,
    row: ActivityInstrument | None,
    instrument: Instrument,
    alternative_to: ActivityInstrument | None,
    options: Any,
) -> None:
    others = ActivityInstrument.objects.filter(activity=activity)
    if row is not None:
        others = others.exclude(pk=row.pk)
    if others.filter(instrument=instrument).exists():
        raise ValidationError(
            {"instrument_id": ["This instrument is already configured for this activity."]}
        )
    if alternative_to is not None:
        if alternative_to.activity_id != activity.pk:
            raise ValidationError({"alternative_to": ["Not an instrument of this activity."]})
        if row is not None and alternative_to.pk == row.pk:
            raise ValidationError({"alternative_to": ["A row cannot be its own alternative."]})
        if alternative_to.alternative_to_id is not None:
            raise ValidationError(
                {"alternative_to": ["Alternatives can only replace a primary instrument."]}
            )
        if row is not None and row.alternatives.exists():
            raise ValidationError(
                {"alternative_to": ["A row that has alternatives cannot become one."]}
            )
    activity_instrument_check_options(instrument=instrument, options=options)


def _lock_configuration(activity: Activity) -> None:
    # Two concurrent writes could both pass the one-row-per-instrument and alternative checks;
    # locking the activity row serialises them so the loser gets a 400, not a 409 or a chain.
    Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk").first()


def _instrument(instrument_id: Any) -> Instrument:
    instrument = Instrument.objects.filter(pk=instrument_id).first()
    if instrument is None:
        raise ValidationError({"instrument_id": [f"Instrument {instrument_id} does not exist."]})
    return instrument


def _alternative(*, activity: Activity, alternative_to: Any) -> ActivityInstrument | None:
    if alternative_to is None:
        return None
    primary = ActivityInstrument.objects.filter(pk=alternative_to, activity=activity).first()
    if primary is None:
        raise ValidationError({"alternative_to": ["Not an instrument of this activity."]})
    return primary


def activity_instrument_create(
    *,
    activity: Activity,
    instrument_id: int,
    active: bool,
    options: Any = None,
    alternative_to: int | None = None,
) -> ActivityInstrument:
    """Configure an instrument on an activity: one row per instrument; an alternative row
    replaces a primary row of the same activity for learners whose SEND disables it; options
    must satisfy the instrument's options schema."""
    instrument = _instrument(instrument_id)
    primary = _alternative(activity=activity, alternative_to=alternative_to)
    options = parse_options(options)
    with transaction.atomic():
        _lock_configuration(activity)
        _check_instrument_row(
            activity=activity,
            row=None,
            instrument=instrument,
            alternative_to=primary,
            options=options,
        )
        return ActivityInstrument.objects.create(
            activity=activity,
            instrument=instrument,
            active=active,
            options=options,
            alternative_to=primary,
        )


_UNSET = object()


def activity_instrument_update(
    *,
    row: ActivityInstrument,
    instrument_id: Any = _UNSET,
    active: Any = _UNSET,
    options: Any = _UNSET,
    alternative_to: Any = _UNSET,
) -> ActivityInstrument:
    """Change an activity instrument; only the given fields change. The result must still
    satisfy the rules of `activity_instrument_create` (a new instrument re-checks the stored
    options against its schema)."""
    activity = row.activity
    with transaction.atomic():
        _lock_configuration(activity)
        # Judge the change against the row as it is now, not as this request first read it.
        row.refresh_from_db()
        changes: dict[str, Any] = {}
        if instrument_id is not _UNSET:
            changes["instrument"] = _instrument(instrument_id)
        if alternative_to is not _UNSET:
            changes["alternative_to"] = _alternative(
                activity=activity, alternative_to=alternative_to
            )
        if options is not _UNSET:
            changes["options"] = parse_options(options)
        if active is not _UNSET:
            changes["active"] = active
        _check_instrument_row(
            activity=activity,
            row=row,
            instrument=changes.get("instrument", row.instrument),
            alternative_to=changes.get("alternative_to", row.alternative_to),
            options=changes.get("options", row.options),
        )
        model_update(instance=row, data=changes)
    return row
