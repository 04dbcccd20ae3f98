"""Item 3 of the security pass: verification evidence is not destroyed by one DELETE, and a
forced deletion erases the stored files too."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from institution.models import InformedConsent, Institution, InstitutionUser, Learner, User
from reports.models import ReportActivity, Request
from tests import factories
from tests.reports.conftest import submit
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evidence(institution, vle, course, activity, learner):
    """A request with a stored sample (and so a report) of the course's learner."""
    Instrument.objects.filter(pk=1).update(enabled=True)
    Activity.objects.filter(pk=activity.pk).update(enabled=True)
    ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
    consent = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=timezone.now() - timedelta(days=1)
    )
    row = learner.institution_user.learner
    Learner.objects.filter(pk=row.pk).update(consent=consent, consent_accepted=timezone.now())
    row.refresh_from_db()
    with transaction.atomic():
        request = submit(row, Activity.objects.get(pk=activity.pk), [1], data="a-sample")
    request.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / request.data.name
    assert path.exists()
    return path


def urls(institution, vle, course, activity, learner):
    i, v, c, a, p = institution.pk, vle.pk, course.pk, activity.pk, learner.pk
    return {
        "activity-vle": (f"/api/v2/vle/{v}/course/{c}/activity/{a}/", Activity, a),
        "activity": (f"/api/v2/institution/{i}/course/{c}/activity/{a}/", Activity, a),
        "course-vle": (f"/api/v2/vle/{v}/course/{c}/", Course, c),
        "course": (f"/api/v2/institution/{i}/course/{c}/", Course, c),
        "vle": (f"/api/v2/institution/{i}/vle/{v}/", VLE, v),
        "learner": (f"/api/v2/institution/{i}/learner/{p}/", Learner, p),
        "user": (f"/api/v2/institution/{i}/user/{p}/", InstitutionUser, p),
        "admin-user": (f"/api/v2/admin/user/{p}/", User, p),
        "institution": (f"/api/v2/admin/institution/{i}/", Institution, i),
    }


OWNERS = [
    "activity-vle",
    "activity",
    "course-vle",
    "course",
    "vle",
    "learner",
    "user",
    "admin-user",
    "institution",
]
ADMIN_OF = {"admin-user": "global_admin", "institution": "global_admin"}


@pytest.mark.parametrize("owner", OWNERS)
def test_deleting_an_owner_of_evidence_is_a_409_naming_it(
    api, evidence, institution, vle, course, activity, learner, owner
):
    url, model, pk = urls(institution, vle, course, activity, learner)[owner]
    persona = "vle" if owner.endswith("-vle") else ADMIN_OF.get(owner, "inst_admin")

    response = api(persona).delete(url)

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["owns"]["requests"] == 1
    assert body["owns"]["reports"] == 1
    assert "force=true" in body["detail"]
    assert model.objects.filter(pk=pk).exists()
    assert Request.objects.count() == 1
    assert evidence.exists()


@pytest.mark.parametrize("owner", [owner for owner in OWNERS if not owner.endswith("-vle")])
def test_an_admin_may_force_it_and_the_files_go_too(
    api, evidence, institution, vle, course, activity, learner, owner
):
    url, model, pk = urls(institution, vle, course, activity, learner)[owner]
    persona = ADMIN_OF.get(owner, "inst_admin")

    response = api(persona).delete(f"{url}?force=true")

    assert response.status_code == 204, response.content
    assert not model.objects.filter(pk=pk).exists()
    assert Request.objects.count() == 0
    assert ReportActivity.objects.count() == 0
    assert not evidence.exists()


@pytest.mark.parametrize("owner", ["activity-vle", "course-vle"])
def test_a_vle_can_never_force(api, evidence, institution, vle, course, activity, learner, owner):
    url, model, pk = urls(institution, vle, course, activity, learner)[owner]

    response = api("vle").delete(f"{url}?force=true")

    assert response.status_code == 403
    assert model.objects.filter(pk=pk).exists()
    assert evidence.exists()


def test_deleting_what_owns_no_evidence_needs_no_force(api, vle):
    empty = factories.course(vle)
    assert api("vle").delete(f"/api/v2/vle/{vle.pk}/course/{empty.pk}/").status_code == 204


def test_a_failed_forced_deletion_keeps_the_files(api, evidence, global_admin, learner):
    """Files go only once the deletion commits: deleting oneself is refused after the
    evidence check, and the sample stays."""
    response = api("global_admin").delete(f"/api/v2/admin/user/{global_admin.pk}/?force=true")
    assert response.status_code == 403
    assert evidence.exists()
