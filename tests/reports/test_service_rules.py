"""The rules of the reports services hold whichever door calls them: they refuse with Django's
ValidationError naming the field or with the tesla.errors family, never with a DRF exception,
and a refusal leaves nothing behind."""

import pytest
from django.core.exceptions import ValidationError

from reports.models import Provider, Request, RequestProviderResult, ResultStatus
from reports.services import intake, providers, webhooks
from reports.services.verification import provider_result_status_set
from tesla import errors
from tests import factories
from tests.reports.conftest import answer, give_consent, submit
from vle.models import AssessmentSession


def test_a_session_of_another_learner_is_refused_by_the_service(
    institution, course, configured_activity, consenting_learner, consent
):
    other = give_consent(factories.user(institution, learner=True), consent)
    course.learners.add(other)
    theirs = AssessmentSession.objects.create(activity=configured_activity, learner=other)
    with pytest.raises(ValidationError) as refused:
        intake.verification_request_create(
            learner=consenting_learner,
            activity=configured_activity,
            instruments=[1],
            data="sample",
            metadata={},
            session_id=theirs.pk,
        )
    assert set(refused.value.message_dict) == {"session_id"}
    assert not Request.objects.exists()


def test_the_lapi_rules_name_their_field(
    institution, other_institution, configured_activity, consenting_learner
):
    with pytest.raises(ValidationError) as unknown:
        intake.intake_activity_resolve(
            institution=other_institution,
            course_id=configured_activity.course_id,
            activity_id=configured_activity.pk,
        )
    assert set(unknown.value.message_dict) == {"activity_id"}
    outsider = factories.user(institution, learner=True).institution_user.learner
    with pytest.raises(ValidationError) as not_member:
        intake.intake_course_member_check(learner=outsider, activity=configured_activity)
    assert set(not_member.value.message_dict) == {"learner_id"}
    with pytest.raises(errors.Forbidden):
        intake.intake_learner_check(learner=consenting_learner, learner_id=outsider.learner_id)
    with pytest.raises(ValidationError) as no_consent:
        intake.intake_consent_check(learner=outsider)  # never accepted the consent
    assert set(no_consent.value.message_dict) == {"learner_id"}


def test_moving_the_status_alone_cannot_move_a_processed_answer(
    configured_activity, consenting_learner, fr_provider
):
    request = submit(consenting_learner, configured_activity, [1])
    answer(fr_provider, request, status=ResultStatus.PROCESSED, result=0.9, code=1)
    row = RequestProviderResult.objects.get(provider=fr_provider, request=request)
    with pytest.raises(ValidationError) as refused:
        provider_result_status_set(provider_result=row, status=ResultStatus.PROCESSING)
    assert set(refused.value.message_dict) == {"status"}
    row.refresh_from_db()
    assert (row.status, row.result) == (ResultStatus.PROCESSED, 0.9)


def test_a_provider_that_answered_cannot_be_deleted(
    configured_activity, consenting_learner, fr_provider
):
    submit(consenting_learner, configured_activity, [1])
    with pytest.raises(errors.Conflict):
        providers.provider_delete(provider=fr_provider)
    assert Provider.objects.filter(pk=fr_provider.pk).exists()


def test_webhook_refusals_are_application_errors(fr_provider):
    with pytest.raises(errors.NotFound):
        webhooks.webhook_client_for({"X-Unknown": "1"})
    webhook = webhooks.provider_webhook_register(provider=fr_provider, client_header="TESLA-X")
    with pytest.raises(errors.Forbidden):
        webhooks.webhook_signature_check(webhook=webhook, raw_body=b"{}", data={}, signature="bad")
