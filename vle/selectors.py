"""Reads about activities that need more than a filter."""

from institution.models import Learner
from institution.selectors import learner_send
from vle.models import Activity, ActivityInstrument


def activity_learner_instruments(
    *,
    activity: Activity,
    learner: Learner,
    rows: list[ActivityInstrument] | None = None,
    now=None,
) -> list[ActivityInstrument]:
    """The activity instruments that watch this learner.

    Active primary rows (no `alternative_to`) apply, except those whose instrument the
    learner's SEND disables; each of those is replaced by its active alternatives. Inactive
    primaries contribute nothing, not even their alternatives.

    `rows` is the activity's configuration when the caller has it loaded already (a page of
    activities with it prefetched); otherwise it is read here.
    """
    disabled = set(learner_send(learner, now)["send"]["disabled_instruments"])
    if rows is None:
        rows = list(activity.configuration.select_related("instrument"))
    rows = sorted(rows, key=lambda row: row.pk)
    resolved = []
    for row in rows:
        if row.alternative_to_id is not None or not row.active:
            continue
        if row.instrument_id not in disabled:
            resolved.append(row)
            continue
        resolved.extend(
            alternative
            for alternative in rows
            if alternative.alternative_to_id == row.pk and alternative.active
        )
    return resolved
