"""Launchers: single-use links a VLE hands to its users so they reach the TeSLA dashboard (or
the learner API) without a password. The link is exchanged at `/api/v2/auth/token`
(`vle.auth.exchange_launcher`), which deletes it and refuses an expired one."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from institution.models import InstitutionUser
from tesla.errors import NotFound
from vle.models import VLE, AssessmentSession, Launcher

LAUNCHER_PATH = "/ui/auth/launcher"


def launcher_create(
    *,
    vle: VLE,
    vle_user_uid: str,
    target: int = Launcher.Target.DASHBOARD,
    target_url: str | None = None,
    ttl: int = 120,
    session_id: int | None = None,
) -> Launcher:
    """A launcher for the VLE institution's user with this uid, valid for `ttl` minutes; the
    tokens it yields can be refreshed for as long.

    Only people the VLE manages, learners or instructors of one of its courses, get a launcher;
    anyone else (an institution admin, a person of another VLE) is 404 "User not found", as if
    unknown. The session it opens carries only their learner and instructor powers
    (`vle.auth.exchange_launcher`). A session, when given, must be a session of this VLE
    and of that user (else 404 "Session not found"). The LAPI target logs a learner into the
    learner API, so it needs a learner (400 otherwise; the original answered 500)."""
    member = (
        InstitutionUser.objects.filter(institution_id=vle.institution_id, uid=vle_user_uid)
        .filter(Q(learner__courses__vle=vle) | Q(instructor__courses__vle=vle))
        .select_related("learner")
        .distinct()
        .first()
    )
    if member is None:
        raise NotFound("User not found")
    session = None
    if session_id is not None:
        session = AssessmentSession.objects.filter(
            pk=session_id, activity__vle=vle, learner_id=member.pk
        ).first()
        if session is None:
            raise NotFound("Session not found")
    if target == Launcher.Target.LAPI and not hasattr(member, "learner"):
        raise ValidationError({"target": ["A LAPI launcher can only be created for a learner."]})
    return Launcher.objects.create(
        user=member,
        session=session,
        target=target,
        target_url=target_url,
        refresh_minutes=ttl,
        expires_at=timezone.now() + timedelta(minutes=ttl),
    )


def launcher_url(launcher: Launcher) -> str:
    """Where the browser goes: the dashboard's launcher page, which swaps id and token for a
    login. The Moodle plugin cuts this URL at its first "auth" to find the dashboard base, so
    the path must start right after DASHBOARD_URL."""
    query = urlencode({"id": launcher.pk, "token": str(launcher.token)})
    return f"{settings.DASHBOARD_URL}{LAUNCHER_PATH}?{query}"
