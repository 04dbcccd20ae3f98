"""VLE credentials and launchers as seen by the authentication endpoints."""

from django.conf import settings
from django.utils import timezone

from tesla import tokens
from tesla.principals import LAUNCHER_EXCHANGE, register_module
from vle.models import VLE, Launcher


def describe_vle(vle: VLE) -> dict:
    """The approle login body of a VLE (the token is added by the login view).

    `vle` is the raw row (institution as an id, type as the integer), as the PHP SDK and the
    Moodle plugin read it."""
    module = f"vle_{vle.pk:03d}"
    return {
        "type": "vle",
        "pk": vle.pk,
        "module": module,
        "description": "TeSLA VLE",
        "domain": module,
        "apps": [],
        "services": {},
        "config": {"API_URL": settings.PUBLIC_API_URL, "DASHBOARD_URL": settings.DASHBOARD_URL},
        "vle_id": vle.pk,
        "vle_name": vle.name,
        "vle_url": vle.url,
        "institution_id": vle.institution_id,
        "institution_acronym": vle.institution.acronym,
        "vle": {
            "id": vle.pk,
            "name": vle.name,
            "type": vle.type,
            "institution": vle.institution_id,
            "url": vle.url,
            "lti": vle.lti,
            "client_id": vle.client_id,
            "created_at": vle.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": vle.updated_at.isoformat().replace("+00:00", "Z"),
        },
    }


def exchange_launcher(launcher_id: int, token) -> tokens.TokenPair | None:
    """Use up a launcher: it is deleted whatever happens next, and only an unexpired one
    yields tokens."""
    launcher = (
        Launcher.objects.select_for_update(of=("self",))
        .select_related("user__user", "user__learner")
        .filter(pk=launcher_id, token=token)
        .first()
    )
    if launcher is None:
        return None
    launcher.delete()
    if launcher.expires_at <= timezone.now() or not launcher.user.user.is_active:
        return None
    if launcher.target == Launcher.Target.LAPI:
        learner = getattr(launcher.user, "learner", None)
        if learner is None:
            return None
        return tokens.issue_pair(
            principal_type="learner",
            pk=learner.pk,
            sub=str(learner.learner_id),
            refresh_minutes=launcher.refresh_minutes,
            extra={"session_id": launcher.session_id, "mode": "verification"},
        )
    # A launcher logs the person in with their learner and instructor powers only: a VLE
    # must never obtain admin power through someone it links to the dashboard.
    return tokens.issue_pair(
        principal_type="user",
        pk=launcher.user.pk,
        sub=launcher.user.uid,
        refresh_minutes=launcher.refresh_minutes,
        extra={tokens.SCOPE_CLAIM: tokens.LAUNCHER_SCOPE},
    )


def register() -> None:
    register_module("vle", VLE, describe_vle, related=("institution",))
    LAUNCHER_EXCHANGE[:] = [exchange_launcher]
