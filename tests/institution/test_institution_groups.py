"""§1 institutions and §4 course groups: scoping, read-only fields, the group tree rules and
filters."""

import pytest

from institution.models import CourseGroup


def ids(response):
    return [item["id"] for item in response.json()["results"]]


# §1 ---------------------------------------------------------------------------------------
def test_member_lists_only_their_institution(api, institution, other_institution):
    response = api("member").get("/api/v2/institution/")
    assert response.status_code == 200
    assert ids(response) == [institution.pk]


def test_global_admin_lists_every_institution(api, institution, other_institution):
    response = api("global_admin").get("/api/v2/institution/?limit=100")
    assert {institution.pk, other_institution.pk} <= set(ids(response))


def test_learner_token_reads_its_institution(api, institution):
    response = api("learner_token").get(f"/api/v2/institution/{institution.pk}/")
    assert response.status_code == 200
    assert response.json()["acronym"] == institution.acronym


def test_institution_body_has_spec_fields_and_blank_allowed_domains(api, institution):
    body = api("member").get(f"/api/v2/institution/{institution.pk}/").json()
    assert body["allowed_domains"] == ""
    spec_fields = {
        "id",
        "acronym",
        "name",
        "external_ic",
        "mail_domain",
        "disable_vle_learner_creation",
        "disable_vle_instructor_creation",
        "disable_vle_user_creation",
        "allow_learner_report",
        "allow_learner_audit",
        "allow_valid_audit",
        "created_at",
        "updated_at",
    }
    assert spec_fields <= set(body)


def test_admin_updates_settings_but_not_acronym_or_name(api, institution):
    response = api("inst_admin").put(
        f"/api/v2/institution/{institution.pk}/",
        {
            "acronym": "HACK",
            "name": "Hacked",
            "external_ic": True,
            "allow_learner_report": True,
            "allowed_domains": "moodle.uni.edu,*.uni.edu",
        },
        format="json",
    )
    assert response.status_code == 200
    institution.refresh_from_db()
    assert (institution.acronym, institution.external_ic, institution.allow_learner_report) == (
        response.json()["acronym"],
        True,
        True,
    )
    assert institution.acronym != "HACK" and institution.name != "Hacked"
    assert response.json()["allowed_domains"] == "moodle.uni.edu,*.uni.edu"


def test_admin_cannot_reach_another_institution(api, other_institution):
    response = api("inst_admin").patch(
        f"/api/v2/institution/{other_institution.pk}/", {"external_ic": True}, format="json"
    )
    assert response.status_code == 404
    other_institution.refresh_from_db()
    assert other_institution.external_ic is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"external_ic": "maybe"}, "external_ic"),
        ({"mail_domain": "x" * 256}, "mail_domain"),
        ({"allow_learner_audit": [True]}, "allow_learner_audit"),
    ],
)
def test_institution_bad_input(api, institution, body, field):
    response = api("inst_admin").patch(
        f"/api/v2/institution/{institution.pk}/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_institution_search(api, institution, other_institution):
    response = api("global_admin").get(f"/api/v2/institution/?search={other_institution.acronym}")
    assert ids(response) == [other_institution.pk]


# §4 ---------------------------------------------------------------------------------------
def test_create_group_under_parent(api, base, group, institution):
    response = api("inst_admin").post(
        base("group/"),
        {"name": "Physics", "parent": group.pk, "institution": {"external_ic": True}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == group.pk
    assert body["institution"]["id"] == institution.pk
    created = CourseGroup.objects.get(pk=body["id"])
    assert created.institution == institution and created.parent == group
    institution.refresh_from_db()
    assert institution.external_ic is False  # the nested institution is not written


def test_group_parent_of_another_institution_is_400(api, base, other_institution):
    foreign = CourseGroup.objects.create(institution=other_institution, name="Foreign")
    response = api("inst_admin").post(
        base("group/"), {"name": "X", "parent": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not CourseGroup.objects.filter(name="X").exists()


def test_group_cannot_move_into_its_own_subtree(api, base, group, institution):
    child = CourseGroup.objects.create(institution=institution, name="Child", parent=group)
    grandchild = CourseGroup.objects.create(institution=institution, name="GC", parent=child)
    client = api("inst_admin")
    for target in (group, grandchild):
        response = client.patch(base(f"group/{group.pk}/"), {"parent": target.pk}, format="json")
        assert response.status_code == 400
        assert "parent" in response.json()
    group.refresh_from_db()
    assert group.parent is None


def test_group_can_move_elsewhere_and_back_to_root(api, base, group, institution):
    other = CourseGroup.objects.create(institution=institution, name="Other")
    client = api("inst_admin")
    assert (
        client.patch(base(f"group/{group.pk}/"), {"parent": other.pk}, format="json").json()[
            "parent"
        ]
        == other.pk
    )
    assert (
        client.patch(base(f"group/{group.pk}/"), {"parent": None}, format="json").json()["parent"]
        is None
    )


def test_group_filters(api, base, group, institution):
    child = CourseGroup.objects.create(
        institution=institution, name="Organic chemistry", description="Labs", parent=group
    )
    client = api("member")
    assert ids(client.get(base("group/?parent=-1"))) == [group.pk]
    assert ids(client.get(base(f"group/?parent={group.pk}"))) == [child.pk]
    assert ids(client.get(base("group/?name=ORGANIC"))) == [child.pk]
    assert ids(client.get(base("group/?description=lab"))) == [child.pk]
    response = client.get(base("group/?parent=abc"))
    assert response.status_code == 400
    assert "parent" in response.json()


def test_foreign_groups_are_invisible(api, base, other_institution):
    foreign = CourseGroup.objects.create(institution=other_institution, name="Foreign")
    client = api("inst_admin")
    assert ids(client.get(base("group/"))) == []
    assert client.get(base(f"group/{foreign.pk}/")).status_code == 404
    assert client.delete(base(f"group/{foreign.pk}/")).status_code == 404
    assert CourseGroup.objects.filter(pk=foreign.pk).exists()


def test_deleting_a_group_deletes_its_subgroups(api, base, group, institution):
    CourseGroup.objects.create(institution=institution, name="Child", parent=group)
    assert api("inst_admin").delete(base(f"group/{group.pk}/")).status_code == 204
    assert not CourseGroup.objects.filter(institution=institution).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 251}, "name"),
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "ok", "parent": "abc"}, "parent"),
        ({"name": "ok", "parent": 10**30}, "parent"),
        ({"name": "ok", "parent": {"id": 1}}, "parent"),
        ({"name": ["a"]}, "name"),
    ],
)
def test_group_bad_input(api, base, body, field):
    response = api("inst_admin").post(base("group/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_malformed_json_and_non_object_bodies(api, base):
    client = api("inst_admin")
    response = client.post(base("group/"), "{not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post(base("group/"), "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not CourseGroup.objects.exists()


def test_huge_ids_in_the_url_are_404(api):
    huge = 10**30
    client = api("global_admin")
    assert client.get(f"/api/v2/institution/{huge}/").status_code == 404
    assert client.get(f"/api/v2/institution/{huge}/group/").status_code == 404


def test_paths_without_trailing_slash(api, base, group):
    client = api("inst_admin")
    response = client.get(base("group").rstrip("/"))
    assert response.status_code == 200
    assert ids(response) == [group.pk]
    response = client.post(base("group").rstrip("/"), {"name": "No slash"}, format="json")
    assert response.status_code == 201
    assert CourseGroup.objects.filter(name="No slash").exists()
