"""The Django admin site (/admin/): every page opens, computed data (reports, histograms,
results, alerts) can be looked at but not added or edited, a report shows its chart, and
learners appear by name and uid."""

import base64

import pytest
from django.contrib import admin
from django.urls import reverse

from reports.models import (
    Alert,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    ReportActivity,
    RequestProviderResult,
    RequestResult,
)
from tests.reports.conftest import answer, enrol, submit

pytestmark = pytest.mark.django_db

COMPUTED = [
    ReportActivity,
    RequestResult,
    RequestProviderResult,
    HistogramLearnerInstrument,
    HistogramLearnerProvider,
    HistogramActivityInstrument,
    HistogramActivityProvider,
    Alert,
]


@pytest.fixture
def report(configured_activity, consenting_learner, fr_provider, committed):
    enrol(consenting_learner, fr_provider)
    with committed():
        request = submit(consenting_learner, configured_activity, [1])
        answer(fr_provider, request, status=1, result=0.8, code=1)
    return ReportActivity.objects.get()


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_lists_and_opens(admin_client, report):
    for model in admin.site._registry:
        response = admin_client.get(url(model, "changelist"))
        assert response.status_code == 200, model
        row = model._default_manager.first()
        if row is not None:
            assert admin_client.get(url(model, "change", row.pk)).status_code == 200, model


@pytest.mark.parametrize("model", COMPUTED, ids=lambda model: model.__name__)
def test_computed_data_is_read_only(admin_client, report, model):
    changelist = admin_client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert url(model, "add") not in changelist.content.decode()
    assert admin_client.get(url(model, "add")).status_code == 403
    row = model._default_manager.first()
    if row is None:
        return
    page = admin_client.get(url(model, "change", row.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # shown, not a form to submit
    assert admin_client.post(url(model, "change", row.pk), {}).status_code == 403


def test_report_rows_in_the_report_page_are_read_only(admin_client, report):
    page = admin_client.get(url(ReportActivity, "change", report.pk)).content.decode()
    # The instrument rows are shown (no new row can be added, none edited).
    assert 'name="detail-MAX_NUM_FORMS" value="0"' in page
    assert 'name="detail-0-result"' not in page
    assert ">80<" in page.replace(" ", "").replace("\n", "")


def test_report_page_shows_the_chart(admin_client, report):
    page = admin_client.get(url(ReportActivity, "change", report.pk)).content.decode()
    marker = 'src="data:image/svg+xml;base64,'
    assert marker in page
    encoded = page.split(marker, 1)[1].split('"', 1)[0]
    svg = base64.b64decode(encoded).decode()
    assert svg.lstrip().startswith(("<svg", "<?xml"))
    assert "fr" in svg


def test_learners_show_by_name_and_uid(admin_client, report, consenting_learner):
    member = consenting_learner.institution_user
    expected = f"{member.user.get_full_name()} ({member.uid})"
    assert str(consenting_learner) == expected
    assert expected in admin_client.get(url(ReportActivity, "changelist")).content.decode()
    learners = admin_client.get(url(type(consenting_learner), "changelist")).content.decode()
    assert expected in learners
    assert str(consenting_learner.learner_id) in learners  # still searchable and shown
