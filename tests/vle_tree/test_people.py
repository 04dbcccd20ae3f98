"""Course learners and instructors of the VLE tree: the plugins' idempotent enrol by uid
(real-clients.md §3.4; anchor-core §4.2, §4.3)."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from institution.models import InformedConsent, InstitutionUser, Instructor, Learner, User
from tests import factories

pytestmark = pytest.mark.django_db

MOODLE_USER = {
    "uid": "ada@uni.example",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@uni.example",
}


@pytest.fixture(params=["learner", "instructor"])
def role(request):
    return request.param


def people_of(course, role):
    return course.learners if role == "learner" else course.instructors


def role_model(role):
    return Learner if role == "learner" else Instructor


def test_enrol_creates_the_person_once_and_is_idempotent(
    vle_api, course_url, course, institution, role
):
    first = vle_api.post(f"{course_url}/{role}/", MOODLE_USER)
    assert first.status_code == 201, first.content
    again = vle_api.post(f"{course_url}/{role}/", MOODLE_USER)
    assert again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    member = InstitutionUser.objects.get(institution=institution, uid=MOODLE_USER["uid"])
    assert people_of(course, role).filter(pk=member.pk).count() == 1
    assert role_model(role).objects.filter(pk=member.pk).exists()
    assert first.json()["uid"] == MOODLE_USER["uid"]
    assert first.json()["email"] == MOODLE_USER["email"]


def test_created_people_cannot_log_in_nor_get_admin_flags(vle_api, course_url, institution, role):
    body = {
        **MOODLE_USER,
        "inst_admin": True,
        "legal_admin": True,
        "send_admin": True,
        "data_admin": True,
        "password": "pass-Word-1234",
        "login_allowed": True,
        "is_staff": True,
    }
    response = vle_api.post(f"{course_url}/{role}/", body)
    assert response.status_code == 201, response.content
    member = InstitutionUser.objects.select_related("user").get(
        institution=institution, uid=body["uid"]
    )
    assert not (member.inst_admin or member.legal_admin or member.send_admin or member.data_admin)
    assert member.login_allowed is False
    assert member.user.has_usable_password() is False
    assert member.user.is_staff is False
    assert response.json()["inst_admin"] is False


def test_existing_person_is_reused_with_their_details(
    vle_api, course_url, course, institution, role
):
    account = factories.user(institution, **{role: True})
    uid = account.institution_user.uid
    response = vle_api.post(f"{course_url}/{role}/", {"uid": uid, "first_name": "Other"})
    assert response.status_code == 201, response.content
    assert response.json()["id"] == account.pk
    assert response.json()["first_name"] == account.first_name
    assert people_of(course, role).filter(pk=account.pk).exists()


def test_existing_user_gets_the_role_row(vle_api, course_url, course, institution, role):
    account = factories.user(institution)
    response = vle_api.post(f"{course_url}/{role}/", {"uid": account.institution_user.uid})
    assert response.status_code == 201, response.content
    assert role_model(role).objects.filter(pk=account.pk).exists()


def test_existing_email_account_of_no_institution_is_not_taken_over(vle_api, course_url, role):
    admin = factories.user(None, is_staff=True)
    body = {**MOODLE_USER, "uid": admin.email, "email": admin.email}
    response = vle_api.post(f"{course_url}/{role}/", body)
    assert response.status_code == 201, response.content
    assert response.json()["id"] != admin.pk
    admin.refresh_from_db()
    assert not hasattr(admin, "institution_user")


def test_username_clash_gets_a_fresh_username(vle_api, course_url, role):
    User.objects.create_user(username=MOODLE_USER["email"], email="someone@else.example")
    response = vle_api.post(f"{course_url}/{role}/", MOODLE_USER)
    assert response.status_code == 201, response.content
    assert response.json()["username"] != MOODLE_USER["email"]


def test_unknown_person_without_details_is_400(vle_api, course_url, role):
    response = vle_api.post(f"{course_url}/{role}/", {"uid": "nobody"})
    assert response.status_code == 400
    assert {"first_name", "last_name", "email"} <= response.json().keys()
    assert not InstitutionUser.objects.filter(uid="nobody").exists()


@pytest.mark.parametrize("flag", ["role", "user"])
def test_disabled_creation_is_404(vle_api, course_url, institution, role, flag):
    name = f"disable_vle_{role}_creation" if flag == "role" else "disable_vle_user_creation"
    setattr(institution, name, True)
    institution.save()
    response = vle_api.post(f"{course_url}/{role}/", MOODLE_USER)
    assert response.status_code == 404
    assert not InstitutionUser.objects.filter(uid=MOODLE_USER["uid"]).exists()


def test_disabled_user_creation_still_enrols_existing_users(
    vle_api, course_url, course, institution, role
):
    institution.disable_vle_user_creation = True
    institution.save()
    account = factories.user(institution)
    response = vle_api.post(f"{course_url}/{role}/", {"uid": account.institution_user.uid})
    assert response.status_code == 201
    assert people_of(course, role).filter(pk=account.pk).exists()


def test_disabled_role_creation_still_enrols_existing_role_holders(
    vle_api, course_url, course, institution, role
):
    setattr(institution, f"disable_vle_{role}_creation", True)
    institution.save()
    account = factories.user(institution, **{role: True})
    response = vle_api.post(f"{course_url}/{role}/", {"uid": account.institution_user.uid})
    assert response.status_code == 201


def test_person_of_another_institution_is_not_reused(
    vle_api, course_url, other_institution, institution, role
):
    stranger = factories.user(other_institution, **{role: True})
    uid = stranger.institution_user.uid
    response = vle_api.post(f"{course_url}/{role}/", {**MOODLE_USER, "uid": uid})
    assert response.status_code == 201
    assert response.json()["id"] != stranger.pk
    assert InstitutionUser.objects.filter(institution=institution, uid=uid).exists()


def test_delete_only_unenrols(vle_api, course_url, course, institution, role):
    account = factories.user(institution, **{role: True})
    people_of(course, role).add(account.pk)
    assert vle_api.delete(f"{course_url}/{role}/{account.pk}/").status_code == 204
    assert not people_of(course, role).filter(pk=account.pk).exists()
    assert role_model(role).objects.filter(pk=account.pk).exists()
    assert vle_api.delete(f"{course_url}/{role}/{account.pk}/").status_code == 404


def test_person_of_another_course_is_404(vle_api, course_url, vle, institution, role):
    account = factories.user(institution, **{role: True})
    people_of(factories.course(vle), role).add(account.pk)
    assert vle_api.get(f"{course_url}/{role}/{account.pk}/").status_code == 404


def enrolled_by_vle(vle_api, course_url, role, uid="made-by-vle"):
    """A person the VLE created by enrolling them (the only people it may change)."""
    response = vle_api.post(f"{course_url}/{role}/", {**MOODLE_USER, "uid": uid})
    assert response.status_code == 201, response.content
    return InstitutionUser.objects.select_related("user").get(pk=response.json()["id"])


def test_update_changes_details_but_not_flags(vle_api, course_url, role):
    member = enrolled_by_vle(vle_api, course_url, role)
    body = {"uid": "new-uid", "first_name": "New", "email": "new@x.example", "inst_admin": True}
    response = vle_api.patch(f"{course_url}/{role}/{member.pk}/", body)
    assert response.status_code == 200, response.content
    member = InstitutionUser.objects.select_related("user").get(pk=member.pk)
    assert (member.uid, member.user.first_name, member.user.email) == (
        "new-uid",
        "New",
        "new@x.example",
    )
    assert member.inst_admin is False


def test_update_to_a_taken_uid_is_409(vle_api, course_url, institution, role):
    member = enrolled_by_vle(vle_api, course_url, role)
    other = factories.user(institution)
    response = vle_api.patch(
        f"{course_url}/{role}/{member.pk}/", {"uid": other.institution_user.uid}
    )
    assert response.status_code == 409
    assert "uid" in response.json()


@pytest.mark.parametrize(
    "flags",
    [
        {"inst_admin": True, "login_allowed": False, "password": None},
        {"data_admin": True, "login_allowed": False, "password": None},
        {"login_allowed": True},  # a password login
        {"login_allowed": False, "is_staff": True, "password": None},
    ],
)
def test_a_vle_cannot_rewrite_people_it_does_not_own(
    vle_api, course_url, course, institution, role, flags
):
    """An admin (or anyone with a password login) enrolled in the VLE's course keeps their
    e-mail and uid: rewriting them would lock the person out."""
    account = factories.user(institution, **{role: True}, **flags)
    people_of(course, role).add(account.pk)
    before = InstitutionUser.objects.select_related("user").get(pk=account.pk)
    body = {"uid": "hijacked", "email": "attacker@x.example", "first_name": "X"}
    for method in (vle_api.patch, vle_api.put):
        response = method(f"{course_url}/{role}/{account.pk}/", body)
        assert response.status_code == 403, response.content
    after = InstitutionUser.objects.select_related("user").get(pk=account.pk)
    assert (after.uid, after.user.email, after.user.first_name) == (
        before.uid,
        before.user.email,
        before.user.first_name,
    )


def test_a_vle_cannot_rewrite_a_person_another_vle_created(
    vle_api, course_url, course, other_vle, role
):
    other_course = factories.course(other_vle)
    other_api = factories.client_for(other_vle)
    member = enrolled_by_vle(
        other_api, f"/api/v2/vle/{other_vle.pk}/course/{other_course.pk}", role
    )
    people_of(course, role).add(member.pk)
    response = vle_api.patch(f"{course_url}/{role}/{member.pk}/", {"email": "x@x.example"})
    assert response.status_code == 403
    assert User.objects.get(pk=member.pk).email == MOODLE_USER["email"]


def test_a_vle_loses_a_person_once_an_admin_gives_them_a_flag(vle_api, course_url, role):
    member = enrolled_by_vle(vle_api, course_url, role)
    InstitutionUser.objects.filter(pk=member.pk).update(legal_admin=True)
    response = vle_api.patch(f"{course_url}/{role}/{member.pk}/", {"email": "x@x.example"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "uid"),
        ({"uid": "x" * 256}, "uid"),
        ({"uid": "u", "first_name": "A", "last_name": "B", "email": "not-an-email"}, "email"),
        ({"uid": ["u"]}, "uid"),
        ({"uid": "u", "locale": "x" * 11}, "locale"),
    ],
)
def test_bad_person_bodies_are_400(vle_api, course_url, role, body, field):
    response = vle_api.post(f"{course_url}/{role}/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_learner_lookup_by_url_encoded_uid(vle_api, course_url, course, institution, consent):
    vle_api.post(f"{course_url}/learner/", MOODLE_USER)
    factories.user(institution, learner=True)
    response = vle_api.get(f"{course_url}/learner/?uid={quote(MOODLE_USER['uid'])}")
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["uid"] == MOODLE_USER["uid"]
    assert row["ic_status"] == "NOT_VALID_MISSING"
    learner = Learner.objects.get(institution_user__uid=MOODLE_USER["uid"])
    assert row["learner_id"] == str(learner.learner_id)
    assert row["consent"] is None


def test_learner_ic_status_valid_after_consent(vle_api, course_url, consenting_learner):
    uid = consenting_learner.institution_user.uid
    row = vle_api.get(f"{course_url}/learner/?uid={uid}").json()["results"][0]
    assert row["ic_status"] == "VALID"
    assert row["consent"]["version"] == "1.0.0"
    assert row["send"]["is_send"] is False


def test_python_sdk_learner_filters(vle_api, course_url, course, institution):
    account = factories.user(institution, learner=True)
    course.learners.add(account.pk)
    factories.user(institution, learner=True)
    course.learners.add(factories.user(institution, learner=True).pk)
    learner_id = account.institution_user.learner.learner_id
    for query in (f"mail={account.email}", f"lerner_id={learner_id}", f"learner_id={learner_id}"):
        body = vle_api.get(f"{course_url}/learner/?{query}").json()
        assert [row["id"] for row in body["results"]] == [account.pk], query
    assert vle_api.get(f"{course_url}/learner/?learner_id=not-a-uuid").status_code == 400


def test_instructor_lookup_by_uid(vle_api, course_url, course, institution):
    account = factories.user(institution, instructor=True)
    course.instructors.add(account.pk)
    body = vle_api.get(f"{course_url}/instructor/?uid={account.institution_user.uid}").json()
    assert [row["id"] for row in body["results"]] == [account.pk]


@pytest.mark.parametrize("rows", [2, 12])
def test_learner_list_costs_fixed_queries(
    vle_api, course_url, course, institution, consent, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        account = factories.user(institution, learner=True)
        course.learners.add(account.pk)
        learner_row = account.institution_user.learner
        learner_row.consent = consent
        learner_row.save()
    with django_assert_max_num_queries(10):
        body = vle_api.get(f"{course_url}/learner/?limit=20").json()
    assert body["count"] == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_instructor_list_costs_fixed_queries(
    vle_api, course_url, course, institution, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        course.instructors.add(factories.user(institution, instructor=True).pk)
    with django_assert_max_num_queries(7):
        body = vle_api.get(f"{course_url}/instructor/?limit=20").json()
    assert body["count"] == rows


def test_a_version_not_valid_yet_is_not_the_current_one(
    vle_api, course_url, consenting_learner, institution
):
    """The course comes with all its institution's consent versions; one whose `valid_from`
    is still ahead does not outdate the version the learner accepted."""
    InformedConsent.objects.create(
        institution=institution, version="2.0.0", valid_from=timezone.now() + timedelta(days=3)
    )
    uid = consenting_learner.institution_user.uid
    listed = vle_api.get(f"{course_url}/learner/?uid={uid}").json()["results"][0]
    enrolled = vle_api.post(f"{course_url}/learner/", {"uid": uid}).json()
    for row in (listed, enrolled):
        assert row["ic_status"] == "VALID"
        assert row["consent"]["status"] == "VALID"
