"""Global administration of users: any login identity, with or without an institution, and
the rule that the server always keeps an active global admin."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from institution.models import (
    ADMIN_FLAGS,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    User,
)
from institution.services.people import (
    USER_FIELDS,
    institution_user_create,
    institution_user_update,
    password_check,
    uid_check_unique,
    user_check_unique,
    user_create,
)
from tesla.errors import Conflict, Forbidden
from tesla.services import NOT_GIVEN, model_update

UID_REQUIRED = "A uid is required to attach the user to an institution."


def admin_user_create(
    *,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    password2: str | None = None,
    is_staff: bool = False,
    is_active: bool = True,
    institution: Institution | None = None,
    uid: str | None = None,
    login_allowed: bool = True,
    locale: str | None = None,
    **flags,
) -> User:
    """A login identity, optionally a member of an institution (then `uid` is required and the
    password is kept only when login is allowed)."""
    email = email or ""
    user_check_unique(user=None, username=username, email=email)
    if institution is None:
        return user_create(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            password=password,
            password2=password2,
            is_staff=is_staff,
            is_active=is_active,
        )
    if not uid:
        raise ValidationError({"uid": [UID_REQUIRED]})
    member = institution_user_create(
        institution=institution,
        username=username,
        uid=uid,
        email=email,
        first_name=first_name,
        last_name=last_name,
        locale=locale,
        password=password,
        password2=password2,
        login_allowed=login_allowed,
        **flags,
    )
    account: dict[str, object] = {"is_staff": is_staff, "is_active": is_active}
    if is_staff and password and not login_allowed:
        # Global admins log in with a password whatever their membership says.
        account["password"] = make_password(password)
    model_update(instance=member.user, data=account)
    return member.user


def global_admin_keep(*, user: User, by: User | None, removing: bool) -> None:
    """Refuse to take global admin power away (staff flag off, deactivation or deletion,
    `removing`) from the caller themselves or from the last active global admin: the server
    would be left with no one to manage it."""
    if not removing or not (user.is_staff and user.is_active):
        return
    if by is not None and by.pk == user.pk:
        raise Forbidden("A global admin cannot remove their own admin power.")
    others = User.objects.filter(is_staff=True, is_active=True).exclude(pk=user.pk)
    if not others.select_for_update().exists():
        raise Conflict("The last global admin cannot be removed.")


def admin_user_delete(*, user: User, by: User | None) -> None:
    """Delete a login identity (not oneself, nor the last global admin)."""
    if by is not None and by.pk == user.pk:
        raise Forbidden("Cannot delete yourself.")
    global_admin_keep(user=user, by=by, removing=True)
    user.delete()


def admin_user_update(
    *,
    user: User,
    by: User | None = None,
    institution: Institution | None = NOT_GIVEN,
    uid: str | None = None,
    login_allowed: bool | None = None,
    locale: str | None = None,
    password: str | None = None,
    password2: str | None = None,
    **changes,
) -> User:
    """Change a user; `institution` (when given) attaches, moves or detaches (None) the user.

    Detaching removes the membership with its learner and instructor roles. A learner or
    instructor cannot be moved to another institution: their consent, SEND and course data
    belong to the old one."""
    flags = _take(changes, ADMIN_FLAGS)
    account = _take(changes, ("is_staff", "is_active"))
    removing = account.get("is_staff") is False or account.get("is_active") is False
    global_admin_keep(user=user, by=by, removing=removing)
    user_changes = _take(changes, USER_FIELDS)
    if changes:
        raise TypeError(f"unexpected fields: {sorted(changes)}")
    member = _membership_place(
        user=user, institution=institution, uid=uid, login_allowed=login_allowed
    )
    if member is None:
        _refuse_member_fields(flags=flags, uid=uid, login_allowed=login_allowed)
        _account_update(user=user, password=password, password2=password2, **user_changes)
    else:
        member_changes = {"uid": uid or None, "login_allowed": login_allowed, "locale": locale}
        institution_user_update(
            member=member,
            password=password,
            password2=password2,
            **user_changes,
            **flags,
            **{key: value for key, value in member_changes.items() if value is not None},
        )
    model_update(instance=user, data=account)
    return user


def _take(changes: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The entries of `changes` named in `names`, removed from it."""
    return {name: changes.pop(name) for name in names if name in changes}


def _membership_place(
    *, user: User, institution: Institution | None, uid: str | None, login_allowed: bool | None
) -> InstitutionUser | None:
    """The user's membership once `institution` is applied: kept when not given, removed for
    None, created (`uid` required) or moved for an institution."""
    member = getattr(user, "institution_user", None)
    if institution is NOT_GIVEN:
        return member
    if institution is None:
        if member is not None:
            member.delete()
        return None
    if member is None:
        if not uid:
            raise ValidationError({"uid": [UID_REQUIRED]})
        uid_check_unique(institution_id=institution.pk, uid=uid, member=None)
        return InstitutionUser.objects.create(
            user=user,
            institution=institution,
            uid=uid,
            login_allowed=login_allowed if login_allowed is not None else True,
        )
    if member.institution_id != institution.pk:
        if Learner.objects.filter(pk=member.pk).exists() or (
            Instructor.objects.filter(pk=member.pk).exists()
        ):
            message = "A learner or instructor cannot move to another institution; detach first."
            raise ValidationError({"institution_id": [message]})
        uid_check_unique(institution_id=institution.pk, uid=uid or member.uid, member=member)
        model_update(instance=member, data={"institution": institution})
    return member


def _refuse_member_fields(
    *, flags: dict[str, bool], uid: str | None, login_allowed: bool | None
) -> None:
    """Admin flags, uid and login permission belong to a membership: a user without
    institution cannot have them (the first one given is named)."""
    fields = [*flags, *(["uid"] if uid else [])]
    if login_allowed is not None:
        fields.append("login_allowed")
    if fields:
        raise ValidationError({fields[0]: ["Only users of an institution have this field."]})


def _account_update(
    *, user: User, password: str | None, password2: str | None, **user_changes
) -> None:
    """Identity and password of a user without institution (same uniqueness rules)."""
    user_check_unique(
        user=user, username=user_changes.get("username"), email=user_changes.get("email")
    )
    if password:
        password_check(password=password, password2=password2, user=user)
        user_changes["password"] = make_password(password)
    model_update(instance=user, data=user_changes)
