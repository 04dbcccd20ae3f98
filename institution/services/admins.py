"""Global administration of users: any login identity, with or without an institution, and
the rule that the server always keeps an active global admin."""

from types import EllipsisType

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
)
from tesla.errors import Conflict, Forbidden
from tesla.services import model_update


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
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_staff,
            is_active=is_active,
        )
        if password:
            password_check(password=password, password2=password2, user=user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        return user
    if not uid:
        raise ValidationError({"uid": ["A uid is required to attach the user to an institution."]})
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
    user = member.user
    if is_staff or not is_active:
        user.is_staff, user.is_active = is_staff, is_active
        if is_staff and password and not login_allowed:
            # Global admins log in with a password whatever their membership says.
            user.set_password(password)
        user.save(update_fields=["is_staff", "is_active", "password"])
    return user


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
    institution: Institution | EllipsisType | None = ...,
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
    flags = {key: changes.pop(key) for key in ADMIN_FLAGS if key in changes}
    account = {key: changes.pop(key) for key in ("is_staff", "is_active") if key in changes}
    global_admin_keep(
        user=user,
        by=by,
        removing=account.get("is_staff") is False or account.get("is_active") is False,
    )
    user_changes = {key: changes.pop(key) for key in USER_FIELDS if key in changes}
    if changes:
        raise TypeError(f"unexpected fields: {sorted(changes)}")
    member = getattr(user, "institution_user", None)
    if institution is None and member is not None:
        member.delete()
        member = None
    elif institution is not ... and institution is not None:
        if member is None:
            if not uid:
                raise ValidationError(
                    {"uid": ["A uid is required to attach the user to an institution."]}
                )
            uid_check_unique(institution_id=institution.pk, uid=uid, member=None)
            member = InstitutionUser.objects.create(
                user=user,
                institution=institution,
                uid=uid,
                login_allowed=login_allowed if login_allowed is not None else True,
            )
            uid = None
        elif member.institution_id != institution.pk:
            if Learner.objects.filter(pk=member.pk).exists() or (
                Instructor.objects.filter(pk=member.pk).exists()
            ):
                message = (
                    "A learner or instructor cannot move to another institution; detach first."
                )
                raise ValidationError({"institution_id": [message]})
            uid_check_unique(institution_id=institution.pk, uid=uid or member.uid, member=member)
            member.institution = institution
            member.save(update_fields=["institution", "updated_at"])
    if member is not None:
        member_changes = dict(flags)
        if uid:
            member_changes["uid"] = uid
        if login_allowed is not None:
            member_changes["login_allowed"] = login_allowed
        if locale is not None:
            member_changes["locale"] = locale
        institution_user_update(
            member=member,
            password=password,
            password2=password2,
            **user_changes,
            **member_changes,
        )
    else:
        if flags or uid or login_allowed is not None:
            field = next(iter(flags), "uid" if uid else "login_allowed")
            raise ValidationError({field: ["Only users of an institution have this field."]})
        user_check_unique(
            user=user, username=user_changes.get("username"), email=user_changes.get("email")
        )
        if password:
            password_check(password=password, password2=password2, user=user)
            user_changes["password"] = make_password(password)
        model_update(instance=user, data=user_changes)
    model_update(instance=user, data=account)
    return user
