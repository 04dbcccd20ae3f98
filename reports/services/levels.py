"""The arithmetic of verification reports, as pure functions (no database).

Everything a report shows is computed here, from plain numbers, so the rules can be read in one
place and checked on worked examples. The examples below are doctests and run in the test
suite (tests/reports/test_levels.py), so they cannot drift from the code.

The original server (anchor-core.md §7) is followed, with the defects of its §11.9 fixed and a
few rules made explicit where it was silent or self-contradictory. Scales:

- provider and request results are fractions 0..1; provider thresholds (`alert_below`,
  `warning_below`) are fractions 0..1 too;
- report rows hold *percentages* 0..100 (`result`, `confidence`, `enrolment`); whenever a
  percentage meets a threshold it is divided by 100 first (fix: the original compared 0..100
  values with 0..1 thresholds, so every result was "above threshold");
- result codes: 0 Pending, 1 Ok, 2 Warning, 3 Alert;
- levels: 0 Pending, 1 No information, 2 Ok, 3 Warning, 4 Alert; level = code + 1.

1. One provider's answer is judged against its thresholds. Normal polarity: below
   `alert_below` is an Alert, else below `warning_below` a Warning, else Ok. Inverted polarity
   (plagiarism, forensics: higher is worse): above the same thresholds instead.

    >>> threshold_code(0.2, alert_below=0.3, warning_below=0.6)
    3
    >>> threshold_code(0.5, alert_below=0.3, warning_below=0.6)
    2
    >>> threshold_code(0.9, alert_below=0.3, warning_below=0.6)
    1
    >>> threshold_code(0.9, alert_below=0.7, warning_below=0.5, inverted=True)
    3
    >>> threshold_code(0.1, alert_below=None, warning_below=None)
    1

2. The summary of a request for one instrument (`RequestResult`) combines the answers of the
   instrument's providers once none is unfinished (0 Pending, 6 Processing, 7 Waiting).
   result = the highest processed result; code = the worst of the providers' own codes and of
   their threshold codes (Warning when nothing was processed); status = Processed when at
   least one provider processed it (its result is usable), else the worst failure status.
   (Decision: the original took the maximum status, so one provider's error hid another's
   valid result from the report.)

    >>> s = request_instrument_summary([
    ...     ProviderOutcome(status=1, result=0.9, code=1, alert_below=0.3, warning_below=0.6),
    ...     ProviderOutcome(status=1, result=0.5, code=1, alert_below=0.3, warning_below=0.6),
    ... ])
    >>> (s.status, s.result, s.code)
    (1, 0.9, 2)
    >>> s = request_instrument_summary([ProviderOutcome(status=5, result=0, code=0)])
    >>> (s.status, s.result, s.code)
    (5, 0.0, 2)
    >>> request_instrument_summary([]).status  # no provider at all
    4
    >>> request_instrument_summary([ProviderOutcome(status=0, result=0, code=0)]).status
    0

3. A request's status follows from its instrument summaries: Scheduled while all are
   unfinished, Processing while some are; then Processed if all were processed; else the worst
   outcome, with each result status mapped to the request status of the same meaning (fix: the
   original shifted codes, so Missing Enrolment became Error by accident and Missing Provider
   was reported as Timeout at scheduling time). Missing enrolment has no request status of its
   own: it is an Error with message code MISSING_ENROLMENT.

    >>> request_status([0, 0]), request_status([1, 0]), request_status([1, 1])
    (1, 2, 3)
    >>> request_status([1, 4]), request_status([1, 5]), request_status([2, 3])
    (6, 4, 5)

4. An instrument row of a learner's activity report (`ReportActivityInstrument`) summarises
   every request result of that learner, activity and instrument (session samples and
   documents alike):
   - result = mean of the processed results, in percent, rounded half up (0 if none);
   - confidence = processed / all results, in percent (the share of the learner's requests
     that could be verified);
   - code = worst code of the processed results; level = code + 1;
   - nothing processed yet but something unfinished: Pending (fix: the original showed a
     Warning while providers were still working); nothing processed and nothing left to wait
     for: Warning (every request failed, the learner could not be verified);
   - once nothing is unfinished, a confidence below 60 % raises the level to at least Warning
     (fix: the original compared with 2 = Ok, so the rule never fired);
   - the level goes to each dimension the instrument covers (identity; content = originality
     or authorship; integrity); uncovered dimensions are 1 No information;
   - enrolment = the lowest enrolment percentage among the instrument's providers, in percent,
     for instruments that require enrolment (else 0).

    >>> r = instrument_report(
    ...     [RequestOutcome(1, 0.90, 1), RequestOutcome(1, 0.85, 1), RequestOutcome(2, 0, 0)],
    ...     covers=(True, False, False), requires_enrolment=True, enrolment=0.8)
    >>> (r.result, r.confidence, r.enrolment, r.levels)
    (88, 67, 80, (2, 1, 1))
    >>> r = instrument_report(
    ...     [RequestOutcome(1, 0.9, 1), RequestOutcome(2, 0, 0), RequestOutcome(2, 0, 0)],
    ...     covers=(True, False, False))
    >>> (r.confidence, r.levels)  # 33 % < 60 %: at least Warning
    (33, (3, 1, 1))
    >>> r = instrument_report(
    ...     [RequestOutcome(1, 0.9, 1), RequestOutcome(0, 0, 0), RequestOutcome(0, 0, 0)],
    ...     covers=(True, False, False))
    >>> (r.confidence, r.levels)  # still waiting: the confidence rule does not apply yet
    (33, (2, 1, 1))
    >>> instrument_report([RequestOutcome(0, 0, 0)], covers=(False, True, False)).levels
    (1, 0, 1)
    >>> instrument_report([RequestOutcome(5, 0, 2)], covers=(False, True, False)).levels
    (1, 3, 1)
    >>> instrument_report([RequestOutcome(1, 0.2, 3)], covers=(True, True, False)).levels
    (4, 4, 1)

5. A session row's levels come only from the alerts the browser plugin raised in it: an Alert
   (alert level 2) gives Alert, a Warning or Error (1, 3) gives Warning, otherwise Ok; each
   dimension not covered by the learner's instruments is No information.

    >>> session_levels([], covers=(True, False, False))
    (2, 1, 1)
    >>> session_levels([0, 1], covers=(True, True, False))
    (3, 3, 1)
    >>> session_levels([1, 2], covers=(True, False, False))
    (4, 1, 1)

6. The activity report's level per dimension is the worst level of the instrument rows that
   cover it (No information if none does), raised by a session only when that session carries
   a Warning or an Alert. (Decisions: the original took the plain maximum, so an uncovered
   dimension's 1 hid a covering instrument that was still Pending (0), and an alert-free
   session's Ok hid Pending instruments.) Without instrument rows every level is Pending.

    >>> activity_levels([(2, 1, 1), (1, 3, 1)], [(2, 1, 1)])
    (2, 3, 1)
    >>> activity_levels([(0, 1, 1), (1, 0, 1)], [(2, 1, 1)])  # both still pending
    (0, 0, 1)
    >>> activity_levels([(2, 2, 1)], [(4, 1, 1)])
    (4, 2, 1)
    >>> activity_levels([], [])
    (0, 0, 0)

7. Explaining a result against a histogram H of ten bins (b0 = 0-9 %, ..., b9 = 90-100 %):
   the learner's bin is b = min(result // 10, 9); `probability` = (H[b] + H[b-1]/2 +
   H[b+1]/2) / ΣH (how usual this result is); `better_share` = share of results strictly
   better than the learner's bin (above it, or below it with inverted polarity). An empty
   histogram gives None (fix: the original divided by zero). The activity histogram is the one
   of *this* activity (fix: the original took the instrument's first activity histogram).

    >>> result_bin(88), result_bin(100), result_bin(0)
    (8, 9, 0)
    >>> probability([0, 0, 0, 0, 0, 0, 0, 2, 4, 2], 8)
    0.75
    >>> better_share([0, 0, 0, 0, 0, 0, 0, 2, 4, 2], 8)
    0.25
    >>> better_share([0, 0, 0, 0, 0, 0, 0, 2, 4, 2], 8, inverted=True)
    0.25
    >>> probability([0] * 10, 3) is None
    True

8. Facts shown next to a result. Without processed results (confidence 0): the neutral fact
   NEUTRAL_MISSING_INFORMATION (and NEGATIVE_WITH_ALERTS if the learner's sessions raised alerts —
   the original crashed there). Otherwise: CONFIDENCE_HIGH when confidence >= 75 % else
   CONFIDENCE_LOW (fix: the original compared a percentage with 0.75); RESULT_ABOVE_THRESHOLD
   when the result (as a fraction) is on the good side of the warning threshold (or the alert
   threshold when there is no warning one) else BELOW_THRESHOLD; GOOD_INSTRUMENT /
   BAD_INSTRUMENT when fewer than 40 % / more than 75 % of the learner's own results with the
   instrument are better; GOOD_ACTIVITY / BAD_ACTIVITY likewise against the activity's results
   (40 % / 50 %); RESULT_FREQUENT when the probability in the learner's histogram is above
   0.8; NEGATIVE_WITH_ALERTS when the learner's sessions raised alerts.

    >>> result_facts(confidence=67, result=88, thresholds=Thresholds(0.3, 0.6),
    ...              h_prob_learner=0.1, h_prob_context=0.6, prob_learner=0.9)
    {'positive': ['POSITIVE_LEARNER_RESULT_ABOVE_THRESHOLD', \
'POSITIVE_LEARNER_RESULT_GOOD_INSTRUMENT', 'POSITIVE_LEARNER_RESULT_FREQUENT'], \
'negative': ['NEGATIVE_LEARNER_RESULT_BAD_ACTIVITY', 'NEGATIVE_CONFIDENCE_LOW']}
    >>> result_facts(confidence=0, result=0, thresholds=Thresholds(0.3, 0.6), has_alerts=True)
    {'neutral': ['NEUTRAL_MISSING_INFORMATION'], 'negative': ['NEGATIVE_WITH_ALERTS']}
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Result statuses (reports.models.ResultStatus) and request statuses (RequestStatus), as ints
# so this module stays free of Django.
PENDING, PROCESSED, ERROR, TIMEOUT, MISSING_PROVIDER, MISSING_ENROLMENT = 0, 1, 2, 3, 4, 5
PROCESSING, WAITING_EXTERNAL_SERVICE = 6, 7
UNFINISHED = frozenset({PENDING, PROCESSING, WAITING_EXTERNAL_SERVICE})

REQUEST_SCHEDULED, REQUEST_PROCESSING, REQUEST_PROCESSED, REQUEST_ERROR = 1, 2, 3, 4
REQUEST_TIMEOUT, REQUEST_MISSING_PROVIDER = 5, 6
# Finished result status -> request status of the same meaning.
REQUEST_STATUS_OF = {
    PROCESSED: REQUEST_PROCESSED,
    ERROR: REQUEST_ERROR,
    TIMEOUT: REQUEST_TIMEOUT,
    MISSING_PROVIDER: REQUEST_MISSING_PROVIDER,
    MISSING_ENROLMENT: REQUEST_ERROR,
}

CODE_PENDING, CODE_OK, CODE_WARNING, CODE_ALERT = 0, 1, 2, 3
LEVEL_PENDING, LEVEL_NO_INFORMATION, LEVEL_OK, LEVEL_WARNING, LEVEL_ALERT = 0, 1, 2, 3, 4

LOW_CONFIDENCE_PERCENT = 60
HIGH_CONFIDENCE_PERCENT = 75
GOOD_SHARE, BAD_INSTRUMENT_SHARE, BAD_ACTIVITY_SHARE, FREQUENT_PROBABILITY = 0.4, 0.75, 0.5, 0.8

Levels = tuple[int, int, int]  # (identity, content, integrity)
# A provider's threshold: a 0..1 fraction, as stored (a decimal) or as a float; None: none.
Threshold = float | Decimal | None


def percent(fraction: float) -> int:
    """A 0..1 fraction as a whole percentage, rounded half up on its decimal value (Python's
    round() rounds half to even, and 0.145 * 100 is 14.499999999999998 in binary).

    >>> percent(0.125), percent(0.135), percent(0.145), percent(2 / 3), percent(1)
    (13, 14, 15, 67, 100)
    """
    hundredths = Decimal(repr(float(fraction))) * 100
    return int(hundredths.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def level_of_code(code: int) -> int:
    """Ok 1 -> 2, Warning 2 -> 3, Alert 3 -> 4; Pending stays 0."""
    return code + 1 if code > CODE_PENDING else LEVEL_PENDING


def threshold_code(
    result: float,
    *,
    alert_below: Threshold,
    warning_below: Threshold,
    inverted: bool = False,
) -> int:
    """The code a provider's thresholds give to one 0..1 result (Ok without thresholds)."""

    def beyond(threshold) -> bool:
        if threshold is None:
            return False
        return result > float(threshold) if inverted else result < float(threshold)

    if beyond(alert_below):
        return CODE_ALERT
    if beyond(warning_below):
        return CODE_WARNING
    return CODE_OK


@dataclass(frozen=True)
class ProviderOutcome:
    """A provider's answer for one request, with that provider's thresholds."""

    status: int
    result: float
    code: int
    alert_below: Threshold = None
    warning_below: Threshold = None
    inverted: bool = False


@dataclass(frozen=True)
class Summary:
    status: int
    result: float
    code: int


def request_instrument_summary(outcomes: list[ProviderOutcome]) -> Summary:
    """The request result of one instrument from its providers' answers (rule 2)."""
    if not outcomes:
        return Summary(MISSING_PROVIDER, 0.0, CODE_WARNING)
    if any(outcome.status in UNFINISHED for outcome in outcomes):
        return Summary(PENDING, 0.0, CODE_PENDING)
    processed = [outcome for outcome in outcomes if outcome.status == PROCESSED]
    if not processed:
        return Summary(max(outcome.status for outcome in outcomes), 0.0, CODE_WARNING)
    code = max(
        max(outcome.code for outcome in processed),
        max(
            threshold_code(
                outcome.result,
                alert_below=outcome.alert_below,
                warning_below=outcome.warning_below,
                inverted=outcome.inverted,
            )
            for outcome in processed
        ),
    )
    return Summary(PROCESSED, float(max(outcome.result for outcome in processed)), code)


def request_status(result_statuses: list[int]) -> int:
    """A request's status from the statuses of its instrument results (rule 3)."""
    unfinished = [status for status in result_statuses if status in UNFINISHED]
    if unfinished:
        return REQUEST_PROCESSING if len(unfinished) < len(result_statuses) else REQUEST_SCHEDULED
    if not result_statuses:
        return REQUEST_ERROR
    return REQUEST_STATUS_OF.get(max(result_statuses), REQUEST_ERROR)


@dataclass(frozen=True)
class RequestOutcome:
    """One request result (summary) of a learner for one instrument."""

    status: int
    result: float
    code: int


@dataclass(frozen=True)
class InstrumentReport:
    result: int
    confidence: int
    enrolment: int
    level: int
    levels: Levels


def spread(level: int, covers: tuple[bool, bool, bool]) -> Levels:
    """A level on the dimensions an instrument covers, No information on the others."""
    identity, content, integrity = (
        level if covered else LEVEL_NO_INFORMATION for covered in covers
    )
    return identity, content, integrity


def instrument_report(
    outcomes: list[RequestOutcome],
    *,
    covers: tuple[bool, bool, bool],
    requires_enrolment: bool = False,
    enrolment: float | None = None,
) -> InstrumentReport:
    """A learner's instrument row in an activity report (rule 4)."""
    processed = [outcome for outcome in outcomes if outcome.status == PROCESSED]
    waiting = any(outcome.status in UNFINISHED for outcome in outcomes)
    result = percent(sum(o.result for o in processed) / len(processed)) if processed else 0
    confidence = percent(len(processed) / len(outcomes)) if outcomes else 0
    if processed:
        level = level_of_code(max(outcome.code for outcome in processed))
    elif waiting or not outcomes:
        level = LEVEL_PENDING
    else:
        level = LEVEL_WARNING
    if not waiting and processed and confidence < LOW_CONFIDENCE_PERCENT:
        level = max(level, LEVEL_WARNING)
    enrolment_percent = percent(enrolment) if requires_enrolment and enrolment is not None else 0
    return InstrumentReport(result, confidence, enrolment_percent, level, spread(level, covers))


# Alert levels raised by the browser plugin (reports.models.Alert.Level).
ALERT_INFO, ALERT_WARNING, ALERT_ALERT, ALERT_ERROR = 0, 1, 2, 3


def session_levels(alert_levels: list[int], *, covers: tuple[bool, bool, bool]) -> Levels:
    """A session row's levels from the alerts raised during it (rule 5)."""
    if ALERT_ALERT in alert_levels:
        level = LEVEL_ALERT
    elif ALERT_WARNING in alert_levels or ALERT_ERROR in alert_levels:
        level = LEVEL_WARNING
    else:
        level = LEVEL_OK
    return spread(level, covers)


def activity_levels(instrument_levels: list[Levels], session_levels_: list[Levels]) -> Levels:
    """The activity report's levels (rule 6)."""
    if not instrument_levels:
        return (LEVEL_PENDING, LEVEL_PENDING, LEVEL_PENDING)
    levels = []
    for index in range(3):
        covering = [row[index] for row in instrument_levels if row[index] != LEVEL_NO_INFORMATION]
        levels.append(max(covering) if covering else LEVEL_NO_INFORMATION)
    for row in session_levels_:
        for index in range(3):
            if row[index] >= LEVEL_WARNING:
                levels[index] = max(levels[index], row[index])
    identity, content, integrity = levels
    return identity, content, integrity


def result_bin(result_percent: int) -> int:
    """The histogram bin of a 0..100 result."""
    return min(max(int(result_percent) // 10, 0), 9)


def probability(histogram: list[int], bin_: int) -> float | None:
    """How usual a result in `bin_` is in the histogram (its bin plus half of each neighbour),
    or None for an empty histogram."""
    total = sum(histogram)
    if not total:
        return None
    near = float(histogram[bin_])
    if bin_ > 0:
        near += histogram[bin_ - 1] / 2
    if bin_ < len(histogram) - 1:
        near += histogram[bin_ + 1] / 2
    return near / total


def better_share(histogram: list[int], bin_: int, *, inverted: bool = False) -> float | None:
    """Share of the histogram's results strictly better than `bin_`, or None when empty."""
    total = sum(histogram)
    if not total:
        return None
    better = sum(histogram[:bin_]) if inverted else sum(histogram[bin_ + 1 :])
    return better / total


@dataclass(frozen=True)
class Thresholds:
    alert_below: Threshold
    warning_below: Threshold
    inverted: bool = False


def threshold_fact(result: int, thresholds: Thresholds | None) -> str | None:
    """Whether a 0..100 result is on the good side of the provider's warning threshold (or of
    its alert threshold when it has no warning one); None without thresholds.

    >>> threshold_fact(55, Thresholds(0.3, 0.6))
    'NEGATIVE_LEARNER_RESULT_BELOW_THRESHOLD'
    >>> threshold_fact(55, Thresholds(0.5, None, inverted=True))
    'NEGATIVE_LEARNER_RESULT_BELOW_THRESHOLD'
    """
    if thresholds is None:
        return None
    limit = (
        thresholds.warning_below if thresholds.warning_below is not None else thresholds.alert_below
    )
    if limit is None:
        return None
    fraction = result / 100
    good = fraction <= float(limit) if thresholds.inverted else fraction >= float(limit)
    return (
        "POSITIVE_LEARNER_RESULT_ABOVE_THRESHOLD"
        if good
        else "NEGATIVE_LEARNER_RESULT_BELOW_THRESHOLD"
    )


def _share_fact(share: float | None, *, bad_above: float, name: str) -> str | None:
    """GOOD_<name> when few results are better than the learner's (below GOOD_SHARE),
    BAD_<name> when most are (above `bad_above`), None otherwise or without a histogram."""
    if share is None:
        return None
    if share < GOOD_SHARE:
        return f"POSITIVE_LEARNER_RESULT_GOOD_{name}"
    if share > bad_above:
        return f"NEGATIVE_LEARNER_RESULT_BAD_{name}"
    return None


def result_facts(
    *,
    confidence: int,
    result: int,
    thresholds: Thresholds | None,
    h_prob_learner: float | None = None,
    h_prob_context: float | None = None,
    prob_learner: float | None = None,
    has_alerts: bool = False,
) -> dict[str, list[str]]:
    """Plain-language facts about a learner's instrument result (rule 8). Only non-empty
    lists are returned."""
    if not confidence:
        facts = {"neutral": ["NEUTRAL_MISSING_INFORMATION"]}
        if has_alerts:
            facts["negative"] = ["NEGATIVE_WITH_ALERTS"]
        return facts
    found = [
        threshold_fact(result, thresholds),
        _share_fact(h_prob_learner, bad_above=BAD_INSTRUMENT_SHARE, name="INSTRUMENT"),
        _share_fact(h_prob_context, bad_above=BAD_ACTIVITY_SHARE, name="ACTIVITY"),
        "POSITIVE_LEARNER_RESULT_FREQUENT"
        if prob_learner is not None and prob_learner > FREQUENT_PROBABILITY
        else None,
        "POSITIVE_CONFIDENCE_HIGH"
        if confidence >= HIGH_CONFIDENCE_PERCENT
        else "NEGATIVE_CONFIDENCE_LOW",
        "NEGATIVE_WITH_ALERTS" if has_alerts else None,
    ]
    facts = {}
    for kind in ("positive", "negative"):
        named = [fact for fact in found if fact is not None and fact.lower().startswith(kind)]
        if named:
            facts[kind] = named
    return facts
