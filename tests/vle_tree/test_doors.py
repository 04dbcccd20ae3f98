"""The rules both doors share (the VLE tree and the institution tree), called as services: where
the doors differ, the difference is a parameter, and these tests pin each one down."""

import pytest
from django.core.exceptions import ValidationError

from institution.models import InstitutionUser, User
from institution.services.people import INSTITUTION_DOOR, VLE_DOOR, person_for_uid
from tesla.errors import Conflict, NotFound
from tests import factories
from vle.models import Activity, ManagedPerson
from vle.services import activities, enrolments, instruments

pytestmark = pytest.mark.django_db

DETAILS = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@uni.example"}


def named_field(error: Exception) -> str | None:
    """The one field a refusal names (a Conflict's `field`, a ValidationError's only key)."""
    if isinstance(error, ValidationError):
        (field,) = error.message_dict
        return field
    return getattr(error, "field", None)


# Activities: a taken (type, id) is the door's refusal, also when the check is raced past --


@pytest.mark.parametrize("conflict, refusal", [(True, Conflict), (False, ValidationError)])
def test_a_taken_activity_is_the_doors_refusal(course, conflict, refusal):
    factories.activity(course, vle_activity_type="quiz", vle_activity_id="5")
    with pytest.raises(refusal) as caught:
        activities.activity_create(
            course=course, vle_activity_type="quiz", vle_activity_id="5", taken_is_conflict=conflict
        )
    assert named_field(caught.value) == "vle_activity_id"


@pytest.mark.parametrize("conflict, refusal", [(True, Conflict), (False, ValidationError)])
def test_losing_the_race_gets_the_same_refusal(course, monkeypatch, conflict, refusal):
    """A concurrent request committed the same (type, id) after this one checked."""
    factories.activity(course, vle_activity_type="quiz", vle_activity_id="5")
    monkeypatch.setattr(activities, "activity_vle_id_taken", lambda **kwargs: False)
    with pytest.raises(refusal) as caught:
        activities.activity_create(
            course=course, vle_activity_type="quiz", vle_activity_id="5", taken_is_conflict=conflict
        )
    assert named_field(caught.value) == "vle_activity_id"
    # The savepoint kept the request's transaction usable.
    assert Activity.objects.filter(vle_activity_id="5").count() == 1


# Enrolments: the VLE door creates, the institution door only enrols role holders -----------


def test_the_institution_door_enrols_only_existing_learners(course):
    with pytest.raises(ValidationError) as caught:
        enrolments.course_enrol(course=course, role=enrolments.LEARNER, uid="nobody")
    assert "uid" in caught.value.message_dict
    assert not InstitutionUser.objects.filter(uid="nobody").exists()


def test_the_vle_door_creates_a_managed_learner(course, vle):
    learner = enrolments.course_enrol(
        course=course, role=enrolments.LEARNER, uid="ada", vle=vle, **DETAILS
    )
    assert course.learners.filter(pk=learner.pk).exists()
    assert ManagedPerson.objects.filter(institution_user=learner.institution_user, vle=vle).exists()


# The person for a uid ------------------------------------------------------------------------


def test_only_the_institution_door_updates_an_existing_person(institution):
    account = factories.user(institution)
    uid = account.institution_user.uid
    person_for_uid(institution=institution, uid=uid, door=VLE_DOOR, first_name="Vle")
    account.refresh_from_db()
    assert account.first_name != "Vle"
    person_for_uid(institution=institution, uid=uid, door=INSTITUTION_DOOR, first_name="Inst")
    account.refresh_from_db()
    assert account.first_name == "Inst"


def test_only_the_institution_door_needs_a_free_email(institution):
    User.objects.create_user(username="staff", email=DETAILS["email"], is_staff=True)
    with pytest.raises(Conflict) as caught:
        person_for_uid(institution=institution, uid="b", door=INSTITUTION_DOOR, **DETAILS)
    assert caught.value.field == "email"
    member, created = person_for_uid(institution=institution, uid="a", door=VLE_DOOR, **DETAILS)
    assert created and member.user.email == DETAILS["email"]


def test_the_vle_door_grants_no_flags_and_may_be_switched_off(institution):
    member, _ = person_for_uid(
        institution=institution, uid="a", door=VLE_DOOR, flags={"inst_admin": True}, **DETAILS
    )
    assert member.inst_admin is False and member.login_allowed is False
    institution.disable_vle_user_creation = True
    institution.save()
    with pytest.raises(NotFound):
        person_for_uid(institution=institution, uid="b", door=VLE_DOOR, **DETAILS)
    assert not InstitutionUser.objects.filter(uid="b").exists()


@pytest.mark.parametrize(
    "door, required",
    [(VLE_DOOR, {"first_name", "last_name", "email"}), (INSTITUTION_DOOR, {"email"})],
)
def test_what_creating_a_person_needs(institution, door, required):
    with pytest.raises(ValidationError) as caught:
        person_for_uid(institution=institution, uid="new", door=door)
    assert set(caught.value.message_dict) == required


# Options and their schema: one rule and one set of messages ----------------------------------


def test_options_failures_say_where():
    schema = {"type": "object", "properties": {"online": {"type": "boolean"}}}
    with pytest.raises(ValidationError) as caught:
        instruments.options_check(options={"online": "yes"}, schema=schema)
    assert caught.value.message_dict["options"][0].startswith("Invalid options at online: ")


def test_a_schema_check_names_the_field_or_not():
    with pytest.raises(ValidationError) as caught:
        instruments.options_schema_check(schema={"type": 12})
    assert list(caught.value.message_dict) == ["options_schema"]
    with pytest.raises(ValidationError) as caught:
        instruments.options_schema_check(schema=[1], field=None)
    assert caught.value.messages == ["Must be a JSON Schema object or null."]
