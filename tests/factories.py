"""Small builders for test data. They write rows directly, so tests of one endpoint never
depend on another endpoint working."""

import itertools

from rest_framework.test import APIClient

from institution.models import Institution, InstitutionUser, Instructor, Learner, User
from reports.models import Provider
from tesla import tokens
from vle.models import VLE, Activity, Course, ManagedPerson

_seq = itertools.count(1)


def institution(**values) -> Institution:
    n = next(_seq)
    return Institution.objects.create(
        **{"acronym": f"INST{n}", "name": f"Institution {n}", **values}
    )


def user(
    inst: Institution | None,
    *,
    password: str | None = "pass-Word-1234",
    learner: bool = False,
    instructor: bool = False,
    is_staff: bool = False,
    login_allowed: bool = True,
    **flags,
) -> User:
    """A user, a member of `inst` when given, with the admin `flags` and role rows asked for."""
    n = next(_seq)
    account = User.objects.create_user(
        username=f"user{n}",
        email=f"user{n}@example.org",
        password=password,
        first_name=f"First{n}",
        last_name=f"Last{n}",
        is_staff=is_staff,
    )
    if inst is not None:
        member = InstitutionUser.objects.create(
            user=account, institution=inst, uid=f"uid{n}", login_allowed=login_allowed, **flags
        )
        if learner:
            Learner.objects.create(institution_user=member)
        if instructor:
            Instructor.objects.create(institution_user=member)
    return account


def vle_person(v: VLE, **roles) -> User:
    """A person as a VLE creates them: no password login, no admin flag, managed by `v`."""
    account = user(v.institution, password=None, login_allowed=False, **roles)
    ManagedPerson.objects.create(institution_user=account.institution_user, vle=v)
    return account


def vle(inst: Institution, **values) -> VLE:
    n = next(_seq)
    return VLE.objects.create(**{"name": f"vle{n}", "institution": inst, **values})


def course(v: VLE, **values) -> Course:
    n = next(_seq)
    return Course.objects.create(**{"vle": v, "code": f"C{n}", "vle_course_id": f"{n}", **values})


def activity(c: Course, **values) -> Activity:
    n = next(_seq)
    return Activity.objects.create(
        **{
            "vle": c.vle,
            "course": c,
            "vle_activity_type": "quiz",
            "vle_activity_id": f"{n}",
            "name": f"Activity {n}",
            **values,
        }
    )


def provider(instrument_id: int, **values) -> Provider:
    n = next(_seq)
    return Provider.objects.create(
        **{
            "instrument_id": instrument_id,
            "name": f"Provider {n}",
            "acronym": f"prov{n}",
            "queue": f"queue{n}",
            "enabled": True,
            "alert_below": "0.30",
            "warning_below": "0.60",
            **values,
        }
    )


def token_for(principal) -> str:
    """An access token for a user, a learner row, a VLE or a provider."""
    if isinstance(principal, User):
        kind = "admin" if principal.is_staff else "user"
        return tokens.issue_pair(
            principal_type=kind, pk=principal.pk, sub="t", refresh_minutes=60
        ).access_token
    if isinstance(principal, Learner):
        return tokens.issue_pair(
            principal_type="learner", pk=principal.pk, sub="t", refresh_minutes=60
        ).access_token
    kind = "vle" if isinstance(principal, VLE) else "provider"
    return tokens.issue_pair(
        principal_type=kind, pk=principal.pk, sub="api", refresh_minutes=60
    ).access_token


def client_for(principal=None) -> APIClient:
    client = APIClient()
    if principal is not None:
        client.credentials(HTTP_AUTHORIZATION=f"JWT {token_for(principal)}")
    return client
