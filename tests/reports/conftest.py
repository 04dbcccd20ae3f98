"""Verification fixtures: enabled instruments configured on the activity, a consenting learner,
providers with credentials, and helpers that drive requests and provider answers."""

import pytest
from django.utils import timezone

from institution.models import InformedConsent
from reports.models import Enrolment
from tests import factories
from vle.models import ActivityInstrument, Instrument


@pytest.fixture
def consent(institution):
    return InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now()
    )


def give_consent(account, consent):
    learner = account.institution_user.learner
    learner.consent = consent
    learner.consent_accepted = timezone.now()
    learner.save()
    return learner


@pytest.fixture
def consenting_learner(learner, consent):
    """The course's learner, with the current informed consent accepted."""
    return give_consent(learner, consent)


@pytest.fixture
def instruments(db):
    """fr (identity, requires enrolment) and plag (content) enabled."""
    Instrument.objects.filter(pk__in=[1, 5]).update(enabled=True)
    return Instrument.objects.in_bulk([1, 5])


@pytest.fixture
def configured_activity(activity, instruments):
    """The activity, enabled, watched by fr and plag."""
    activity.enabled = True
    activity.save()
    ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    ActivityInstrument.objects.create(activity=activity, instrument_id=5, active=True)
    return activity


@pytest.fixture
def fr_provider(db):
    return factories.provider(1)


@pytest.fixture
def plag_provider(db):
    return factories.provider(5, inverted_polarity=True, alert_below="0.70", warning_below="0.50")


def enrol(learner, provider, percentage="1.00", can_analyse=True):
    return Enrolment.objects.update_or_create(
        learner=learner,
        provider=provider,
        defaults={"percentage": percentage, "can_analyse": can_analyse},
    )[0]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit hooks (the report builds) of the block, as a
    real commit would; tests run inside a transaction that never commits."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def submit(learner, activity, instruments, *, session=None, data="sample", metadata=None):
    """A verification request, as the LAPI or an attachment creates it."""
    from reports.services.intake import verification_request_create

    return verification_request_create(
        learner=learner,
        activity=activity,
        instruments=instruments,
        data=data,
        metadata=metadata or {"mimetype": "text/plain"},
        session_id=session.pk if session is not None else None,
    )


def answer(provider, request, **changes):
    """A provider's answer to a request, as its PUT stores it."""
    from reports.models import RequestProviderResult
    from reports.services.verification import provider_result_record

    row = RequestProviderResult.objects.get(provider=provider, request=request)
    return provider_result_record(provider_result=row, changes=changes)


def levels_of(row):
    return (row.identity_level, row.content_level, row.integrity_level)


def report_jobs(learner=None):
    """The outbox jobs of reports still to build (of one learner, if given)."""
    from reports.services.work import report_work_pending

    jobs = report_work_pending()
    if learner is not None:
        jobs = jobs.filter(key__startswith=f"report:{learner.pk}:")
    return jobs


# Who reaches a provider's tree: only that provider (another provider sees a 404).
PROVIDER_TREE_ACCESS = [
    ("anonymous", 401),
    ("global_admin", 403),
    ("inst_admin", 403),
    ("vle", 403),
    ("learner_token", 403),
    ("provider", 404),  # the conftest provider is another provider
]
