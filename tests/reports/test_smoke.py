from reports.models import ReportActivity, RequestProviderResult
from reports.services.intake import verification_request_create
from reports.services.verification import provider_result_record
from tests.reports.conftest import enrol


def test_smoke(configured_activity, consenting_learner, fr_provider, plag_provider,
               django_capture_on_commit_callbacks):
    enrol(consenting_learner, fr_provider)
    with django_capture_on_commit_callbacks(execute=True):
        request = verification_request_create(
            learner=consenting_learner, activity=configured_activity, instruments=[1, 5],
            data="abc", metadata={"mimetype": "text/plain"})
    assert RequestProviderResult.objects.filter(request=request).count() == 2
    report = ReportActivity.objects.get()
    assert (report.identity_level, report.content_level, report.integrity_level) == (0, 0, 1)
    for row in RequestProviderResult.objects.filter(request=request):
        with django_capture_on_commit_callbacks(execute=True):
            provider_result_record(provider_result=row, changes={"status": 1, "result": 0.95 if row.provider_id == fr_provider.pk else 0.1, "code": 1})
    report.refresh_from_db()
    assert (report.identity_level, report.content_level, report.integrity_level) == (2, 2, 1)
    print(report.data)
