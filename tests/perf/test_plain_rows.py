"""The hot lists write their rows with plain functions (`PlainRepresentation.represent`); the
declared fields still define the OpenAPI schema. These tests hold the two to the same output,
so the schema stays exact: same keys, same order, same values, on rows that exercise every
branch (consent versions and rejections, expired and current SEND, null dates)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from institution.api.serializers import InstitutionLearnerSerializer, InstitutionSerializer
from institution.models import InformedConsent, SENDCategory, SENDLearner
from institution.selectors import current_informed_consent, learners_of
from reports.api.serializers import (
    InstitutionCourseActivityReportSerializer,
    VLECourseActivityReportSerializer,
)
from reports.models import ReportActivity, ReportActivityInstrument
from reports.selectors import activity_reports
from tests import factories
from vle.api.serializers import (
    InstitutionCourseSerializer,
    InstitutionCourseVLESerializer,
    VLEInstitutionSerializer,
)
from vle.api.vle_serializers import (
    VLECourseActivitySerializer,
    VLECourseSerializer,
    VLESerializer,
)
from vle.models import VLE, Activity, Course
from vle.selectors import courses_of_institution


def same_output(serializer_class, rows, context):
    """Both representations of every row, rendered as JSON text (key order included)."""
    assert rows, "the test needs rows"
    for row in rows:
        plain = serializer_class(context=dict(context)).to_representation(row)
        declared = serializer_class(context=dict(context)).declared_representation(row)
        assert json.dumps(plain, default=str) == json.dumps(declared, default=str)


@pytest.fixture
def context(institution, vle):
    request = Request(APIRequestFactory().get("/", HTTP_HOST="testserver"))
    return {"request": request, "parents": {"institution": institution, "vle": vle}}


@pytest.mark.django_db
def test_learner_rows(institution, context):
    now = timezone.now()
    old = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=now - timedelta(days=9)
    )
    patch = InformedConsent.objects.create(
        institution=institution, version="1.0.1", valid_from=now - timedelta(days=8)
    )
    InformedConsent.objects.create(
        institution=institution, version="2.0.0", valid_from=now - timedelta(days=1)
    )
    category = SENDCategory.objects.create(
        institution=institution,
        description="Low vision",
        data={"enabled_options": ["big_fonts"], "disabled_instruments": [3, 1]},
    )
    rows = [factories.user(institution, learner=True).institution_user.learner for _ in range(5)]
    rows[0].consent, rows[0].consent_accepted = old, now
    rows[1].consent, rows[1].consent_accepted = patch, now
    rows[2].consent, rows[2].consent_rejected = old, now
    for row in rows:
        row.save()
    SENDLearner.objects.create(learner=rows[3], category=category)
    SENDLearner.objects.create(
        learner=rows[4], category=category, expires_at=now - timedelta(days=1)
    )
    learners = list(learners_of(institution).order_by("pk"))
    context = {**context, "current_consent": current_informed_consent(institution.pk)}
    same_output(InstitutionLearnerSerializer, learners, context)


@pytest.mark.django_db
def test_vle_course_and_activity_rows(vle, context):
    start = timezone.now() - timedelta(days=3)
    factories.course(vle, start=start, end=start + timedelta(days=30), description="Long")
    factories.activity(factories.course(vle), enabled=True, start=start, conf='{"a": 1}')
    courses = list(Course.objects.filter(vle=vle).select_related("vle__institution"))
    same_output(VLECourseSerializer, courses, context)
    activities = list(Activity.objects.filter(vle=vle).select_related("course__vle__institution"))
    for activity in activities:
        same_output(
            VLECourseActivitySerializer,
            [activity],
            {**context, "parents": {**context["parents"], "course": activity.course}},
        )


@pytest.mark.django_db
def test_institution_course_rows(institution, vle, instructor, course, context):
    factories.course(vle, start=timezone.now())
    person = instructor.institution_user
    courses = list(courses_of_institution(institution=institution, person=person, own_only=False))
    same_output(InstitutionCourseSerializer, courses, context)


@pytest.mark.django_db
def test_report_rows(institution, activity, context):
    learners = [factories.user(institution, learner=True).institution_user.learner for _ in "ab"]
    report = ReportActivity.objects.create(
        activity=activity, learner=learners[0], identity_level=3, content_level=2
    )
    ReportActivityInstrument.objects.create(
        report=report, instrument_id=1, confidence=80, result=55, identity_level=3
    )
    ReportActivityInstrument.objects.create(report=report, instrument_id=5, result=12)
    ReportActivity.objects.create(activity=activity, learner=learners[1])
    for rows_inline in (False, True):
        reports = list(activity_reports(activity=activity, rows_inline=rows_inline).order_by("pk"))
        same_output(InstitutionCourseActivityReportSerializer, reports, context)
        same_output(VLECourseActivityReportSerializer, reports, context)


@pytest.mark.django_db
def test_nested_institution_and_vle(institution, vle, context):
    vle.url, vle.client_id = "https://vle.example.org", "client"
    vle.save()
    institution.allowed_domains, institution.mail_domain = None, "example.org"
    institution.save()
    vle = VLE.objects.select_related("institution").get(pk=vle.pk)
    same_output(InstitutionSerializer, [vle.institution], context)
    same_output(VLEInstitutionSerializer, [vle.institution], context)
    same_output(VLESerializer, [vle], context)
    same_output(InstitutionCourseVLESerializer, [vle], context)
