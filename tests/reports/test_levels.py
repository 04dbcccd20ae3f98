"""The report arithmetic: the worked examples of reports.services.levels and
reports.services.compute (run as doctests) and properties that must hold for any input
(hypothesis)."""

import doctest
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports.services import compute, levels

FRACTIONS = st.floats(min_value=0, max_value=1, allow_nan=False)
RESULT_STATUSES = st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7])
CODES = st.sampled_from([1, 2, 3])
COVERS = st.tuples(st.booleans(), st.booleans(), st.booleans())
LEVEL = st.integers(min_value=0, max_value=4)
outcomes = st.builds(levels.RequestOutcome, RESULT_STATUSES, FRACTIONS, CODES)
histograms = st.lists(st.integers(min_value=0, max_value=1000), min_size=10, max_size=10)


def test_worked_examples_in_the_module_docstring():
    failures, tried = doctest.testmod(levels, raise_on_error=False)
    assert tried >= 35  # the examples really ran
    assert failures == 0


def test_worked_examples_of_the_compute_step():
    failures, tried = doctest.testmod(compute, raise_on_error=False)
    assert tried >= 10  # the examples really ran
    assert failures == 0


@given(FRACTIONS)
def test_percent_is_the_decimal_value_rounded_half_up(fraction):
    expected = int((Decimal(repr(fraction)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert levels.percent(fraction) == expected
    assert 0 <= levels.percent(fraction) <= 100


@given(st.lists(outcomes, max_size=30), COVERS, st.booleans(), st.one_of(st.none(), FRACTIONS))
def test_instrument_report_stays_on_its_scales(rows, covers, requires, enrolment):
    report = levels.instrument_report(
        rows, covers=covers, requires_enrolment=requires, enrolment=enrolment
    )
    assert 0 <= report.result <= 100
    assert 0 <= report.confidence <= 100
    assert 0 <= report.enrolment <= 100
    assert report.level in {0, 2, 3, 4}
    for covered, value in zip(covers, report.levels, strict=True):
        assert value == (report.level if covered else levels.LEVEL_NO_INFORMATION)
    processed = [row for row in rows if row.status == levels.PROCESSED]
    if rows:
        assert report.confidence == levels.percent(len(processed) / len(rows))
    if processed:
        assert report.level >= levels.level_of_code(max(row.code for row in processed))
        low, high = min(r.result for r in processed), max(r.result for r in processed)
        assert levels.percent(low) <= report.result <= levels.percent(high)
    else:
        assert report.result == 0
    if not requires or enrolment is None:
        assert report.enrolment == 0


@given(st.lists(outcomes, min_size=1, max_size=30))
def test_low_confidence_is_at_least_a_warning_once_nothing_is_pending(rows):
    report = levels.instrument_report(rows, covers=(True, False, False))
    finished = not any(row.status in levels.UNFINISHED for row in rows)
    if finished and report.confidence < levels.LOW_CONFIDENCE_PERCENT:
        assert report.level >= levels.LEVEL_WARNING
    if not finished and not any(row.status == levels.PROCESSED for row in rows):
        assert report.level == levels.LEVEL_PENDING


@given(st.lists(outcomes, max_size=20), FRACTIONS)
def test_an_alert_never_lowers_an_instrument_level(rows, result):
    before = levels.instrument_report(rows, covers=(True, False, False)).level
    after = levels.instrument_report(
        [*rows, levels.RequestOutcome(levels.PROCESSED, result, levels.CODE_ALERT)],
        covers=(True, False, False),
    ).level
    assert after == levels.LEVEL_ALERT
    assert after >= before


@given(
    st.lists(st.tuples(LEVEL, LEVEL, LEVEL), max_size=8),
    st.lists(st.tuples(LEVEL, LEVEL, LEVEL), max_size=8),
)
def test_activity_levels_are_the_worst_covering_instrument_raised_by_alerting_sessions(
    instrument_rows, session_rows
):
    result = levels.activity_levels(instrument_rows, session_rows)
    if not instrument_rows:
        assert result == (0, 0, 0)
        return
    for index in range(3):
        covering = [row[index] for row in instrument_rows if row[index] != 1]
        expected = max(covering) if covering else 1
        raised = [row[index] for row in session_rows if row[index] >= levels.LEVEL_WARNING]
        assert result[index] == max([expected, *raised])


@given(
    st.lists(
        st.builds(
            levels.ProviderOutcome,
            status=RESULT_STATUSES,
            result=FRACTIONS,
            code=CODES,
            alert_below=st.one_of(st.none(), FRACTIONS),
            warning_below=st.one_of(st.none(), FRACTIONS),
            inverted=st.booleans(),
        ),
        max_size=5,
    )
)
def test_request_summary_uses_processed_answers_only(answers):
    summary = levels.request_instrument_summary(answers)
    processed = [answer for answer in answers if answer.status == levels.PROCESSED]
    if not answers:
        assert summary.status == levels.MISSING_PROVIDER
    elif any(answer.status in levels.UNFINISHED for answer in answers):
        assert summary.status == levels.PENDING
    elif processed:
        assert summary.status == levels.PROCESSED
        assert summary.result == max(answer.result for answer in processed)
        assert summary.code >= max(answer.code for answer in processed)
        assert summary.code in {1, 2, 3}
    else:
        assert summary.status == max(answer.status for answer in answers)
        assert summary.result == 0


@given(st.lists(RESULT_STATUSES, min_size=1, max_size=6))
def test_request_status_is_a_request_status(statuses):
    status = levels.request_status(statuses)
    assert status in {1, 2, 3, 4, 5, 6}
    if all(value == levels.PROCESSED for value in statuses):
        assert status == levels.REQUEST_PROCESSED
    if levels.MISSING_ENROLMENT in statuses and not set(statuses) & levels.UNFINISHED:
        assert status == levels.REQUEST_ERROR


@given(histograms, st.integers(min_value=0, max_value=100), st.booleans())
def test_histogram_shares_are_fractions_or_none_when_empty(histogram, result, inverted):
    bin_ = levels.result_bin(result)
    probability = levels.probability(histogram, bin_)
    better = levels.better_share(histogram, bin_, inverted=inverted)
    if sum(histogram) == 0:
        assert probability is None and better is None
    else:
        assert 0 <= probability <= 1
        assert 0 <= better <= 1
        worse_or_same = levels.better_share(histogram, bin_, inverted=not inverted)
        assert better + worse_or_same + histogram[bin_] / sum(histogram) <= 1 + 1e-9


@given(FRACTIONS, FRACTIONS, FRACTIONS, st.booleans())
def test_threshold_codes_follow_polarity(result, alert, warning, inverted):
    code = levels.threshold_code(
        result, alert_below=alert, warning_below=warning, inverted=inverted
    )
    beyond_alert = result > alert if inverted else result < alert
    beyond_warning = result > warning if inverted else result < warning
    if beyond_alert:
        assert code == levels.CODE_ALERT
    elif beyond_warning:
        assert code == levels.CODE_WARNING
    else:
        assert code == levels.CODE_OK


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_facts_compare_percentages_with_fraction_thresholds(confidence, result):
    facts = levels.result_facts(
        confidence=confidence, result=result, thresholds=levels.Thresholds(0.3, 0.6)
    )
    if not confidence:
        assert facts == {"neutral": ["NEUTRAL_MISSING_INFORMATION"]}
        return
    positive, negative = facts.get("positive", []), facts.get("negative", [])
    assert ("POSITIVE_CONFIDENCE_HIGH" in positive) == (confidence >= 75)
    assert ("NEGATIVE_CONFIDENCE_LOW" in negative) == (confidence < 75)
    assert ("POSITIVE_LEARNER_RESULT_ABOVE_THRESHOLD" in positive) == (result >= 60)
    assert ("NEGATIVE_LEARNER_RESULT_BELOW_THRESHOLD" in negative) == (result < 60)
