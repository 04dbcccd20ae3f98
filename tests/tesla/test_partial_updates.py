"""A PATCH writes only the columns it changes, so two concurrent PATCHes of different fields
both persist (neither rewrites the other's column with a stale value)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

SET_CLAUSE = re.compile(r'^UPDATE "(\w+)" SET (.+?) WHERE', re.S)


def updated_columns(queries, table: str) -> set[str]:
    columns = set()
    for query in queries:
        match = SET_CLAUSE.match(query["sql"])
        if match and match.group(1) == table:
            columns |= set(re.findall(r'"(\w+)" = ', match.group(2)))
    return columns


def patch_columns(client, url, body, table):
    with CaptureQueriesContext(connection) as captured:
        response = client.patch(url, body, format="json")
    assert response.status_code == 200, response.content[:300]
    return updated_columns(captured.captured_queries, table)


@pytest.mark.django_db
def test_institution_patch_writes_only_its_field(api, institution):
    columns = patch_columns(
        api("inst_admin"),
        f"/api/v2/institution/{institution.pk}/",
        {"external_ic": True},
        "institution_institution",
    )

    assert columns == {"external_ic", "updated_at"}


@pytest.mark.django_db
def test_vle_activity_patch_writes_only_its_field(api, vle, course, activity):
    columns = patch_columns(
        api("vle"),
        f"/api/v2/vle/{vle.pk}/course/{course.pk}/activity/{activity.pk}/",
        {"name": "Renamed"},
        "vle_activity",
    )

    assert columns == {"name", "updated_at"}


@pytest.mark.django_db
def test_a_stale_writer_does_not_undo_a_concurrent_change(institution):
    from institution.models import Institution
    from tesla.serializers import TeslaModelSerializer

    class Settings(TeslaModelSerializer):
        class Meta:
            model = Institution
            fields = ["name", "mail_domain"]

    stale = Institution.objects.get(pk=institution.pk)  # read before the other writer commits
    Institution.objects.filter(pk=institution.pk).update(name="Changed concurrently")

    writer = Settings(stale, data={"mail_domain": "uni.example.org"}, partial=True)
    assert writer.is_valid(), writer.errors
    writer.save()

    institution.refresh_from_db()
    assert (institution.name, institution.mail_domain) == (
        "Changed concurrently",
        "uni.example.org",
    )


@pytest.mark.django_db
def test_send_category_patch_writes_only_its_field(api, institution):
    from institution.models import SENDCategory

    category = SENDCategory.objects.create(institution=institution, description="Old")
    columns = patch_columns(
        api("send_admin"),
        f"/api/v2/institution/{institution.pk}/send/{category.pk}/",
        {"description": "New"},
        "institution_sendcategory",
    )

    assert columns == {"description", "updated_at"}
