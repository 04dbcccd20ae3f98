"""Fast deterministic seeding for the benchmarks (bulk inserts, no files)."""

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from institution.models import Institution, InstitutionUser, Learner, User
from reports.models import (
    Provider,
    Request,
    RequestProviderResult,
    RequestResult,
    RequestStatus,
    ResultCode,
    ResultStatus,
)
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument

BATCH = 5000
FACE_RECOGNITION = 1


@transaction.atomic
def seed_activity(*, learners: int, requests: int):
    """One institution, VLE, course and activity watched by face recognition (one provider),
    `learners` consenting learners (external consent) each with `requests` processed
    requests. Returns (activity, learners)."""
    institution = Institution.objects.create(acronym="BENCH", name="Bench", external_ic=True)
    vle = VLE.objects.create(name="bench-vle", institution=institution)
    course = Course.objects.create(vle=vle, code="BENCH", vle_course_id="1")
    activity = Activity.objects.create(
        vle=vle, course=course, vle_activity_type="quiz", vle_activity_id="1", enabled=True
    )
    Instrument.objects.filter(pk=FACE_RECOGNITION).update(enabled=True)
    ActivityInstrument.objects.create(
        activity=activity, instrument_id=FACE_RECOGNITION, active=True
    )
    provider = Provider.objects.create(
        instrument_id=FACE_RECOGNITION,
        name="bench fr",
        acronym="bench_fr",
        queue="bench_fr",
        enabled=True,
        alert_below="0.30",
        warning_below="0.60",
    )

    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{n}", email=f"bench{n}@example.org", password=password)
            for n in range(learners)
        ],
        batch_size=BATCH,
    )
    members = InstitutionUser.objects.bulk_create(
        [InstitutionUser(user=user, institution=institution, uid=f"b{user.pk}") for user in users],
        batch_size=BATCH,
    )
    rows = Learner.objects.bulk_create(
        [Learner(institution_user=member) for member in members], batch_size=BATCH
    )
    course.learners.add(*rows)

    now = timezone.now()
    request_rows = Request.objects.bulk_create(
        [
            Request(
                learner=learner,
                activity=activity,
                status=RequestStatus.PROCESSED,
                metadata={"mimetype": "image/jpeg"},
            )
            for learner in rows
            for _ in range(requests)
        ],
        batch_size=BATCH,
    )
    through = Request.instruments.through
    through.objects.bulk_create(
        [through(request=row, instrument_id=FACE_RECOGNITION) for row in request_rows],
        batch_size=BATCH,
    )
    results, answers = [], []
    for row in request_rows:
        value = round(random.betavariate(8, 2), 3)
        code = (
            ResultCode.ALERT
            if value < 0.3
            else ResultCode.WARNING
            if value < 0.6
            else ResultCode.OK
        )
        results.append(
            RequestResult(
                request=row,
                instrument_id=FACE_RECOGNITION,
                status=ResultStatus.PROCESSED,
                result=value,
                code=code,
                created_at=now,
            )
        )
        answers.append(
            RequestProviderResult(
                request=row,
                provider=provider,
                status=ResultStatus.PROCESSED,
                result=value,
                code=ResultCode.OK,
            )
        )
    RequestResult.objects.bulk_create(results, batch_size=BATCH)
    RequestProviderResult.objects.bulk_create(answers, batch_size=BATCH)
    return activity, rows
