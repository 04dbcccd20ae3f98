"""The compute step of a report build, as pure functions (no database).

`reports.services.building` loads what a learner's report on an activity rests on, hands it
here as plain facts, and writes back what comes out. This module puts the rules of
`reports.services.levels` together into the whole report: one row per instrument (rule 4),
one row per assessment session (rule 5) and the report's levels (rule 6). The examples are
doctests and run in the test suite (tests/reports/test_levels.py).

A learner's facts: the outcomes of their request results per instrument, the enrolment
fractions (0..1) of the providers that answered them per instrument, and their sessions with
the statuses of the requests sent in each and the levels of the alerts raised in each.

    >>> face = InstrumentTraits(covers=(True, False, False), requires_enrolment=True)
    >>> facts = LearnerFacts(
    ...     outcomes={1: [RequestOutcome(1, 0.9, 1), RequestOutcome(0, 0, 0)]},
    ...     enrolments={1: [0.8, 0.5]},
    ...     sessions=[SessionFacts(7, closed_at=None, request_statuses=[3, 1],
    ...                            alert_levels=[2])],
    ...     covers=(True, False, False),
    ... )
    >>> report = learner_report(facts, {1: face})
    >>> row = report.instruments[1]
    >>> (row.result, row.confidence, row.enrolment, row.levels)  # the weakest model: 50 %
    (90, 50, 50, (2, 1, 1))
    >>> session = report.sessions[0]
    >>> (session.total_requests, session.valid_requests, session.pending_requests)
    (2, 1, 1)
    >>> session.levels, report.levels  # the session's alert raises the identity level
    ((4, 1, 1), (4, 1, 1))
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from reports.services.levels import (
    REQUEST_PROCESSED,
    InstrumentReport,
    Levels,
    RequestOutcome,
    activity_levels,
    instrument_report,
    session_levels,
)

# The report dimensions something speaks to: identity, content, integrity.
Covers = tuple[bool, bool, bool]


@dataclass(frozen=True)
class InstrumentTraits:
    """What the report needs to know of an instrument."""

    covers: Covers
    requires_enrolment: bool


@dataclass(frozen=True)
class SessionFacts:
    """One assessment session of the learner: the statuses of the requests sent in it
    (`reports.models.RequestStatus`) and the levels of the alerts raised in it."""

    session_id: int
    closed_at: datetime | None
    request_statuses: list[int] = field(default_factory=list)
    alert_levels: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class LearnerFacts:
    """What one learner's report on one activity rests on. `covers` is what the learner's
    instruments cover together; only sessions read it."""

    outcomes: Mapping[int, list[RequestOutcome]]
    enrolments: Mapping[int, list[float]]
    sessions: list[SessionFacts]
    covers: Covers = (False, False, False)


@dataclass(frozen=True)
class SessionRow:
    """A session row of the report (rule 5) with its request counts."""

    session_id: int
    total_requests: int
    valid_requests: int
    pending_requests: int
    processed_requests: int
    closed_at: datetime | None
    levels: Levels


@dataclass(frozen=True)
class LearnerReport:
    """The whole report: instrument rows by instrument id, session rows, the levels."""

    instruments: dict[int, InstrumentReport]
    sessions: list[SessionRow]
    levels: Levels


def session_row(session: SessionFacts, *, covers: Covers) -> SessionRow:
    """A session row: how many requests were sent in it, how many were verified (processed)
    and how many still wait (not yet processed, and not failed either); its levels come from
    its alerts only (rule 5).

    >>> row = session_row(SessionFacts(1, None, [3, 4, 2, 0], [1]), covers=(True, True, False))
    >>> (row.total_requests, row.valid_requests, row.pending_requests, row.processed_requests)
    (4, 1, 2, 2)
    >>> row.levels
    (3, 3, 1)
    """
    statuses = session.request_statuses
    total = len(statuses)
    pending = sum(1 for status in statuses if status < REQUEST_PROCESSED)
    return SessionRow(
        session_id=session.session_id,
        total_requests=total,
        valid_requests=sum(1 for status in statuses if status == REQUEST_PROCESSED),
        pending_requests=pending,
        processed_requests=total - pending,
        closed_at=session.closed_at,
        levels=session_levels(session.alert_levels, covers=covers),
    )


def learner_report(
    facts: LearnerFacts, instruments: Mapping[int, InstrumentTraits]
) -> LearnerReport:
    """A learner's activity report from their facts (rules 4, 5 and 6). The enrolment of an
    instrument row is the lowest of its answering providers' models (None without any).

    >>> learner_report(LearnerFacts({}, {}, []), {}).levels  # nothing sent yet
    (0, 0, 0)
    """
    rows = {}
    for instrument_id in sorted(facts.outcomes):
        traits = instruments[instrument_id]
        fractions = facts.enrolments.get(instrument_id) or []
        rows[instrument_id] = instrument_report(
            facts.outcomes[instrument_id],
            covers=traits.covers,
            requires_enrolment=traits.requires_enrolment,
            enrolment=min(fractions) if fractions else None,
        )
    sessions = [session_row(session, covers=facts.covers) for session in facts.sessions]
    return LearnerReport(
        instruments=rows,
        sessions=sessions,
        levels=activity_levels(
            [row.levels for row in rows.values()], [row.levels for row in sessions]
        ),
    )
