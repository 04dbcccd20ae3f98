"""The people of an institution: institution users, learners and instructors.

A person is a login identity (`User`) and its membership of one institution
(`InstitutionUser`); a learner or an instructor is a role of that membership. The rules of
who a person may be live here: unique username and e-mail across the server, unique uid inside
the institution, e-mail in the institution's mail domains, and Django's password validators.
"""

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from institution.models import (
    ADMIN_FLAGS,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    User,
)
from tesla.errors import Conflict, NotFound
from tesla.services import model_update

USER_FIELDS = ("username", "email", "first_name", "last_name")
MEMBER_FIELDS = ("uid", "locale", "login_allowed", *ADMIN_FLAGS)
# Learners and instructors log in (and are found) by email, so it doubles as their username.
USERNAME_MAX_LENGTH: int = User._meta.get_field("username").max_length or 150
UID_TAKEN = "This uid is already used in the institution."


def email_check_fits_username(email: str) -> None:
    """A learner's or instructor's email doubles as their username, so it must fit there."""
    if len(email) > USERNAME_MAX_LENGTH:
        message = f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters."
        raise ValidationError({"email": [message]})


def email_check_domain(*, institution: Institution, email: str) -> None:
    """An email must belong to one of the institution's mail domains when it has any.

    `mail_domain` may list several domains separated by commas; subdomains are accepted
    (`mail.uoc.edu` for `uoc.edu`)."""
    domains = [
        item.strip().lstrip("@").lower()
        for item in (institution.mail_domain or "").split(",")
        if item.strip().lstrip("@")
    ]
    if not domains or not email:
        return
    host = email.rsplit("@", 1)[-1].lower()
    if not any(host == domain or host.endswith("." + domain) for domain in domains):
        raise ValidationError({"email": ["Provided email does not belong to institution domain."]})


def user_check_unique(*, user: User | None, username: str | None, email: str | None):
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if username is not None and others.filter(username=username).exists():
        raise Conflict("A user with that username already exists.", field="username")
    if email and others.filter(email__iexact=email).exists():
        raise Conflict("A user with that email already exists.", field="email")


def uid_check_unique(*, institution_id: int, uid: str, member: InstitutionUser | None):
    others = InstitutionUser.objects.filter(institution_id=institution_id, uid=uid)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if others.exists():
        raise Conflict(UID_TAKEN, field="uid")


def password_check(*, password: str, password2: str | None, user: User) -> None:
    """A new password must be confirmed when `password2` is sent and pass Django's password
    validators (length, common passwords, all-numeric...)."""
    if password2 is not None and password != password2:
        raise ValidationError({"password2": ["Passwords do not match."]})
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


def user_create(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    password2: str | None,
    **account: bool,
) -> User:
    """A login identity (the caller has checked that username and email are free). It keeps
    the password only when one is given, after Django's validators; otherwise its password is
    unusable. `account` sets `is_staff`/`is_active`."""
    user = User(
        username=username, email=email, first_name=first_name, last_name=last_name, **account
    )
    if password:
        password_check(password=password, password2=password2, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def institution_user_create(
    *,
    institution: Institution,
    username: str,
    uid: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    locale: str | None = None,
    password: str | None = None,
    password2: str | None = None,
    login_allowed: bool = False,
    inst_admin: bool = False,
    legal_admin: bool = False,
    send_admin: bool = False,
    data_admin: bool = False,
) -> InstitutionUser:
    """A new person of the institution: a login identity and its membership.

    Username and email are unique among all users, uid inside the institution; the email must
    be in the institution's mail domain. Only a user allowed to log in keeps a password."""
    email = email or ""
    email_check_domain(institution=institution, email=email)
    user_check_unique(user=None, username=username, email=email)
    uid_check_unique(institution_id=institution.pk, uid=uid, member=None)
    user = user_create(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password=password if login_allowed else None,
        password2=password2,
    )
    return InstitutionUser.objects.create(
        user=user,
        institution=institution,
        uid=uid,
        locale=locale,
        login_allowed=login_allowed,
        inst_admin=inst_admin,
        legal_admin=legal_admin,
        send_admin=send_admin,
        data_admin=data_admin,
    )


def institution_user_update(
    *,
    member: InstitutionUser,
    password: str | None = None,
    password2: str | None = None,
    **changes,
) -> InstitutionUser:
    """Change a person's identity, membership fields, admin flags or password.

    The same uniqueness and domain rules as on creation apply to the new values; switching
    `login_allowed` off makes the password unusable, and a password is only set for a user who
    may log in."""
    user = member.user
    user_changes = {key: changes.pop(key) for key in USER_FIELDS if key in changes}
    member_changes = {key: changes.pop(key) for key in MEMBER_FIELDS if key in changes}
    if changes:
        raise TypeError(f"unexpected fields: {sorted(changes)}")
    if "email" in user_changes:
        user_changes["email"] = user_changes["email"] or ""
        email_check_domain(institution=member.institution, email=user_changes["email"])
    user_check_unique(
        user=user, username=user_changes.get("username"), email=user_changes.get("email")
    )
    if "uid" in member_changes:
        uid_check_unique(
            institution_id=member.institution_id, uid=member_changes["uid"], member=member
        )
    login_allowed = member_changes.get("login_allowed", member.login_allowed)
    if member_changes.get("login_allowed") is False:
        user_changes["password"] = make_password(None)
    elif password and (login_allowed or user.is_staff):
        # Global admins log in with a password whatever their membership says.
        password_check(password=password, password2=password2, user=user)
        user_changes["password"] = make_password(password)
    model_update(instance=user, data=user_changes)
    model_update(instance=member, data=member_changes)
    return member


def institution_user_set_profile(
    *,
    member: InstitutionUser,
    password: str | None = None,
    password2: str | None = None,
    **changes,
) -> InstitutionUser:
    """A person changes their own locale and/or password. A password can only be set by a
    user who is allowed to log in with one (the caller checks that)."""
    if "locale" in changes:
        model_update(instance=member, data={"locale": changes.pop("locale")})
    if changes:
        raise TypeError(f"unexpected fields: {sorted(changes)}")
    if password:
        password_check(password=password, password2=password2, user=member.user)
        model_update(instance=member.user, data={"password": make_password(password)})
    return member


def institution_user_delete(*, member: InstitutionUser) -> None:
    """Remove a person entirely: the login identity and everything hanging from it."""
    member.user.delete()


# Learners and instructors -----------------------------------------------------------------
@dataclass(frozen=True)
class PersonDoor:
    """What a door may do to the person it names by uid (`person_for_uid`).

    The institution door (an admin creating a learner or instructor) manages people who may
    later log in: the e-mail is their username, so it must fit there, be free across the
    server and lie in the institution's mail domains. The VLE door (a plugin enrolling the
    people of its courses) creates people who never log in, so their e-mail is only a detail:
    it is not checked, and a login account with the same e-mail (maybe a global admin's) is
    never taken over. It cannot hand out admin flags either, and it keeps an existing person
    as they are."""

    updates_existing: bool  # the values given change an existing person
    creation_switch: str | None  # the institution flag that stops this door creating people
    required: tuple[str, ...]  # what creating a person needs
    email_is_username: bool  # the e-mail is the login name (see above)
    grants_flags: bool  # the door may set admin flags


INSTITUTION_DOOR = PersonDoor(
    updates_existing=True,
    creation_switch=None,
    required=("email",),
    email_is_username=True,
    grants_flags=True,
)
VLE_DOOR = PersonDoor(
    updates_existing=False,
    creation_switch="disable_vle_user_creation",
    required=("first_name", "last_name", "email"),
    email_is_username=False,
    grants_flags=False,
)
# Attempts at creating a person through the VLE door before giving up; each retry first looks
# for a row that a concurrent request committed meanwhile.
CREATE_ATTEMPTS = 3


def _member_with_uid(*, institution: Institution, uid: str) -> InstitutionUser | None:
    return (
        InstitutionUser.objects.select_related("user", "institution")
        .filter(institution=institution, uid=uid)
        .first()
    )


def _free_username(email: str, attempt: int) -> str:
    """The e-mail address, as the original names VLE-created users, when it is free and fits;
    otherwise (or when retrying after a clash) the address with a random suffix."""
    if (
        attempt == 0
        and len(email) <= USERNAME_MAX_LENGTH
        and not User.objects.filter(username=email).exists()
    ):
        return email
    return f"{email[: USERNAME_MAX_LENGTH - 9]}.{secrets.token_hex(4)}"


def _person_without_login(
    *, institution: Institution, uid: str, profile: dict[str, Any]
) -> tuple[InstitutionUser, bool]:
    """A new person who cannot log in, safe under concurrency: when a concurrent request
    creates the same uid first, that row is the answer (not created here)."""
    for attempt in range(CREATE_ATTEMPTS):
        try:
            with transaction.atomic():
                user = User(
                    username=_free_username(profile["email"], attempt),
                    email=profile["email"],
                    first_name=profile["first_name"],
                    last_name=profile["last_name"],
                )
                user.set_unusable_password()
                user.save()
                created = InstitutionUser.objects.create(
                    user=user,
                    institution=institution,
                    uid=uid,
                    locale=profile.get("locale") or None,
                    login_allowed=False,
                )
                return created, True
        except IntegrityError:
            existing = _member_with_uid(institution=institution, uid=uid)
            if existing is not None:
                return existing, False
    raise ValidationError({"uid": ["Could not create this user; try again."]})


def person_for_uid(
    *,
    institution: Institution,
    uid: str,
    door: PersonDoor,
    role: str = "person",
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    locale: str | None = None,
    flags: dict[str, bool] | None = None,
) -> tuple[InstitutionUser, bool]:
    """The institution's person with this uid, found or created as `door` allows; returns
    (member, created). `role` names what is being made of them, in messages.

    A new person has an unusable password and may not log in. Creating one needs the door's
    `required` values (400 naming each one missing); a door whose institution switched
    creation off answers an unknown uid with 404 "User not found"."""
    granted: dict[str, Any] = dict(flags or {}) if door.grants_flags else {}
    given_values = {"email": email, "first_name": first_name, "last_name": last_name}
    profile: dict[str, Any] = {
        key: value for key, value in given_values.items() if value is not None
    }
    member = _member_with_uid(institution=institution, uid=uid)
    if member is not None:
        if door.updates_existing:
            changes = {**profile, **({"locale": locale} if locale is not None else {})}
            institution_user_update(member=member, **changes, **granted)
        return member, False
    if door.creation_switch and getattr(institution, door.creation_switch):
        raise NotFound("User not found")
    missing = [name for name in door.required if not given_values[name]]
    if missing:
        message = f"Required to create a new {role}: no person of the institution has this uid."
        raise ValidationError({name: [message] for name in missing})
    if not door.email_is_username:
        return _person_without_login(
            institution=institution, uid=uid, profile={**given_values, "locale": locale}
        )
    assert email is not None  # required by the door
    email_check_fits_username(email)
    member = institution_user_create(
        institution=institution,
        username=email,
        uid=uid,
        locale=locale,
        login_allowed=False,
        **profile,
        **granted,
    )
    return member, True


def _person_for_new_role(
    *, institution: Institution, uid: str, role: str, model: type[models.Model], values: dict
) -> InstitutionUser:
    """The person with this uid through the institution door (found and updated with
    `values`, or created), who must not hold `role` yet (409 naming uid). `values` are
    email, first_name, last_name, locale and admin flags."""
    details = {name: values.pop(name, None) for name in ("email", "first_name", "last_name")}
    member, created = person_for_uid(
        institution=institution,
        uid=uid,
        door=INSTITUTION_DOOR,
        role=role,
        locale=values.pop("locale", None),
        flags=values,
        **details,
    )
    if not created and model._default_manager.filter(pk=member.pk).exists():
        article = "an" if role[0] in "aeiou" else "a"
        raise Conflict(f"This person is already {article} {role}.", field="uid")
    return member


def instructor_create(*, institution: Institution, uid: str, **values: Any) -> Instructor:
    """Make a person of the institution an instructor: the institution user with this uid is
    reused (and updated with the given email, first_name, last_name, locale and flags), or
    created with the email as username."""
    member = _person_for_new_role(
        institution=institution, uid=uid, role="instructor", model=Instructor, values=values
    )
    return Instructor.objects.create(institution_user=member)


def instructor_remove(*, instructor: Instructor) -> None:
    """Take the instructor role away; the person stays in the institution."""
    instructor.delete()


def learner_create(*, institution: Institution, uid: str, **values: Any) -> Learner:
    """Make a person of the institution a learner with a fresh pseudonymous `learner_id`: the
    institution user with this uid is reused (and updated as for an instructor), or created
    with the email as username and an unusable password."""
    member = _person_for_new_role(
        institution=institution, uid=uid, role="learner", model=Learner, values=values
    )
    return Learner.objects.create(institution_user=member, learner_id=uuid.uuid4())


def person_update(*, member: InstitutionUser, **changes) -> InstitutionUser:
    """Update the person behind a learner or instructor row (same rules as any user; the
    email must fit in the username column because it doubles as the username)."""
    if changes.get("email"):
        email_check_fits_username(changes["email"])
    return institution_user_update(member=member, **changes)


def learner_remove(*, learner: Learner) -> None:
    """Take the learner role away, with its consent, SEND assignments and everything recorded
    about the learner; the person stays in the institution."""
    learner.delete()
