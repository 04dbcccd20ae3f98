"""How user and learner tokens become principals, and the /auth/profile body."""

from institution.models import ADMIN_FLAGS, Institution, Learner, User
from institution.selectors import member_summary, ui_routes_for
from tesla import tokens
from tesla.permissions import GLOBAL_ADMIN
from tesla.principals import (
    PROFILE_BUILDER,
    LearnerPrincipal,
    register_grounds,
    register_principal,
)


def _admin(pk, claims):
    return User.objects.filter(pk=pk, is_staff=True, is_active=True).first()


def _user(pk, claims):
    user = (
        User.objects.filter(pk=pk, is_active=True, institution_user__isnull=False)
        .select_related(
            "institution_user__institution",
            "institution_user__instructor",
            "institution_user__learner",
        )
        .first()
    )
    if user is not None and claims.get(tokens.SCOPE_CLAIM) == tokens.LAUNCHER_SCOPE:
        _without_admin_power(user)
    return user


def _without_admin_power(user: User) -> None:
    """Narrow a launcher login to the person's learner and instructor roles: for this request
    the loaded rows hold no global or institution admin flag, whatever the person holds. Every
    role check reads these flags, and writes store only the fields they change, so the
    person's real flags are never touched."""
    user.is_staff = user.is_superuser = False
    for flag in ADMIN_FLAGS:
        setattr(user.institution_user, flag, False)


def _learner(pk, claims):
    learner = (
        Learner.objects.filter(pk=pk, institution_user__user__is_active=True)
        .select_related("institution_user__institution", "institution_user__user")
        .first()
    )
    return LearnerPrincipal(learner=learner, claims=claims) if learner else None


def _institution_entry(member) -> dict:
    learner = getattr(member, "learner", None)
    return {
        **member_summary(member),
        "learner_id": str(learner.learner_id) if learner else None,
    }


def build_profile(request) -> dict:
    user = request.user
    member = getattr(user, "institution_user", None)
    institution = _institution_entry(member) if member else None
    roles = list(member.roles) if member else []
    if user.is_staff:
        roles.append(GLOBAL_ADMIN)
        institutions = [
            {"id": i.id, "acronym": i.acronym, "uid": None, "roles": [GLOBAL_ADMIN], "locale": None}
            for i in Institution.objects.order_by("acronym", "id")
        ]
    else:
        institutions = [institution] if institution else []
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": f"{user.first_name} {user.last_name}".strip(),
        "is_admin": user.is_staff,
        "uid": member.uid if member else None,
        "locale": member.locale if member else None,
        "institution": institution,
        "institutions": institutions,
        "roles": roles,
        "routes": ui_routes_for(user),
    }


def register() -> None:
    register_principal("admin", _admin)
    register_principal("user", _user)
    register_principal("learner", _learner)
    # A new password ends the refresh tokens issued with the old one.
    for token_type in ("admin", "user"):
        register_grounds(token_type, lambda user: user.password)
    PROFILE_BUILDER[:] = [build_profile]
