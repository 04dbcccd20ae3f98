"""The verification pipeline as services: intake, scheduling, provider answers, histograms,
report building after commit, crash recovery and rebuilds."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from institution.models import SENDCategory, SENDLearner
from reports.models import (
    Alert,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    ReportActivity,
    ReportActivitySession,
    Request,
    RequestProviderResult,
    RequestResult,
    RequestStatus,
    ResultStatus,
)
from reports.selectors import (
    learner_enrolment_status,
    learner_missing_enrolments,
    report_instrument_audit,
    report_summary,
)
from reports.services import building, work
from tests import factories
from tests.reports.conftest import answer, enrol, give_consent, levels_of, report_jobs, submit
from vle.models import ActivityInstrument, AssessmentSession

pytestmark = pytest.mark.django_db


# Intake ---------------------------------------------------------------------------------------


def test_a_request_gets_one_result_per_instrument_and_one_answer_per_provider(
    configured_activity, consenting_learner, fr_provider, plag_provider
):
    enrol(consenting_learner, fr_provider)
    request = submit(consenting_learner, configured_activity, [1, 5])
    assert sorted(request.results.values_list("instrument_id", flat=True)) == [1, 5]
    answers = RequestProviderResult.objects.filter(request=request)
    assert sorted(answers.values_list("provider_id", flat=True)) == sorted(
        [fr_provider.pk, plag_provider.pk]
    )
    assert set(answers.values_list("status", flat=True)) == {ResultStatus.PENDING}
    assert request.status == RequestStatus.SCHEDULED
    assert request.data.name.endswith(".json")
    assert b'"data": "sample"' in request.data.read()


def test_intake_refuses_a_learner_without_valid_consent(configured_activity, learner):
    with pytest.raises(ValidationError) as refused:
        submit(learner.institution_user.learner, configured_activity, [1])
    assert "learner_id" in refused.value.message_dict
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("instruments", "field"),
    [([99], "instruments"), ([2], "instruments"), ([], "instruments"), (["1"], "instruments")],
)
def test_intake_refuses_unknown_or_inactive_instruments(
    configured_activity, consenting_learner, instruments, field
):
    with pytest.raises(ValidationError) as refused:
        submit(consenting_learner, configured_activity, instruments)
    assert field in refused.value.message_dict
    assert not Request.objects.exists()


def test_intake_refuses_an_instrument_switched_off_in_the_activity(
    configured_activity, consenting_learner
):
    ActivityInstrument.objects.filter(activity=configured_activity, instrument_id=5).update(
        active=False
    )
    with pytest.raises(ValidationError) as refused:
        submit(consenting_learner, configured_activity, [5])
    assert "instruments" in refused.value.message_dict


def test_intake_applies_send_alternatives(
    institution, configured_activity, consenting_learner, instruments
):
    """fr is disabled for this learner, who has plag as alternative: a fr sample is refused,
    a plag one is taken."""
    fr_row = ActivityInstrument.objects.get(activity=configured_activity, instrument_id=1)
    ActivityInstrument.objects.filter(activity=configured_activity, instrument_id=5).update(
        alternative_to=fr_row
    )
    category = SENDCategory.objects.create(
        institution=institution, description="no camera", data={"disabled_instruments": [1]}
    )
    SENDLearner.objects.create(learner=consenting_learner, category=category)
    with pytest.raises(ValidationError):
        submit(consenting_learner, configured_activity, [1])
    request = submit(consenting_learner, configured_activity, [1, 5])
    assert list(request.results.values_list("instrument_id", flat=True)) == [5]


def test_intake_refuses_a_session_of_another_learner(
    institution, course, configured_activity, consenting_learner, consent
):
    other = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(other)
    session = AssessmentSession.objects.create(activity=configured_activity, learner=other)
    with pytest.raises(ValidationError) as refused:
        submit(consenting_learner, configured_activity, [1], session=session)
    assert "session_id" in refused.value.message_dict


def test_no_enabled_provider_is_missing_provider_at_once(configured_activity, consenting_learner):
    request = submit(consenting_learner, configured_activity, [5])
    result = request.results.get()
    assert result.status == ResultStatus.MISSING_PROVIDER
    request.refresh_from_db()
    assert request.status == RequestStatus.MISSING_PROVIDER


def test_missing_enrolment_is_known_at_once_and_is_an_error_with_its_code(
    configured_activity, consenting_learner, fr_provider
):
    request = submit(consenting_learner, configured_activity, [1])
    assert RequestProviderResult.objects.get(request=request).status == (
        ResultStatus.MISSING_ENROLMENT
    )
    assert request.results.get().status == ResultStatus.MISSING_ENROLMENT
    request.refresh_from_db()
    assert (request.status, request.message_code) == (RequestStatus.ERROR, "MISSING_ENROLMENT")


# Provider answers and histograms ---------------------------------------------------------------


def _bins(model, **keys):
    row = model.objects.filter(**keys).first()
    return row.bins if row else [0] * 10


def test_a_result_counts_once_however_often_it_is_sent(
    configured_activity, consenting_learner, fr_provider
):
    enrol(consenting_learner, fr_provider)
    request = submit(consenting_learner, configured_activity, [1])
    for _ in range(3):
        answer(fr_provider, request, status=1, result=0.85, code=1)
    learner_keys = {"learner": consenting_learner}
    activity_keys = {"activity": configured_activity}
    expected = [0] * 8 + [1, 0]
    assert _bins(HistogramLearnerProvider, provider=fr_provider, **learner_keys) == expected
    assert _bins(HistogramActivityProvider, provider=fr_provider, **activity_keys) == expected
    assert _bins(HistogramLearnerInstrument, instrument_id=1, **learner_keys) == expected
    assert _bins(HistogramActivityInstrument, instrument_id=1, **activity_keys) == expected

    answer(fr_provider, request, status=1, result=0.25, code=1)  # corrected answer moves
    moved = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert _bins(HistogramActivityProvider, provider=fr_provider, **activity_keys) == moved
    assert _bins(HistogramActivityInstrument, instrument_id=1, **activity_keys) == moved
    answer(fr_provider, request, status=2)  # no longer processed: no longer counted
    assert _bins(HistogramActivityProvider, provider=fr_provider, **activity_keys) == [0] * 10


def test_two_providers_count_once_in_the_instrument_histogram(
    configured_activity, consenting_learner, fr_provider
):
    second = factories.provider(1)
    enrol(consenting_learner, fr_provider)
    enrol(consenting_learner, second)
    request = submit(consenting_learner, configured_activity, [1])
    answer(fr_provider, request, status=1, result=0.91, code=1)
    result = request.results.get()
    assert result.status == ResultStatus.PENDING  # still waiting for the second provider
    answer(second, request, status=1, result=0.55, code=1)
    result.refresh_from_db()
    # The best result, the worst code: 0.55 is below the second provider's warning (0.60).
    assert (result.status, result.result, result.code) == (1, 0.91, 2)
    assert sum(_bins(HistogramActivityInstrument, activity=configured_activity)) == 1
    assert sum(_bins(HistogramActivityProvider, provider=second)) == 1


def test_thresholds_turn_a_provider_ok_into_an_alert(
    configured_activity, consenting_learner, fr_provider
):
    enrol(consenting_learner, fr_provider)
    request = submit(consenting_learner, configured_activity, [1])
    answer(fr_provider, request, status=1, result=0.1, code=1)
    assert request.results.get().code == 3


# Report building after commit, crash safety ---------------------------------------------------


def test_reports_are_built_after_commit(
    configured_activity, consenting_learner, fr_provider, plag_provider, committed
):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1, 5])
    report = ReportActivity.objects.get(learner=consenting_learner)
    assert levels_of(report) == (0, 0, 1)  # both instruments pending
    with committed():
        answer(fr_provider, request, status=1, result=0.95, code=1)
    report.refresh_from_db()
    assert levels_of(report) == (2, 0, 1)
    with committed():
        answer(plag_provider, request, status=1, result=0.8, code=1)  # inverted: 0.8 > 0.7
    report.refresh_from_db()
    assert levels_of(report) == (2, 4, 1)
    rows = {row.instrument_id: row for row in report.detail.all()}
    assert (rows[1].result, rows[1].confidence, rows[1].enrolment) == (95, 100, 100)
    assert levels_of(rows[1]) == (2, 1, 1)
    assert levels_of(rows[5]) == (1, 4, 1)
    assert not report_jobs().exists()


def test_a_crash_between_result_and_build_leaves_work_that_recovery_builds(
    configured_activity, consenting_learner, fr_provider, committed
):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1])
    # The answer commits but the process dies before its on-commit build runs.
    answer(fr_provider, request, status=1, result=0.2, code=1)
    report = ReportActivity.objects.get(learner=consenting_learner)
    assert report.identity_level == 0
    assert report_jobs(consenting_learner).count() == 1

    out = io.StringIO()
    call_command("process_report_work", stdout=out)
    assert "1 reports built, 0 failed" in out.getvalue()
    report.refresh_from_db()
    assert report.identity_level == 4
    assert not report_jobs().exists()


def test_a_failed_build_keeps_its_work_with_the_error(
    configured_activity, consenting_learner, fr_provider, committed, monkeypatch
):
    enrol(consenting_learner, fr_provider)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(building, "reports_activity_build", broken)
    with committed():
        submit(consenting_learner, configured_activity, [1])
    row = report_jobs().get()
    assert (row.attempts, "disk full" in row.last_error) == (1, True)
    monkeypatch.undo()
    assert work.report_work_drain() == (1, 0)
    assert ReportActivity.objects.filter(learner=consenting_learner).exists()
    assert not report_jobs().exists()


def test_work_queued_during_a_build_is_not_lost(
    configured_activity, consenting_learner, fr_provider, monkeypatch
):
    enrol(consenting_learner, fr_provider)
    submit(consenting_learner, configured_activity, [1])
    real = building.reports_activity_build

    def build_while_a_result_arrives(**kwargs):
        work.report_work_enqueue(
            learner_id=consenting_learner.pk, activity_id=configured_activity.pk
        )
        return real(**kwargs)

    monkeypatch.setattr(building, "reports_activity_build", build_while_a_result_arrives)
    assert work.report_work_process(
        learner_id=consenting_learner.pk, activity_id=configured_activity.pk
    )
    assert report_jobs(consenting_learner).exists()


def test_build_cost_does_not_grow_with_other_learners(
    institution,
    course,
    configured_activity,
    consenting_learner,
    consent,
    fr_provider,
    django_assert_max_num_queries,
):
    enrol(consenting_learner, fr_provider)
    for _ in range(3):
        submit(consenting_learner, configured_activity, [1])
    for _ in range(5):
        other = give_consent(factories.user(institution, learner=True), consent)
        course.learners.add(other)
        enrol(other, fr_provider)
        for _ in range(4):
            submit(other, configured_activity, [1])
    with django_assert_max_num_queries(16):
        building.report_activity_build(learner=consenting_learner, activity=configured_activity)


# Sessions and alerts --------------------------------------------------------------------------


def test_session_rows_count_requests_and_alerts_raise_the_report(
    configured_activity, consenting_learner, fr_provider, committed
):
    enrol(consenting_learner, fr_provider)
    session = AssessmentSession.objects.create(
        activity=configured_activity, learner=consenting_learner
    )
    with committed():
        first = submit(consenting_learner, configured_activity, [1], session=session)
        submit(consenting_learner, configured_activity, [1], session=session)
        answer(fr_provider, first, status=1, result=0.9, code=1)
    row = ReportActivitySession.objects.get(session=session)
    assert (row.total_requests, row.valid_requests, row.pending_requests) == (2, 1, 1)
    # No alert: Ok on every dimension the learner's instruments (fr, plag) cover...
    assert levels_of(row) == (2, 2, 1)
    report = ReportActivity.objects.get(learner=consenting_learner)
    # ...which does not hide that no document reached plag yet.
    assert levels_of(report) == (2, 1, 1)

    Alert.objects.create(
        learner=consenting_learner,
        activity=configured_activity,
        session=session,
        level=Alert.Level.ALERT,
        raised_at=timezone.now(),
    )
    building.report_activity_build(learner=consenting_learner, activity=configured_activity)
    report.refresh_from_db()
    assert levels_of(report) == (4, 4, 1)
    summary = report_summary(report=report)
    assert summary["sessions"][0]["data"]["alerts"][0]["level"] == Alert.Level.ALERT
    assert summary["sessions"][0]["data"]["data"]["1"]["valid"] == 1
    assert summary["documents"] == []


def test_audit_shows_every_provider_answer_with_its_audit(
    configured_activity, consenting_learner, fr_provider, committed
):
    enrol(consenting_learner, fr_provider, percentage="0.75")
    with committed():
        request = submit(consenting_learner, configured_activity, [1])
        answer(fr_provider, request, status=1, result=0.9, code=1, audit={"frames": 12})
    row = ReportActivity.objects.get().detail.get()
    assert row.enrolment == 75
    audit = report_instrument_audit(row=row)
    assert audit["providers"][str(fr_provider.pk)]["enrolment_percentage"] == 0.75
    trail = audit["requests"][str(request.pk)]
    assert trail["results"][str(fr_provider.pk)]["audit"] == {"frames": 12}
    assert (trail["status"], trail["result"]) == (1, 0.9)


# Rebuild --------------------------------------------------------------------------------------


def test_rebuild_reproduces_reports_and_histograms(
    institution,
    course,
    configured_activity,
    consenting_learner,
    consent,
    fr_provider,
    plag_provider,
    committed,
):
    other = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(other)
    with committed():
        for learner, value in ((consenting_learner, 0.9), (other, 0.4)):
            enrol(learner, fr_provider)
            for _ in range(2):
                request = submit(learner, configured_activity, [1, 5])
                answer(fr_provider, request, status=1, result=value, code=1)
                answer(plag_provider, request, status=1, result=1 - value, code=1)
    incremental = {report.learner_id: levels_of(report) for report in ReportActivity.objects.all()}
    histograms = {
        model: sorted(tuple(row.bins) for row in model.objects.all())
        for model in (
            HistogramActivityInstrument,
            HistogramActivityProvider,
            HistogramLearnerInstrument,
            HistogramLearnerProvider,
        )
    }
    ReportActivity.objects.all().delete()
    for model in histograms:
        model.objects.all().delete()

    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_reports", course_id=course.pk, stdout=out, stderr=err)
    assert "2 reports generated" in out.getvalue()
    assert "2/2 reports" in err.getvalue()  # the progress bar
    assert {r.learner_id: levels_of(r) for r in ReportActivity.objects.all()} == incremental
    for model, bins in histograms.items():
        assert sorted(tuple(row.bins) for row in model.objects.all()) == bins


def test_rebuild_for_one_user_touches_only_their_reports(
    institution, course, configured_activity, consenting_learner, consent, fr_provider
):
    other = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(other)
    submit(consenting_learner, configured_activity, [1])
    submit(other, configured_activity, [1])
    ReportActivity.objects.all().delete()
    call_command(
        "rebuild_reports", user_id=consenting_learner.pk, no_progress=True, stdout=io.StringIO()
    )
    assert list(ReportActivity.objects.values_list("learner_id", flat=True)) == [
        consenting_learner.pk
    ]


# Enrolment status -----------------------------------------------------------------------------


def test_missing_enrolments_follow_the_learners_instruments(
    configured_activity, consenting_learner, fr_provider
):
    missing = learner_missing_enrolments(learner=consenting_learner, activity=configured_activity)
    assert missing["missing_enrolments"] is True
    assert missing["instruments"][1]["can_analyse__max"] is False
    assert 5 not in missing["instruments"]  # plagiarism needs no enrolment

    enrol(consenting_learner, fr_provider, percentage="0.40", can_analyse=True)
    missing = learner_missing_enrolments(learner=consenting_learner, activity=configured_activity)
    assert missing["missing_enrolments"] is False
    assert missing["instruments"][1]["percentage__max"] == 0.4
    assert learner_enrolment_status(learner=consenting_learner)[0]["instrument_id"] == 1

    configured_activity.enabled = False
    configured_activity.save()
    closed = learner_missing_enrolments(learner=consenting_learner, activity=configured_activity)
    assert closed == {
        "missing_enrolments": False,
        "instruments": {},
        "activity_id": configured_activity.pk,
        "learner_id": consenting_learner.pk,
    }


def test_request_results_are_the_only_source_of_report_numbers(
    configured_activity, consenting_learner, fr_provider
):
    """Deleting a learner's requests and rebuilding leaves a report with no instrument row."""
    enrol(consenting_learner, fr_provider)
    submit(consenting_learner, configured_activity, [1])
    building.report_activity_build(learner=consenting_learner, activity=configured_activity)
    assert ReportActivity.objects.get().detail.count() == 1
    RequestResult.objects.all().delete()
    Request.objects.all().delete()
    building.report_activity_build(learner=consenting_learner, activity=configured_activity)
    report = ReportActivity.objects.get()
    assert report.detail.count() == 0
    assert levels_of(report) == (0, 0, 0)
