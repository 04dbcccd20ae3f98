"""Writes and rules of the institution app.

Every function is keyword-only and raises Django's `ValidationError` with a dict naming the
offending field; the API's exception handler turns that into a 400 with the same shape, and the
request's transaction rolls back whatever was already written.
"""

import re
import uuid
from datetime import datetime
from types import EllipsisType

from django.apps import apps
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from institution.models import (
    ADMIN_FLAGS,
    CourseGroup,
    InformedConsent,
    InformedConsentDocument,
    Institution,
    InstitutionUser,
    Instructor,
    Learner,
    SENDCategory,
    SENDLearner,
    UIOption,
    User,
)
from institution.selectors import current_informed_consent, global_ui_routes
from tesla.deletion import delete_file_after_commit
from tesla.exceptions import Conflict, conflict
from tesla.permissions import INSTITUTION_ROLES
from tesla.services import model_update

USER_FIELDS = ("username", "email", "first_name", "last_name")
MEMBER_FIELDS = ("uid", "locale", "login_allowed", *ADMIN_FLAGS)
VERSION_RE = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")
# Learners and instructors log in (and are found) by email, so it doubles as their username.
USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# Institution users ------------------------------------------------------------------------
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
        raise _invalid("email", "Provided email does not belong to institution domain.")


def _check_unique_identity(*, user: User | None, username: str | None, email: str | None):
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if username is not None and others.filter(username=username).exists():
        raise conflict("username", "A user with that username already exists.")
    if email and others.filter(email__iexact=email).exists():
        raise conflict("email", "A user with that email already exists.")


def _check_unique_uid(*, institution_id: int, uid: str, member: InstitutionUser | None):
    others = InstitutionUser.objects.filter(institution_id=institution_id, uid=uid)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if others.exists():
        raise conflict("uid", "This uid is already used in the institution.")


def password_check(*, password: str, password2: str | None, user: User) -> None:
    """A new password must be confirmed when `password2` is sent and pass Django's password
    validators (length, common passwords, all-numeric...)."""
    if password2 is not None and password != password2:
        raise _invalid("password2", "Passwords do not match.")
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


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
    _check_unique_identity(user=None, username=username, email=email)
    _check_unique_uid(institution_id=institution.pk, uid=uid, member=None)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if login_allowed and password:
        password_check(password=password, password2=password2, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
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
    _check_unique_identity(
        user=user, username=user_changes.get("username"), email=user_changes.get("email")
    )
    if "uid" in member_changes:
        _check_unique_uid(
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
        member.locale = changes.pop("locale")
        member.save(update_fields=["locale", "updated_at"])
    if changes:
        raise TypeError(f"unexpected fields: {sorted(changes)}")
    if password:
        password_check(password=password, password2=password2, user=member.user)
        member.user.set_password(password)
        member.user.save(update_fields=["password"])
    return member


def institution_user_delete(*, member: InstitutionUser) -> None:
    """Remove a person entirely: the login identity and everything hanging from it."""
    member.user.delete()


# Learners and instructors -----------------------------------------------------------------
def _person_for_role(
    *,
    institution: Institution,
    uid: str,
    email: str | None,
    first_name: str | None,
    last_name: str | None,
    locale: str | None,
    flags: dict,
) -> tuple[InstitutionUser, bool]:
    """The institution user with `uid`, updated with the given values, or a new one whose
    username is the email and whose password is unusable. Returns (member, created)."""
    member = (
        InstitutionUser.objects.select_related("user", "institution")
        .filter(institution=institution, uid=uid)
        .first()
    )
    profile = {
        key: value
        for key, value in (
            ("email", email),
            ("first_name", first_name),
            ("last_name", last_name),
        )
        if value is not None
    }
    if member is not None:
        if locale is not None:
            profile["locale"] = locale
        institution_user_update(member=member, **profile, **flags)
        return member, False
    if not email:
        raise _invalid("email", "An email is required to create a new person.")
    if len(email) > USERNAME_MAX_LENGTH:
        raise _invalid(
            "email", f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters."
        )
    member = institution_user_create(
        institution=institution,
        username=email,
        uid=uid,
        locale=locale,
        login_allowed=False,
        **profile,
        **flags,
    )
    return member, True


def instructor_create(
    *,
    institution: Institution,
    uid: str,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    locale: str | None = None,
    **flags,
) -> Instructor:
    """Make a person of the institution an instructor: the institution user with this uid is
    reused (and updated with the given values), or created with the email as username."""
    member, created = _person_for_role(
        institution=institution,
        uid=uid,
        email=email,
        first_name=first_name,
        last_name=last_name,
        locale=locale,
        flags=flags,
    )
    if not created and Instructor.objects.filter(pk=member.pk).exists():
        raise conflict("uid", "This person is already an instructor.")
    return Instructor.objects.create(institution_user=member)


def instructor_remove(*, instructor: Instructor) -> None:
    """Take the instructor role away; the person stays in the institution."""
    instructor.delete()


def learner_create(
    *,
    institution: Institution,
    uid: str,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    locale: str | None = None,
    **flags,
) -> Learner:
    """Make a person of the institution a learner with a fresh pseudonymous `learner_id`: the
    institution user with this uid is reused, or created with the email as username and an
    unusable password."""
    member, created = _person_for_role(
        institution=institution,
        uid=uid,
        email=email,
        first_name=first_name,
        last_name=last_name,
        locale=locale,
        flags=flags,
    )
    if not created and Learner.objects.filter(pk=member.pk).exists():
        raise conflict("uid", "This person is already a learner.")
    return Learner.objects.create(institution_user=member, learner_id=uuid.uuid4())


def person_update(*, member: InstitutionUser, **changes) -> InstitutionUser:
    """Update the person behind a learner or instructor row (same rules as any user; the
    email must fit in the username column because it doubles as the username)."""
    email = changes.get("email")
    if email and len(email) > USERNAME_MAX_LENGTH:
        raise _invalid(
            "email", f"Ensure this field has no more than {USERNAME_MAX_LENGTH} characters."
        )
    return institution_user_update(member=member, **changes)


def learner_remove(*, learner: Learner) -> None:
    """Take the learner role away, with its consent, SEND assignments and everything recorded
    about the learner; the person stays in the institution."""
    learner.delete()


# Informed consent -------------------------------------------------------------------------
def informed_consent_normalise_version(version: str) -> str:
    """`X.Y.Z` with integers, written without leading zeros ("01.2.3" -> "1.2.3")."""
    match = VERSION_RE.fullmatch((version or "").strip())
    if match is None:
        raise _invalid("version", "Version must have the form X.Y.Z with integers.")
    return ".".join(str(int(part)) for part in match.groups())


def _check_unique_version(*, institution: Institution, version: str, consent=None) -> None:
    others = InformedConsent.objects.filter(institution=institution, version=version)
    if consent is not None:
        others = others.exclude(pk=consent.pk)
    if others.exists():
        raise conflict("version", "This version already exists in the institution.")


def informed_consent_create(
    *, institution: Institution, version: str, valid_from: datetime
) -> InformedConsent:
    """A new version of the institution's informed consent, valid from a date."""
    version = informed_consent_normalise_version(version)
    _check_unique_version(institution=institution, version=version)
    return InformedConsent.objects.create(
        institution=institution, version=version, valid_from=valid_from
    )


def informed_consent_update(*, consent: InformedConsent, **changes) -> InformedConsent:
    """Change a consent's version number or validity date (versions stay unique)."""
    if "version" in changes:
        changes["version"] = informed_consent_normalise_version(changes["version"])
        _check_unique_version(
            institution=consent.institution, version=changes["version"], consent=consent
        )
    model_update(instance=consent, data=changes)
    return consent


def ic_document_check_pdf(pdf) -> None:
    """A consent document's file must be a PDF no larger than IC_DOCUMENT_MAX_BYTES."""
    if pdf is None:
        return
    if pdf.size > settings.IC_DOCUMENT_MAX_BYTES:
        raise _invalid("pdf", f"The file is larger than {settings.IC_DOCUMENT_MAX_BYTES} bytes.")
    pdf.seek(0)
    head = pdf.read(5)
    pdf.seek(0)
    if head != b"%PDF-":
        raise _invalid("pdf", "The file is not a PDF document.")


def _check_unique_language(*, consent: InformedConsent, language: str, document=None) -> None:
    others = InformedConsentDocument.objects.filter(consent=consent, language=language)
    if document is not None:
        others = others.exclude(pk=document.pk)
    if others.exists():
        raise conflict("language", "This consent already has a document in this language.")


def ic_document_create(
    *, consent: InformedConsent, language: str, html: str | None = None, pdf=None
) -> InformedConsentDocument:
    """The text of a consent version in one more language (one document per language)."""
    _check_unique_language(consent=consent, language=language)
    ic_document_check_pdf(pdf)
    return InformedConsentDocument.objects.create(
        consent=consent, language=language, html=html, pdf=pdf
    )


def ic_document_update(*, document: InformedConsentDocument, **changes) -> InformedConsentDocument:
    """Change a document's language, HTML or PDF; a replaced PDF file is deleted."""
    if "language" in changes:
        _check_unique_language(
            consent=document.consent, language=changes["language"], document=document
        )
    if "pdf" in changes:
        ic_document_check_pdf(changes["pdf"])
        delete_file_after_commit(document.pdf)
    model_update(instance=document, data=changes)
    return document


def ic_document_delete(*, document: InformedConsentDocument) -> None:
    """Remove a document; its PDF file goes with the row (institution.apps)."""
    document.delete()


def _consent_key(version: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in informed_consent_normalise_version(version).split("."))


def learner_accept_consent(*, learner: Learner, version: str, now=None) -> Learner:
    """The learner accepts the institution's current informed consent.

    Only the current version (the highest already valid) can be accepted, and accepting the
    version the learner already holds is refused; a previous rejection is cleared."""
    now = now or timezone.now()
    wanted = _consent_key(version)
    current = current_informed_consent(learner.institution_user.institution_id, now)
    if current is None:
        raise _invalid("version", "The institution has no informed consent in force.")
    if current.version_key != wanted:
        raise _invalid("version", f"Only the current version ({current.version}) can be accepted.")
    if learner.consent_id == current.pk and learner.consent_rejected is None:
        raise _invalid("version", "The learner has already accepted this version.")
    learner.consent = current
    learner.consent_accepted = now
    learner.consent_rejected = None
    learner.save(update_fields=["consent", "consent_accepted", "consent_rejected"])
    return learner


def learner_reject_consent(*, learner: Learner, now=None) -> bool:
    """The learner withdraws the consent they gave. Returns False when there is nothing to
    reject (no consent, or already rejected)."""
    if learner.consent_id is None or learner.consent_rejected is not None:
        return False
    learner.consent_rejected = now or timezone.now()
    learner.save(update_fields=["consent_rejected"])
    return True


# SEND -------------------------------------------------------------------------------------
def _instrument_ids() -> set[int]:
    # Looked up by name: the vle app depends on this one, never the other way round.
    instrument = apps.get_model("vle", "Instrument")
    return set(instrument.objects.values_list("pk", flat=True))


def send_category_clean_data(data) -> dict:
    """A SEND category's `data`: `enabled_options` (a subset of the accessibility options)
    and `disabled_instruments` (ids of existing instruments), both optional lists, nothing
    else. Returns both lists (empty when absent), without duplicates, ids as integers."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _invalid("data", "Expected an object with enabled_options/disabled_instruments.")
    unknown = sorted(set(data) - {"enabled_options", "disabled_instruments"})
    if unknown:
        raise _invalid("data", f"Unknown keys: {', '.join(map(str, unknown))}.")
    options = data.get("enabled_options")
    options = [] if options is None else options
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _invalid("data", "enabled_options must be a list of option names.")
    wrong = [o for o in options if o not in SENDCategory.ENABLED_OPTIONS]
    if wrong:
        raise _invalid(
            "data",
            f"Unknown options {wrong}; allowed: {', '.join(SENDCategory.ENABLED_OPTIONS)}.",
        )
    instruments = data.get("disabled_instruments")
    instruments = [] if instruments is None else instruments
    if not isinstance(instruments, list):
        raise _invalid("data", "disabled_instruments must be a list of instrument ids.")
    ids = []
    for item in instruments:
        # Form selects send ids as text: "3" is instrument 3.
        if isinstance(item, str) and re.fullmatch(r"[0-9]{1,18}", item.strip()):
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int):
            raise _invalid("data", "disabled_instruments must be a list of instrument ids.")
        ids.append(item)
    missing = sorted(set(ids) - _instrument_ids()) if ids else []
    if missing:
        raise _invalid("data", f"Unknown instruments: {missing}.")
    return {
        "enabled_options": list(dict.fromkeys(options)),
        "disabled_instruments": list(dict.fromkeys(ids)),
    }


def send_category_create(*, institution: Institution, description: str, data=None):
    """A new kind of special educational need of the institution."""
    return SENDCategory.objects.create(
        institution=institution, description=description, data=send_category_clean_data(data)
    )


def send_category_update(*, category: SENDCategory, **changes) -> SENDCategory:
    """Change a SEND category's description or data."""
    if "data" in changes:
        changes["data"] = send_category_clean_data(changes["data"])
    model_update(instance=category, data=changes)
    return category


def _check_send_assignment(*, learner: Learner, category: SENDCategory, assignment=None):
    if category.institution_id != learner.institution_user.institution_id:
        raise _invalid("category", "The category belongs to another institution.")
    others = SENDLearner.objects.filter(learner=learner, category=category)
    if assignment is not None:
        others = others.exclude(pk=assignment.pk)
    if others.exists():
        raise conflict("category", "The learner already has this category.")


def send_learner_assign(
    *, learner: Learner, category: SENDCategory, expires_at: datetime | None = None
) -> SENDLearner:
    """Give a learner a SEND category of their institution, until `expires_at` or for good."""
    _check_send_assignment(learner=learner, category=category)
    return SENDLearner.objects.create(learner=learner, category=category, expires_at=expires_at)


def send_learner_update(*, assignment: SENDLearner, **changes) -> SENDLearner:
    """Change the category or expiry of a learner's SEND assignment."""
    if "category" in changes:
        _check_send_assignment(
            learner=assignment.learner, category=changes["category"], assignment=assignment
        )
    model_update(instance=assignment, data=changes)
    return assignment


# Course groups ----------------------------------------------------------------------------
def course_group_check_parent(
    *, group: CourseGroup | None, parent: CourseGroup | None, institution
):
    """A group's parent is a group of the same institution and never the group itself or one
    of its descendants (the groups form a tree)."""
    if parent is None:
        return
    if parent.institution_id != institution.pk:
        raise _invalid("parent", "The parent group belongs to another institution.")
    if group is None:
        return
    # One query for the institution's whole tree, then walk up from the new parent.
    ancestors = dict(
        CourseGroup.objects.filter(institution_id=institution.pk).values_list("pk", "parent_id")
    )
    node, seen = parent.pk, set()
    while node is not None and node not in seen:
        if node == group.pk:
            raise _invalid("parent", "A group cannot be inside itself or one of its subgroups.")
        seen.add(node)
        node = ancestors.get(node)


def course_group_create(
    *,
    institution: Institution,
    name: str,
    description: str | None = None,
    parent: CourseGroup | None = None,
) -> CourseGroup:
    """A new folder of courses, at the root or inside another group of the institution."""
    course_group_check_parent(group=None, parent=parent, institution=institution)
    return CourseGroup.objects.create(
        institution=institution, name=name, description=description, parent=parent
    )


def course_group_update(*, group: CourseGroup, **changes) -> CourseGroup:
    """Rename, describe or move a group (never into its own subtree)."""
    if "parent" in changes:
        course_group_check_parent(
            group=group, parent=changes["parent"], institution=group.institution
        )
    model_update(instance=group, data=changes)
    return group


# UI options -------------------------------------------------------------------------------
def _check_ui_option(
    *, institution: Institution, route: str, user: InstitutionUser | None, option=None
) -> None:
    if route not in global_ui_routes():
        raise _invalid("route", "Invalid Route")
    if user is not None and user.institution_id != institution.pk:
        raise _invalid("user", "The user belongs to another institution.")
    others = UIOption.objects.filter(institution=institution, route=route, user=user)
    if option is not None:
        others = others.exclude(pk=option.pk)
    if others.exists():
        raise conflict("route", "This route already exists")


def ui_option_create(
    *,
    institution: Institution,
    route: str,
    enabled: bool = False,
    user: InstitutionUser | None = None,
) -> UIOption:
    """A switch of a dashboard route for the institution (or one of its users); only a
    disabled switch (`enabled` false) has an effect: it hides the route."""
    _check_ui_option(institution=institution, route=route, user=user)
    return UIOption.objects.create(institution=institution, route=route, enabled=enabled, user=user)


def ui_option_update(*, option: UIOption, **changes) -> UIOption:
    """Change an institution's route switch (same rules as on creation)."""
    route = changes.get("route", option.route)
    user = changes.get("user", option.user)
    _check_ui_option(institution=option.institution, route=route, user=user, option=option)
    model_update(instance=option, data=changes)
    return option


def ui_roles_normalise(roles) -> str | None:
    """Roles of a global route: names from the role vocabulary, given as a list or a comma
    separated string, stored upper-cased and comma-joined; none means everyone."""
    vocabulary = (*INSTITUTION_ROLES, "GLOBAL_ADMIN")
    if roles is None:
        return None
    if isinstance(roles, str):
        items = roles.split(",")
    elif isinstance(roles, list) and all(isinstance(item, str) for item in roles):
        items = roles
    else:
        raise _invalid("roles", "Expected a list of role names or a comma separated string.")
    names = list(dict.fromkeys(item.strip().upper() for item in items if item.strip()))
    wrong = [name for name in names if name not in vocabulary]
    if wrong:
        raise _invalid("roles", f"Unknown roles {wrong}; allowed: {', '.join(vocabulary)}.")
    joined = ",".join(names) or None
    if joined is not None and len(joined) > UIOption._meta.get_field("roles").max_length:
        raise _invalid("roles", "Too many roles.")
    return joined


def ui_route_create(*, route: str, enabled: bool = False, roles=None) -> UIOption:
    """A new global dashboard route, for everyone or for the given roles."""
    if route in global_ui_routes():
        raise conflict("route", "This route already exists")
    return UIOption.objects.create(route=route, enabled=enabled, roles=ui_roles_normalise(roles))


def ui_route_update(*, option: UIOption, **changes) -> UIOption:
    """Change a global route; renaming it also renames the institutions' switches of it."""
    if "roles" in changes:
        changes["roles"] = ui_roles_normalise(changes["roles"])
    new_route = changes.get("route", option.route)
    if new_route != option.route:
        if new_route in global_ui_routes():
            raise conflict("route", "This route already exists")
        UIOption.objects.filter(route=option.route).exclude(pk=option.pk).update(route=new_route)
    model_update(instance=option, data=changes)
    return option


def ui_route_delete(*, option: UIOption) -> None:
    """Remove a global route together with the institutions' switches of it."""
    UIOption.objects.filter(route=option.route).delete()


# Global administration of users -----------------------------------------------------------
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
    _check_unique_identity(user=None, username=username, email=email)
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
        raise _invalid("uid", "A uid is required to attach the user to an institution.")
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
        raise PermissionDenied("A global admin cannot remove their own admin power.")
    others = User.objects.filter(is_staff=True, is_active=True).exclude(pk=user.pk)
    if not others.select_for_update().exists():
        raise Conflict("The last global admin cannot be removed.")


def admin_user_delete(*, user: User, by: User | None) -> None:
    """Delete a login identity (not oneself, nor the last global admin)."""
    if by is not None and by.pk == user.pk:
        raise PermissionDenied("Cannot delete yourself.")
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
                raise _invalid("uid", "A uid is required to attach the user to an institution.")
            _check_unique_uid(institution_id=institution.pk, uid=uid, member=None)
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
                raise _invalid(
                    "institution_id",
                    "A learner or instructor cannot move to another institution; detach first.",
                )
            _check_unique_uid(institution_id=institution.pk, uid=uid or member.uid, member=member)
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
            raise _invalid(field, "Only users of an institution have this field.")
        _check_unique_identity(
            user=user, username=user_changes.get("username"), email=user_changes.get("email")
        )
        if password:
            password_check(password=password, password2=password2, user=user)
            user_changes["password"] = make_password(password)
        model_update(instance=user, data=user_changes)
    model_update(instance=user, data=account)
    return user
