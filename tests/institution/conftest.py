"""Fixtures for the institution API: people who are not personas (targets of reads and
writes), consent versions and documents, SEND categories and assignments, groups and URL
builders. Uploaded files go to a temporary MEDIA_ROOT."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import (
    CourseGroup,
    InformedConsent,
    InformedConsentDocument,
    SENDCategory,
    SENDLearner,
    UIOption,
)
from tests import factories

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def base(institution):
    """`base("group/")` -> /api/v2/institution/<ours>/group/."""
    return lambda tail="": f"/api/v2/institution/{institution.pk}/{tail}"


@pytest.fixture
def other_member(institution):
    """A plain user of our institution who is none of the personas."""
    return factories.user(institution).institution_user


@pytest.fixture
def other_learner(institution):
    """A learner of our institution who is not the `learner` persona."""
    return factories.user(institution, learner=True).institution_user.learner


@pytest.fixture
def other_instructor(institution):
    return factories.user(institution, instructor=True).institution_user.instructor


@pytest.fixture
def foreign_learner(other_institution):
    return factories.user(other_institution, learner=True).institution_user.learner


def make_consent(institution, version="1.0.0", days=-1) -> InformedConsent:
    return InformedConsent.objects.create(
        institution=institution,
        version=version,
        valid_from=timezone.now() + timedelta(days=days),
    )


@pytest.fixture
def consent(institution):
    """The institution's consent in force (1.0.0, valid since yesterday)."""
    return make_consent(institution)


@pytest.fixture
def document(consent):
    return InformedConsentDocument.objects.create(consent=consent, language="en", html="<p>x</p>")


@pytest.fixture
def group(institution):
    return CourseGroup.objects.create(institution=institution, name="Sciences")


@pytest.fixture
def send_category(institution):
    return SENDCategory.objects.create(
        institution=institution,
        description="Low vision",
        data={"enabled_options": ["big_fonts"], "disabled_instruments": [1]},
    )


@pytest.fixture
def foreign_send_category(other_institution):
    return SENDCategory.objects.create(institution=other_institution, description="Other")


@pytest.fixture
def send_assignment(other_learner, send_category):
    return SENDLearner.objects.create(learner=other_learner, category=send_category)


@pytest.fixture
def ui_option(institution):
    """The institution hides the global route `administration` for all its users."""
    return UIOption.objects.create(institution=institution, route="administration")


@pytest.fixture
def global_route(db):
    """Any global route shipped by the migrations."""
    return UIOption.objects.filter(institution__isnull=True, user__isnull=True).order_by("id")[0]
