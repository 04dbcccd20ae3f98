"""§11 instructors and §12 learners: creating (or reusing) the person behind them, their
representation, updates, removal of the role only, and who reads what."""

import uuid

import pytest

from institution.models import InstitutionUser, Instructor, Learner, SENDLearner, User
from tests import factories
from tests.institution.conftest import make_consent


def ids(response):
    return [item["id"] for item in response.json()["results"]]


# §11 --------------------------------------------------------------------------------------
def test_create_instructor_makes_a_person(api, base, institution):
    response = api("inst_admin").post(
        base("instructor/"),
        {"uid": "t-1", "email": "teach@example.org", "first_name": "Tea", "locale": "es"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "teach@example.org"
    assert body["uid"] == "t-1" and body["locale"] == "es"
    member = InstitutionUser.objects.get(pk=body["id"])
    assert member.institution == institution
    assert Instructor.objects.filter(pk=member.pk).exists()
    assert not member.user.has_usable_password()


def test_create_instructor_reuses_the_person_with_that_uid(api, base, other_learner):
    member = other_learner.institution_user
    response = api("inst_admin").post(
        base("instructor/"), {"uid": member.uid, "first_name": "Renamed"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == member.pk
    member.user.refresh_from_db()
    assert member.user.first_name == "Renamed"
    assert Learner.objects.filter(pk=member.pk).exists()  # still a learner too
    assert InstitutionUser.objects.filter(uid=member.uid).count() == 1


def test_second_instructors_do_not_collide_on_username(api, base):
    client = api("inst_admin")
    for n in range(2):
        response = client.post(
            base("instructor/"), {"uid": f"t{n}", "email": f"t{n}@example.org"}, format="json"
        )
        assert response.status_code == 201, response.json()


def test_instructor_twice_is_409(api, base, other_instructor):
    response = api("inst_admin").post(
        base("instructor/"), {"uid": other_instructor.institution_user.uid}, format="json"
    )
    assert response.status_code == 409
    assert "uid" in response.json()


def test_new_instructor_needs_an_email_in_the_domain(api, base, institution):
    client = api("inst_admin")
    response = client.post(base("instructor/"), {"uid": "t-2"}, format="json")
    assert response.status_code == 400 and "email" in response.json()
    institution.mail_domain = "uni.edu"
    institution.save()
    response = client.post(base("instructor/"), {"uid": "t-2", "email": "x@gmail.com"})
    assert response.status_code == 400 and "email" in response.json()
    assert not InstitutionUser.objects.filter(uid="t-2").exists()


def test_instructor_email_is_unique(api, base, other_member):
    response = api("inst_admin").post(
        base("instructor/"), {"uid": "t-3", "email": other_member.user.email}, format="json"
    )
    assert response.status_code == 409
    assert "email" in response.json()


def test_update_instructor(api, base, other_instructor):
    response = api("inst_admin").patch(
        base(f"instructor/{other_instructor.pk}/"),
        {"last_name": "Smith", "uid": "new-uid", "send_admin": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    member = other_instructor.institution_user
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert (member.uid, member.send_admin, member.user.last_name) == ("new-uid", True, "Smith")


def test_delete_instructor_keeps_the_person(api, base, other_instructor):
    pk = other_instructor.pk
    assert api("inst_admin").delete(base(f"instructor/{pk}/")).status_code == 204
    assert not Instructor.objects.filter(pk=pk).exists()
    assert InstitutionUser.objects.filter(pk=pk).exists()


def test_instructor_list_is_scoped_and_filtered(api, base, other_instructor, other_institution):
    factories.user(other_institution, instructor=True)
    client = api("legal_admin")
    assert ids(client.get(base("instructor/"))) == [other_instructor.pk]
    uid = other_instructor.institution_user.uid
    assert ids(client.get(base(f"instructor/?uid={uid}"))) == [other_instructor.pk]
    assert ids(client.get(base(f"instructor/?uid={uid}x"))) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"uid": "u", "email": "a" * 140 + "@example.org"}, "email"),
        ({"uid": "u", "email": "nope"}, "email"),
        ({"email": "a@example.org"}, "uid"),
        ({"uid": "u" * 256, "email": "a@example.org"}, "uid"),
        ({"uid": "u", "email": "a@example.org", "inst_admin": "x"}, "inst_admin"),
    ],
)
def test_instructor_bad_input(api, base, body, field):
    response = api("inst_admin").post(base("instructor/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# §12 --------------------------------------------------------------------------------------
def test_create_learner(api, base, institution):
    response = api("inst_admin").post(
        base("learner/"),
        {
            "uid": "l-1",
            "email": "lea@example.org",
            "first_name": "Lea",
            "institution": {"external_ic": True},
            "consent": {"version": "9.9.9"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    learner = Learner.objects.get(pk=body["id"])
    assert body["learner_id"] == str(learner.learner_id)
    uuid.UUID(body["learner_id"])
    assert body["username"] == "lea@example.org"
    assert body["consent"] is None and body["ic_status"] == "NOT_VALID_MISSING"
    assert body["send"] == {
        "is_send": False,
        "send": {"enabled_options": [], "disabled_instruments": []},
    }
    assert body["institution"]["id"] == institution.pk
    assert body["login_allowed"] is False
    assert not learner.institution_user.user.has_usable_password()
    institution.refresh_from_db()
    assert institution.external_ic is False


def test_learner_ids_are_fresh(api, base):
    client = api("inst_admin")
    first = client.post(base("learner/"), {"uid": "a", "email": "a@example.org"}).json()
    second = client.post(base("learner/"), {"uid": "b", "email": "b@example.org"}).json()
    assert first["learner_id"] != second["learner_id"]


def test_learner_reuse_keeps_an_existing_password(api, base, inst_admin):
    member = inst_admin.institution_user
    response = api("inst_admin").post(
        base("learner/"), {"uid": member.uid, "email": inst_admin.email}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == inst_admin.pk
    inst_admin.refresh_from_db()
    assert inst_admin.check_password("pass-Word-1234")


def test_learner_twice_is_409(api, base, other_learner):
    response = api("inst_admin").post(
        base("learner/"),
        {"uid": other_learner.institution_user.uid, "email": "z@example.org"},
        format="json",
    )
    assert response.status_code == 409
    assert "uid" in response.json()


def test_learner_detail_shows_consent_and_send(api, base, other_learner, consent, send_assignment):
    other_learner.consent = consent
    other_learner.save()
    body = api("send_admin").get(base(f"learner/{other_learner.pk}/")).json()
    assert body["consent"] == {"version": "1.0.0", "status": "VALID"}
    assert body["ic_status"] == "VALID"
    assert body["send"] == {
        "is_send": True,
        "send": {"enabled_options": ["big_fonts"], "disabled_instruments": [1]},
    }


def test_learner_reads_only_their_own_detail(api, base, learner, other_learner):
    client = api("learner")
    assert client.get(base(f"learner/{learner.pk}/")).status_code == 200
    assert client.get(base(f"learner/{other_learner.pk}/")).status_code == 403
    assert client.get(base("learner/")).status_code == 403


def test_learner_detail_by_profile_id(api, base, learner):
    """The dashboard reads the learner detail with the id of /auth/profile."""
    profile = api("learner").get("/api/v2/auth/profile").json()
    response = api("learner").get(base(f"learner/{profile['id']}/"))
    assert response.status_code == 200
    assert response.json()["learner_id"] == str(learner.institution_user.learner.learner_id)


def test_update_learner_email(api, base, other_learner):
    response = api("inst_admin").patch(
        base(f"learner/{other_learner.pk}/"), {"email": "new@example.org"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["email"] == "new@example.org"
    other_learner.institution_user.user.refresh_from_db()
    assert other_learner.institution_user.user.email == "new@example.org"


def test_consent_is_not_writable_by_admins(api, base, other_learner, consent):
    response = api("inst_admin").patch(
        base(f"learner/{other_learner.pk}/"),
        {"consent": {"version": "1.0.0"}, "consent_accepted": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 200
    other_learner.refresh_from_db()
    assert other_learner.consent is None and other_learner.consent_accepted is None


def test_delete_learner_keeps_the_person(api, base, other_learner, send_assignment):
    pk = other_learner.pk
    assert api("inst_admin").delete(base(f"learner/{pk}/")).status_code == 204
    assert not Learner.objects.filter(pk=pk).exists()
    assert not SENDLearner.objects.filter(pk=send_assignment.pk).exists()
    assert User.objects.filter(pk=pk).exists()


def test_learner_filters(api, base, other_learner, other_institution):
    factories.user(other_institution, learner=True)
    client = api("inst_admin")
    assert ids(client.get(base(f"learner/?learner_id={other_learner.learner_id}"))) == [
        other_learner.pk
    ]
    assert ids(client.get(base(f"learner/?uid={other_learner.institution_user.uid}"))) == [
        other_learner.pk
    ]
    response = client.get(base("learner/?learner_id=not-a-uuid"))
    assert response.status_code == 400
    assert "learner_id" in response.json()


def test_foreign_learner_is_404(api, base, foreign_learner):
    client = api("inst_admin")
    assert client.get(base(f"learner/{foreign_learner.pk}/")).status_code == 404
    assert client.get(base(f"learner/{foreign_learner.pk}/send/")).status_code == 404
    assert client.delete(base(f"learner/{foreign_learner.pk}/")).status_code == 404
    assert Learner.objects.filter(pk=foreign_learner.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"uid": "l"}, "email"),
        ({"email": "l@example.org"}, "uid"),
        ({"uid": "l", "email": "x" * 150 + "@a.org"}, "email"),
        ({"uid": "l", "email": "l@example.org", "locale": "x" * 20}, "locale"),
        ({"uid": ["l"], "email": "l@example.org"}, "uid"),
    ],
)
def test_learner_bad_input(api, base, body, field):
    response = api("inst_admin").post(base("learner/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_status_of_a_future_consent(api, base, other_learner, institution):
    future = make_consent(institution, "3.0.0", days=+2)
    other_learner.consent = future
    other_learner.save()
    body = api("inst_admin").get(base(f"learner/{other_learner.pk}/")).json()
    assert body["consent"]["status"] == "NOT_VALID_YET"


def test_reusing_a_global_admin_by_uid_is_403(api, base, institution):
    staff = factories.user(institution, is_staff=True)
    response = api("inst_admin").post(
        base("learner/"),
        {"uid": staff.institution_user.uid, "email": "takeover@example.org"},
        format="json",
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.email != "takeover@example.org"
    assert not Learner.objects.filter(pk=staff.pk).exists()
