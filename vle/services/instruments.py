"""Instruments: the options schema of the catalogue's instruments, and the instruments
configured on each activity (one row per instrument, alternatives, options).

An instrument (or a provider of one) may declare a JSON Schema for its options; the options
configured for it must satisfy that schema. `options_schema_check` and `options_check` are the
one rule for both, whichever door the schema or the options come through.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from jsonschema import SchemaError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from tesla.services import NOT_GIVEN, given, model_update
from vle.models import Activity, ActivityInstrument, Instrument

# The catalogue, options schemas and options ---------------------------------------------------


def options_schema_check(*, schema: Any, field: str | None = "options_schema") -> None:
    """An options schema is null or a valid JSON Schema object (400 naming `field`; with no
    field, for a serializer's field validator, the bare messages)."""

    def invalid(message: str) -> ValidationError:
        return ValidationError({field: [message]} if field else [message])

    if schema is None:
        return
    if not isinstance(schema, dict):
        raise invalid("Must be a JSON Schema object or null.")
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as error:
        raise invalid(f"Not a valid JSON Schema: {error.message}") from error


def options_check(*, options: Any, schema: dict | None) -> None:
    """Options are null (the defaults) or a JSON object that satisfies `schema`, when there is
    one (400 on `options`, saying where the options fail it)."""
    if options is None:
        return
    if not isinstance(options, dict):
        raise ValidationError({"options": ["Must be a JSON object or null."]})
    if not schema:
        return
    try:
        error = best_match(validator_for(schema)(schema).iter_errors(options))
    except SchemaError as exc:
        raise ValidationError(
            {"options": ["The options schema is not valid; ask an administrator."]}
        ) from exc
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise ValidationError({"options": [f"Invalid options at {where}: {error.message}"]})


def instrument_create(**values: Any) -> Instrument:
    """A new instrument of the catalogue; its options schema, when given, must be valid."""
    options_schema_check(schema=values.get("options_schema"))
    return Instrument.objects.create(**values)


def instrument_update(*, instrument: Instrument, **changes: Any) -> Instrument:
    """Change an instrument of the catalogue; only the given fields are written."""
    if "options_schema" in changes:
        options_schema_check(schema=changes["options_schema"])
    model_update(instance=instrument, data=changes)
    return instrument


def parse_options(value: Any) -> Any:
    """Options as sent: a JSON object, or (as the dashboard does) a string holding one."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except ValueError as error:
            raise ValidationError({"options": ["Not valid JSON."]}) from error
    return value


# Activity instruments ------------------------------------------------------------------------


def _check_alternative(
    *, activity: Activity, row: ActivityInstrument | None, alternative_to: ActivityInstrument
) -> None:
    """An alternative replaces a primary row of the same activity, and is not itself one."""
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
        _check_alternative(activity=activity, row=row, alternative_to=alternative_to)
    options_check(options=options, schema=instrument.options_schema)


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


def activity_instrument_update(
    *,
    row: ActivityInstrument,
    instrument_id: Any = NOT_GIVEN,
    active: Any = NOT_GIVEN,
    options: Any = NOT_GIVEN,
    alternative_to: Any = NOT_GIVEN,
) -> ActivityInstrument:
    """Change an activity instrument; only the given fields change. The result must still
    satisfy the rules of `activity_instrument_create` (a new instrument re-checks the stored
    options against its schema)."""
    activity = row.activity
    with transaction.atomic():
        _lock_configuration(activity)
        # Judge the change against the row as it is now, not as this request first read it.
        row.refresh_from_db()
        changes: dict[str, Any] = given({"active": active})
        if instrument_id is not NOT_GIVEN:
            changes["instrument"] = _instrument(instrument_id)
        if alternative_to is not NOT_GIVEN:
            changes["alternative_to"] = _alternative(
                activity=activity, alternative_to=alternative_to
            )
        if options is not NOT_GIVEN:
            changes["options"] = parse_options(options)
        _check_instrument_row(
            activity=activity,
            row=row,
            instrument=changes.get("instrument", row.instrument),
            alternative_to=changes.get("alternative_to", row.alternative_to),
            options=changes.get("options", row.options),
        )
        model_update(instance=row, data=changes)
    return row
