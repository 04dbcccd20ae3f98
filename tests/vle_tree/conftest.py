"""Fixtures for the VLE tree (/api/v2/vle/{v}/...): a client for our VLE, URLs, switched-on
instruments, a learner who consented, and an activity configured with instruments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import InformedConsent
from tests import factories
from vle.models import ActivityInstrument, Instrument

FR, KS, VR, FA, PLAG = 1, 2, 3, 4, 5


@pytest.fixture
def vle_api(vle):
    """An APIClient authenticated as our VLE."""
    return factories.client_for(vle)


@pytest.fixture
def base(vle):
    return f"/api/v2/vle/{vle.pk}"


@pytest.fixture
def course_url(base, course):
    return f"{base}/course/{course.pk}"


@pytest.fixture
def activity_url(course_url, activity):
    return f"{course_url}/activity/{activity.pk}"


@pytest.fixture
def instruments_on(db):
    """The five standard instruments, switched on (they are seeded off)."""
    Instrument.objects.update(enabled=True)
    return {instrument.acronym: instrument for instrument in Instrument.objects.all()}


@pytest.fixture
def consent(institution):
    """The institution's current informed consent."""
    return InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now() - timedelta(days=1)
    )


def give_consent(learner_row, consent) -> None:
    learner_row.consent = consent
    learner_row.consent_accepted = timezone.now()
    learner_row.consent_rejected = None
    learner_row.save()


@pytest.fixture
def consenting_learner(institution, course, consent):
    """A learner of `course` who accepted the current consent (a User; `.institution_user.
    learner` is the Learner row)."""
    account = factories.user(institution, learner=True)
    learner_row = account.institution_user.learner
    course.learners.add(learner_row)
    give_consent(learner_row, consent)
    return account


def configure(activity, instrument_id: int, *, active=True, options=None, alternative_to=None):
    return ActivityInstrument.objects.create(
        activity=activity,
        instrument_id=instrument_id,
        active=active,
        options=options,
        alternative_to=alternative_to,
    )
