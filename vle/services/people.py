"""The people a VLE knows: the person it names by uid when enrolling them, and the details it
may later change of the people it created.

A VLE never hands out credentials or roles: a person it creates has an unusable password, may
not log in and holds no admin flag, and is recorded as managed by that VLE (`ManagedPerson`),
which is then the only VLE that may change their details.
"""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from institution.models import ADMIN_FLAGS, InstitutionUser
from tesla.errors import Forbidden, NotFound
from tesla.services import model_update
from vle.models import VLE, ManagedPerson
from vle.services.unique import taken, write_unique

USERNAME_MAX = 150
UID_TAKEN = "Another user of the institution has this uid."
# Attempts at creating a person before giving up; each retry first looks for a row that a
# concurrent request committed meanwhile.
CREATE_ATTEMPTS = 3


def _username_for(email: str, attempt: int) -> str:
    """The e-mail address, as the original names VLE-created users, when it is free and fits;
    otherwise (or when retrying after a clash) the address with a random suffix."""
    User = get_user_model()
    if (
        attempt == 0
        and len(email) <= USERNAME_MAX
        and not User.objects.filter(username=email).exists()
    ):
        return email
    return f"{email[: USERNAME_MAX - 9]}.{secrets.token_hex(4)}"


def vle_person_for_uid(
    *,
    vle: VLE,
    uid: str,
    role: str,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
) -> InstitutionUser:
    """The person of the VLE's institution with this uid, created when unknown and the
    institution lets VLEs create users (404 "User not found" otherwise).

    An existing person is returned as they are. Creating one needs first_name, last_name and
    email (400 naming the missing ones). Unlike the original, an existing login account with
    the same e-mail is never taken over (it could be a global administrator's)."""
    institution = vle.institution
    member = InstitutionUser.objects.filter(institution=institution, uid=uid).first()
    if member is not None:
        return member
    if institution.disable_vle_user_creation:
        raise NotFound("User not found")
    missing = {
        name: [f"Required to create a new {role}: the {role} does not exist yet."]
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email))
        if not value
    }
    if missing:
        raise ValidationError(missing)
    assert email is not None  # checked above
    User = get_user_model()
    for attempt in range(CREATE_ATTEMPTS):
        try:
            with transaction.atomic():
                user = User(
                    username=_username_for(email, attempt),
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                )
                user.set_unusable_password()
                user.save()
                member = InstitutionUser.objects.create(
                    user=user,
                    institution=institution,
                    uid=uid,
                    locale=locale or None,
                    login_allowed=False,
                )
                ManagedPerson.objects.create(institution_user=member, vle=vle)
                return member
        except IntegrityError:
            # A concurrent request created this uid first (or took the username): use its row.
            member = InstitutionUser.objects.filter(institution=institution, uid=uid).first()
            if member is not None:
                return member
    raise ValidationError({"uid": ["Could not create this user; try again."]})


def vle_may_change_person(*, vle: VLE, member: InstitutionUser) -> bool:
    """Whether the VLE owns this person's details: it created them, and they hold no admin
    flag and no password login (so rewriting their e-mail or uid cannot lock anyone out)."""
    user = member.user
    return (
        ManagedPerson.objects.filter(institution_user=member, vle=vle).exists()
        and not (user.is_staff or user.is_superuser or user.has_usable_password())
        and not member.login_allowed
        and not any(getattr(member, flag) for flag in ADMIN_FLAGS)
    )


def vle_person_update(*, vle: VLE, member: InstitutionUser, **changes: Any) -> InstitutionUser:
    """Change the details a VLE knows of a person of its courses: uid, first_name, last_name,
    email and locale. Nothing else (admin flags, password, login) is a VLE's to change, and
    only people it owns (`vle_may_change_person`) may be changed at all (403 otherwise). The
    uid stays unique within the institution (409)."""
    if not vle_may_change_person(vle=vle, member=member):
        raise Forbidden(
            "This VLE may only change people it created that hold no admin flag and no "
            "password login."
        )
    user_fields = {
        name: value or ""
        for name, value in changes.items()
        if name in {"first_name", "last_name", "email"}
    }
    member_fields = {name: changes[name] for name in ("uid", "locale") if name in changes}
    uid_taken = taken(field="uid", message=UID_TAKEN)
    if "uid" in member_fields:
        others = InstitutionUser.objects.filter(
            institution_id=member.institution_id, uid=member_fields["uid"]
        ).exclude(pk=member.pk)
        if others.exists():
            raise uid_taken
    if "locale" in member_fields:
        member_fields["locale"] = member_fields["locale"] or None
    model_update(instance=member.user, data=user_fields)
    write_unique(lambda: model_update(instance=member, data=member_fields), refusal=uid_taken)
    return member
