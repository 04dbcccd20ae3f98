"""§15 Course instructors and §16 course learners: enrol by uid, unenrol, swap, who sees
which rows, learner consent/SEND fields, query budgets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from institution.models import InformedConsent, Instructor, Learner, SENDCategory, SENDLearner
from tests import factories


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# §15 Instructors -----------------------------------------------------------------------------


def test_instructor_payload(api, urls, course, enrolled_instructor):
    member = enrolled_instructor.institution_user
    body = api("inst_admin").get(urls.instructor(course.pk, enrolled_instructor.pk)).json()
    assert body == {
        "id": enrolled_instructor.pk,
        "username": member.user.username,
        "uid": member.uid,
        "first_name": member.user.first_name,
        "last_name": member.user.last_name,
        "email": member.user.email,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_enrol_instructor_by_uid_is_idempotent(api, urls, course, spare_instructor):
    client = api("instructor")
    body = {"uid": spare_instructor.institution_user.uid}
    first = client.post(urls.instructor(course.pk), body)
    assert first.status_code == 201, first.content
    assert first.json()["id"] == spare_instructor.pk
    assert client.post(urls.instructor(course.pk), body).status_code == 201
    assert course.instructors.filter(pk=spare_instructor.pk).count() == 1


@pytest.mark.parametrize("uid", ["nobody", "", "x" * 256])
def test_enrol_unknown_uid_is_400_naming_uid(api, urls, course, uid):
    response = api("inst_admin").post(urls.instructor(course.pk), {"uid": uid})
    assert response.status_code == 400
    assert "uid" in response.json()


def test_enrol_needs_an_instructor_of_this_institution(
    api, urls, course, spare_learner, other_institution
):
    foreign = factories.user(other_institution, instructor=True).institution_user
    client = api("inst_admin")
    for uid in (spare_learner.institution_user.uid, foreign.uid):
        response = client.post(urls.instructor(course.pk), {"uid": uid})
        assert response.status_code == 400
        assert "uid" in response.json()
    assert not course.instructors.exists()


def test_unenrol_instructor_keeps_the_person(api, urls, course, enrolled_instructor):
    response = api("inst_admin").delete(urls.instructor(course.pk, enrolled_instructor.pk))
    assert response.status_code == 204
    assert not course.instructors.filter(pk=enrolled_instructor.pk).exists()
    assert Instructor.objects.filter(pk=enrolled_instructor.pk).exists()


def test_put_swaps_the_instructor(api, urls, course, enrolled_instructor, spare_instructor):
    response = api("inst_admin").put(
        urls.instructor(course.pk, enrolled_instructor.pk),
        {"uid": spare_instructor.institution_user.uid},
    )
    assert response.status_code == 200
    assert response.json()["id"] == spare_instructor.pk
    assert set(course.instructors.values_list("pk", flat=True)) >= {spare_instructor.pk}
    assert not course.instructors.filter(pk=enrolled_instructor.pk).exists()


def test_instructor_not_in_the_course_is_404(api, urls, course, spare_instructor):
    client = api("inst_admin")
    assert client.get(urls.instructor(course.pk, spare_instructor.pk)).status_code == 404
    assert client.delete(urls.instructor(course.pk, spare_instructor.pk)).status_code == 404


def test_instructor_filters(api, urls, course, enrolled_instructor):
    uid = enrolled_instructor.institution_user.uid
    items = results(api("inst_admin").get(urls.instructor(course.pk), {"uid": uid}))
    assert [item["id"] for item in items] == [enrolled_instructor.pk]
    items = results(api("inst_admin").get(urls.instructor(course.pk), {"search": uid}))
    assert [item["id"] for item in items] == [enrolled_instructor.pk]


@pytest.mark.parametrize("ordering", ["uid", "-uid", "email", "-last_name", "bogus"])
def test_instructor_ordering_by_api_names(
    api, urls, course, instructor, enrolled_instructor, ordering
):
    items = results(api("inst_admin").get(urls.instructor(course.pk), {"ordering": ordering}))
    assert len(items) == 2
    if ordering != "bogus":
        key = ordering.lstrip("-")
        values = [item[key] for item in items]
        assert values == sorted(values, reverse=ordering.startswith("-"))


# §16 Learners --------------------------------------------------------------------------------


def test_learner_payload(api, urls, course, institution, learner):
    row = learner.institution_user.learner
    body = api("inst_admin").get(urls.learner(course.pk, row.pk)).json()
    assert body["id"] == row.pk
    assert body["learner_id"] == str(row.learner_id)
    assert body["uid"] == learner.institution_user.uid
    assert body["institution"]["id"] == institution.pk
    assert body["consent"] is None
    assert body["ic_status"] == "NOT_VALID_MISSING"
    assert body["send"] == {
        "is_send": False,
        "send": {"enabled_options": [], "disabled_instruments": []},
    }
    assert body["login_allowed"] is True
    assert {"joined_at", "last_login", "consent_accepted", "consent_rejected", "locale"} <= set(
        body
    )


def test_learner_consent_and_ic_status(api, urls, course, institution, learner):
    now = timezone.now()
    old = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=now - timedelta(days=9)
    )
    InformedConsent.objects.create(
        institution=institution, version="1.0.1", valid_from=now - timedelta(days=1)
    )
    row = learner.institution_user.learner
    row.consent, row.consent_accepted = old, now
    row.save()
    body = api("learner").get(urls.learner(course.pk, row.pk)).json()
    assert body["consent"] == {"version": "1.0.0", "status": "VALID_NEED_UPDATE"}
    assert body["ic_status"] == "VALID_NEED_UPDATE"


def test_learner_with_consent_but_no_current_version(api, urls, course, institution, learner):
    future = InformedConsent.objects.create(
        institution=institution, version="2.0.0", valid_from=timezone.now() + timedelta(days=3)
    )
    row = learner.institution_user.learner
    row.consent = future
    row.save()
    body = api("learner").get(urls.learner(course.pk, row.pk)).json()
    assert body["consent"] == {"version": "2.0.0", "status": "NOT_VALID_YET"}
    assert body["ic_status"] == "NOT_VALID_YET"


def test_learner_send(api, urls, course, institution, learner):
    category = SENDCategory.objects.create(
        institution=institution,
        description="Visual",
        data={"enabled_options": ["big_fonts"], "disabled_instruments": [1]},
    )
    row = learner.institution_user.learner
    SENDLearner.objects.create(learner=row, category=category)
    body = api("inst_admin").get(urls.learner(course.pk, row.pk)).json()
    assert body["send"] == {
        "is_send": True,
        "send": {"enabled_options": ["big_fonts"], "disabled_instruments": [1]},
    }


def test_learner_of_the_course_sees_only_their_own_row(
    api, urls, course, learner, enrolled_learner
):
    own = learner.institution_user.learner
    items = results(api("learner").get(urls.learner(course.pk)))
    assert [item["id"] for item in items] == [own.pk]
    assert api("learner").get(urls.learner(course.pk, enrolled_learner.pk)).status_code == 404


def test_instructors_see_every_learner(api, urls, course, learner, enrolled_learner):
    ids = {item["id"] for item in results(api("instructor").get(urls.learner(course.pk)))}
    assert ids == {learner.pk, enrolled_learner.pk}


def test_enrol_learner_by_uid_is_idempotent(api, urls, course, spare_learner):
    client = api("instructor")
    body = {"uid": spare_learner.institution_user.uid}
    first = client.post(urls.learner(course.pk), body)
    assert first.status_code == 201, first.content
    assert first.json()["learner_id"] == str(spare_learner.learner_id)
    assert first.json()["ic_status"] == "NOT_VALID_MISSING"
    assert client.post(urls.learner(course.pk), body).status_code == 201
    assert course.learners.filter(pk=spare_learner.pk).count() == 1


def test_enrol_learner_ignores_echoed_institution_and_consent(
    api, urls, course, spare_learner, other_institution
):
    body = {
        "uid": spare_learner.institution_user.uid,
        "institution": {"id": other_institution.pk, "external_ic": True},
        "consent": {"version": "9.9.9"},
    }
    response = api("inst_admin").post(urls.learner(course.pk), body, format="json")
    assert response.status_code == 201
    spare_learner.refresh_from_db()
    assert spare_learner.consent_id is None
    assert response.json()["institution"]["id"] == course.vle.institution_id


def test_enrol_learner_needs_a_learner_of_this_institution(
    api, urls, course, spare_instructor, other_institution
):
    foreign = factories.user(other_institution, learner=True).institution_user
    for uid in (spare_instructor.institution_user.uid, foreign.uid, "ghost"):
        response = api("inst_admin").post(urls.learner(course.pk), {"uid": uid})
        assert response.status_code == 400
        assert "uid" in response.json()


@pytest.mark.parametrize("body", [{}, {"uid": None}, {"uid": ["a"]}, {"uid": {"a": 1}}])
def test_enrol_learner_bad_bodies(api, urls, course, body):
    response = api("inst_admin").post(urls.learner(course.pk), body, format="json")
    assert response.status_code == 400
    assert "uid" in response.json()


def test_unenrol_learner_keeps_the_learner(api, urls, course, enrolled_learner):
    response = api("instructor").delete(urls.learner(course.pk, enrolled_learner.pk))
    assert response.status_code == 204
    assert not course.learners.filter(pk=enrolled_learner.pk).exists()
    assert Learner.objects.filter(pk=enrolled_learner.pk).exists()


def test_patch_swaps_the_learner(api, urls, course, enrolled_learner, spare_learner):
    response = api("inst_admin").patch(
        urls.learner(course.pk, enrolled_learner.pk), {"uid": spare_learner.institution_user.uid}
    )
    assert response.status_code == 200
    assert response.json()["id"] == spare_learner.pk
    assert course.learners.filter(pk=spare_learner.pk).exists()
    assert not course.learners.filter(pk=enrolled_learner.pk).exists()


def test_learner_filter_by_learner_id(api, urls, course, learner, enrolled_learner):
    wanted = str(enrolled_learner.learner_id)
    items = results(api("inst_admin").get(urls.learner(course.pk), {"learner_id": wanted}))
    assert [item["id"] for item in items] == [enrolled_learner.pk]
    response = api("inst_admin").get(urls.learner(course.pk), {"learner_id": "not-a-uuid"})
    assert response.status_code == 400


def test_course_of_another_institution_is_404(api, urls, foreign_vle):
    foreign = factories.course(foreign_vle)
    client = api("inst_admin")
    assert client.get(urls.learner(foreign.pk)).status_code == 404
    assert client.get(urls.instructor(foreign.pk)).status_code == 404
    assert client.post(urls.learner(foreign.pk), {"uid": "x"}).status_code == 404


def _learners_with_consent(course, institution, n, consent):
    for _ in range(n):
        row = factories.user(institution, learner=True).institution_user.learner
        row.consent = consent
        row.save()
        course.learners.add(row)
        category = SENDCategory.objects.create(institution=institution, description="c")
        SENDLearner.objects.create(learner=row, category=category)


@pytest.mark.parametrize("has_current", [True, False], ids=["current-ic", "no-current-ic"])
def test_learner_list_query_count_is_fixed(
    api, urls, course, institution, has_current, django_assert_max_num_queries
):
    start = timezone.now() - timedelta(days=1)
    if not has_current:
        start += timedelta(days=30)
    consent = InformedConsent.objects.create(
        institution=institution, version="1.0.0", valid_from=start
    )
    client = api("inst_admin")
    _learners_with_consent(course, institution, 2, consent)
    with django_assert_max_num_queries(14) as small:
        assert len(results(client.get(urls.learner(course.pk)))) == 2
    _learners_with_consent(course, institution, 10, consent)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(urls.learner(course.pk), {"limit": 50}))) == 12


def test_instructor_list_query_count_is_fixed(
    api, urls, course, institution, django_assert_max_num_queries
):
    client = api("inst_admin")
    course.instructors.add(factories.user(institution, instructor=True).institution_user.instructor)
    course.instructors.add(factories.user(institution, instructor=True).institution_user.instructor)
    with django_assert_max_num_queries(12) as small:
        assert len(results(client.get(urls.instructor(course.pk)))) == 2
    for _ in range(10):
        course.instructors.add(
            factories.user(institution, instructor=True).institution_user.instructor
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(results(client.get(urls.instructor(course.pk), {"limit": 50}))) == 12
