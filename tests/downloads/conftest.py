"""Fixtures for the download endpoints: a consent version with a PDF document and an
HTML-only one; an activity watched by fr and plag with the course's learner and a classmate,
each with a stored request (and so a report); URL builders for every tree."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from institution.models import InformedConsent
from institution.services.consent import ic_document_create
from reports.models import Enrolment, ReportActivity
from tests import factories
from tests.reports.conftest import submit
from vle.models import ActivityInstrument, Instrument

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SAMPLE = "data:image/jpeg;base64,AAAA"
METADATA = {"mimetype": "image/jpeg", "context": {"page": 3}}


def body_of(response) -> bytes:
    """The bytes of a response, streamed (FileResponse) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def consent(institution):
    return InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now() - timedelta(days=1)
    )


@pytest.fixture
def pdf_document(consent):
    """The consent's English text, with a PDF."""
    return ic_document_create(
        consent=consent,
        language="en",
        html="<p>en</p>",
        pdf=SimpleUploadedFile("consent.pdf", PDF_BYTES, content_type="application/pdf"),
    )


@pytest.fixture
def html_document(consent):
    """The consent's Spanish text, without a PDF."""
    return ic_document_create(consent=consent, language="es", html="<p>es</p>")


@pytest.fixture
def ic_urls(institution, consent):
    root = f"/api/v2/institution/{institution.pk}/ic/{consent.pk}/document/"
    return SimpleNamespace(
        list=root,
        detail=lambda language: f"{root}{language}/",
        pdf=lambda language: f"{root}{language}/pdf/",
    )


@pytest.fixture
def configured_activity(activity):
    """The activity, enabled, watched by fr (1) and plag (5), both switched on."""
    Instrument.objects.filter(pk__in=[1, 5]).update(enabled=True)
    activity.enabled = True
    activity.save()
    for instrument_id in (1, 5):
        ActivityInstrument.objects.create(
            activity=activity, instrument_id=instrument_id, active=True
        )
    return activity


def _consenting(account, consent):
    row = account.institution_user.learner
    row.consent = consent
    row.consent_accepted = timezone.now()
    row.save()
    return row


@pytest.fixture
def fr_provider(db):
    """The face-recognition provider the requests are handed to."""
    return factories.provider(1)


@pytest.fixture
def world(
    institution,
    course,
    configured_activity,
    learner,
    consent,
    fr_provider,
    django_capture_on_commit_callbacks,
):
    """The course's learner (the `learner` persona) and a classmate, each with one stored
    request for fr and plag; their reports are built on commit."""
    mine = _consenting(learner, consent)
    classmate = _consenting(factories.user(institution, learner=True), consent)
    course.learners.add(classmate)
    for row in (mine, classmate):
        Enrolment.objects.create(
            learner=row, provider=fr_provider, percentage="1.00", can_analyse=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(mine, configured_activity, [1, 5], data=SAMPLE, metadata=METADATA)
        classmate_request = submit(classmate, configured_activity, [1, 5], data="theirs")
    return SimpleNamespace(
        learner=mine,
        classmate=classmate,
        request=request,
        classmate_request=classmate_request,
        report=ReportActivity.objects.get(learner=mine, activity=configured_activity),
        classmate_report=ReportActivity.objects.get(
            learner=classmate, activity=configured_activity
        ),
    )


@pytest.fixture
def report_urls(institution, course, configured_activity):
    """`report_urls.requests(report)`, `.request(report, request)`, `.data(report, request)`."""
    root = (
        f"/api/v2/institution/{institution.pk}/course/{course.pk}"
        f"/activity/{configured_activity.pk}/report/"
    )

    def requests(report):
        return f"{root}{report.pk}/request/"

    return SimpleNamespace(
        requests=requests,
        request=lambda report, row: f"{requests(report)}{row.pk}/",
        data=lambda report, row: f"{requests(report)}{row.pk}/data/",
    )


@pytest.fixture
def vle_urls(vle, course, configured_activity):
    """`vle_urls.requests(learner)`, `.request(learner, row)`, `.data(learner, row)`, in our
    VLE's tree (or `vle=` another one's)."""

    def requests(learner_row, vle_pk=None):
        return (
            f"/api/v2/vle/{vle_pk or vle.pk}/course/{course.pk}"
            f"/activity/{configured_activity.pk}/learner/{learner_row.pk}/request/"
        )

    return SimpleNamespace(
        requests=requests,
        request=lambda learner_row, row, vle_pk=None: f"{requests(learner_row, vle_pk)}{row.pk}/",
        data=lambda learner_row, row, vle_pk=None: f"{requests(learner_row, vle_pk)}{row.pk}/data/",
    )
