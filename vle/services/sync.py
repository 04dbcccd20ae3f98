"""What a VLE keeps in step with TeSLA: its courses and activities, and who teaches and learns
in each course.

VLE plugins call these on every page view, often several at once for the same learner, so
every create is safe under concurrency: a uniqueness race ends with one row and a 409 (for
courses and activities, which the spec declares unique) or with the existing row (for people,
whose enrolment is idempotent), never with a 500. Each write that may collide runs in a
savepoint, so the request's transaction (ATOMIC_REQUESTS) stays usable after the collision.

Every function is keyword-only and raises `rest_framework.exceptions.ValidationError` keyed by
the request field at fault (400), a 409 for a value already taken, or `NotFound` (404).
"""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from institution.models import ADMIN_FLAGS, Institution, InstitutionUser, Instructor, Learner
from institution.selectors import with_learner_details
from tesla.exceptions import conflict
from tesla.services import model_update
from vle.models import VLE, Activity, Course, ManagedPerson

COURSE_TAKEN = "This VLE already has a course with this vle_course_id."
ACTIVITY_TAKEN = "This VLE already has an activity with this vle_activity_type and vle_activity_id."
USERNAME_MAX = 150
# Attempts at creating a person before giving up; each retry first looks for a row that a
# concurrent request committed meanwhile.
CREATE_ATTEMPTS = 3


def _write_unique(write, *, field: str, message: str):
    """Run `write()` in a savepoint; a uniqueness conflict (also one with a concurrent request
    that committed first) becomes a 409 on `field`."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        raise conflict(field, message) from error


# Courses -------------------------------------------------------------------------------------


def course_vle_course_id_taken(
    *, vle: VLE, vle_course_id: str, course: Course | None = None
) -> bool:
    """Whether another course of the VLE already uses this VLE course id."""
    others = Course.objects.filter(vle=vle, vle_course_id=vle_course_id)
    if course is not None:
        others = others.exclude(pk=course.pk)
    return others.exists()


def course_create(*, vle: VLE, **values: Any) -> Course:
    """A new course of the VLE. `vle_course_id` is unique within the VLE (409 otherwise)."""
    if course_vle_course_id_taken(vle=vle, vle_course_id=values["vle_course_id"]):
        raise conflict("vle_course_id", COURSE_TAKEN)
    return _write_unique(
        lambda: Course.objects.create(vle=vle, **values),
        field="vle_course_id",
        message=COURSE_TAKEN,
    )


def course_update(*, course: Course, **changes: Any) -> Course:
    """Change a course's own fields (its VLE never changes); only the given fields are
    written. A new `vle_course_id` must still be unique within the VLE."""
    if "vle_course_id" in changes and course_vle_course_id_taken(
        vle=course.vle, vle_course_id=changes["vle_course_id"], course=course
    ):
        raise conflict("vle_course_id", COURSE_TAKEN)
    _write_unique(
        lambda: model_update(instance=course, data=changes),
        field="vle_course_id",
        message=COURSE_TAKEN,
    )
    return course


# Activities ----------------------------------------------------------------------------------


def activity_vle_id_taken(
    *, vle: VLE, vle_activity_type: str, vle_activity_id: str, activity: Activity | None = None
) -> bool:
    """Whether another activity of the VLE already has this (type, id)."""
    others = Activity.objects.filter(
        vle=vle, vle_activity_type=vle_activity_type, vle_activity_id=vle_activity_id
    )
    if activity is not None:
        others = others.exclude(pk=activity.pk)
    return others.exists()


def activity_create(*, course: Course, **values: Any) -> Activity:
    """A new activity of the course, in the course's VLE. (type, id) is unique within the VLE
    (409 otherwise). Unless told otherwise it starts disabled: an instructor switches TeSLA on
    for it, as in the original."""
    if activity_vle_id_taken(
        vle=course.vle,
        vle_activity_type=values["vle_activity_type"],
        vle_activity_id=values["vle_activity_id"],
    ):
        raise conflict("vle_activity_id", ACTIVITY_TAKEN)
    return _write_unique(
        lambda: Activity.objects.create(vle=course.vle, course=course, **values),
        field="vle_activity_id",
        message=ACTIVITY_TAKEN,
    )


def activity_update(*, activity: Activity, **changes: Any) -> Activity:
    """Change an activity's own fields; only the given fields are written. Its VLE and course
    never change, and its (type, id) must stay unique within the VLE."""
    kind = changes.get("vle_activity_type", activity.vle_activity_type)
    ident = changes.get("vle_activity_id", activity.vle_activity_id)
    if {"vle_activity_type", "vle_activity_id"} & changes.keys() and activity_vle_id_taken(
        vle=activity.vle, vle_activity_type=kind, vle_activity_id=ident, activity=activity
    ):
        raise conflict("vle_activity_id", ACTIVITY_TAKEN)
    _write_unique(
        lambda: model_update(instance=activity, data=changes),
        field="vle_activity_id",
        message=ACTIVITY_TAKEN,
    )
    return activity


# People --------------------------------------------------------------------------------------


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


def _institution_user_for(
    *,
    vle: VLE,
    institution: Institution,
    uid: str,
    role: str,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    locale: str | None,
) -> InstitutionUser:
    """The institution's user with this uid, created when unknown and the institution lets
    VLEs create users.

    A created user has an unusable password, may not log in, and holds no admin flag: a VLE
    cannot hand out credentials or roles. Unlike the original, an existing login account with
    the same e-mail is never taken over (it could be a global administrator's)."""
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


def course_enrol_learner(
    *,
    course: Course,
    uid: str,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
) -> Learner:
    """Make the institution's learner with this uid a learner of the course, creating the
    learner (and the user) first when unknown.

    Idempotent: the plugin calls it on every page view, also concurrently. An existing learner
    is only enrolled (their details are kept). When the institution disables learner creation
    by VLEs an unknown learner is a 404, and so is an unknown user when it disables user
    creation; creating a user needs first_name, last_name and email."""
    institution = course.vle.institution
    # With what the response shows, so that serializing the learner costs no more queries.
    learner = with_learner_details(
        Learner.objects.filter(institution_user__institution=institution, institution_user__uid=uid)
    ).first()
    if learner is None:
        if institution.disable_vle_learner_creation:
            raise NotFound("Learner not found")
        member = _institution_user_for(
            vle=course.vle,
            institution=institution,
            uid=uid,
            role="learner",
            first_name=first_name,
            last_name=last_name,
            email=email,
            locale=locale,
        )
        # get_or_create retries the read when a concurrent request created the row first.
        learner, _ = Learner.objects.get_or_create(institution_user=member)
    # add() skips (and on PostgreSQL ignores conflicts on) rows that already exist.
    course.learners.add(learner)
    return learner


def course_enrol_instructor(
    *,
    course: Course,
    uid: str,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
) -> Instructor:
    """Make the institution's instructor with this uid an instructor of the course, creating
    the instructor (and the user) first when unknown. Same rules as `course_enrol_learner`,
    with the institution's `disable_vle_instructor_creation` flag."""
    institution = course.vle.institution
    instructor = (
        Instructor.objects.filter(
            institution_user__institution=institution, institution_user__uid=uid
        )
        .select_related("institution_user__user")
        .first()
    )
    if instructor is None:
        if institution.disable_vle_instructor_creation:
            raise NotFound("Instructor not found")
        member = _institution_user_for(
            vle=course.vle,
            institution=institution,
            uid=uid,
            role="instructor",
            first_name=first_name,
            last_name=last_name,
            email=email,
            locale=locale,
        )
        instructor, _ = Instructor.objects.get_or_create(institution_user=member)
    course.instructors.add(instructor)
    return instructor


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
    uid stays unique within the institution."""
    if not vle_may_change_person(vle=vle, member=member):
        raise PermissionDenied(
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
        taken = (
            InstitutionUser.objects.filter(
                institution_id=member.institution_id, uid=member_fields["uid"]
            )
            .exclude(pk=member.pk)
            .exists()
        )
        if taken:
            raise conflict("uid", "Another user of the institution has this uid.")
    if "locale" in member_fields:
        member_fields["locale"] = member_fields["locale"] or None
    model_update(instance=member.user, data=user_fields)
    _write_unique(
        lambda: model_update(instance=member, data=member_fields),
        field="uid",
        message="Another user of the institution has this uid.",
    )
    return member
