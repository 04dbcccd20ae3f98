"""The people a VLE knows: the person it names by uid when enrolling them, and the details it
may later change of the people it created.

A VLE never hands out credentials or roles: a person it creates has an unusable password, may
not log in and holds no admin flag, and is recorded as managed by that VLE (`ManagedPerson`),
which is then the only VLE that may change their details.
"""

from typing import Any

from institution.models import ADMIN_FLAGS, InstitutionUser
from institution.services.people import UID_TAKEN, VLE_DOOR, person_for_uid, uid_check_unique
from tesla.errors import Forbidden
from tesla.services import model_update
from vle.models import VLE, ManagedPerson
from vle.services.unique import taken, write_unique


def vle_person_for_uid(*, vle: VLE, uid: str, role: str, **details: Any) -> InstitutionUser:
    """The person of the VLE's institution with this uid, as the VLE door finds or creates
    them (`institution.services.people.VLE_DOOR`): an existing person as they are; an unknown
    one created from `details` (first_name, last_name, email, locale), when the institution
    lets VLEs create users, and recorded as managed by this VLE."""
    member, created = person_for_uid(
        institution=vle.institution, uid=uid, door=VLE_DOOR, role=role, **details
    )
    if created:
        ManagedPerson.objects.create(institution_user=member, vle=vle)
    return member


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
    if "uid" in member_fields:
        uid_check_unique(
            institution_id=member.institution_id, uid=member_fields["uid"], member=member
        )
    if "locale" in member_fields:
        member_fields["locale"] = member_fields["locale"] or None
    model_update(instance=member.user, data=user_fields)
    write_unique(
        lambda: model_update(instance=member, data=member_fields),
        refusal=taken(field="uid", message=UID_TAKEN),
    )
    return member
