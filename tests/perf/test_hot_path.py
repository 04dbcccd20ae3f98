"""The shortcuts of the plugin lookups' hot path behave exactly like the ORM and django-filter
paths they replace: the calling module with its related rows, and list filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tesla.filters import FilterBackend
from tesla.precompiled import row_by_pk
from tests import factories
from vle.filters import VLECourseFilter
from vle.models import VLE


@pytest.mark.django_db
def test_row_by_pk_is_the_orm_row_with_its_related_rows(vle):
    VLE.objects.filter(pk=vle.pk).update(lti={"client": "x", "keys": [1, 2]})
    expected = VLE.objects.select_related("institution").get(pk=vle.pk)
    for _ in range(2):  # compiled on the first call, reused on the second
        with CaptureQueriesContext(connection) as queries:
            loaded = row_by_pk(VLE, vle.pk, related=("institution",))
            assert loaded.institution.acronym == expected.institution.acronym
        assert len(queries) == 1
        assert loaded.lti == {"client": "x", "keys": [1, 2]}
        assert loaded.created_at == expected.created_at
        assert [getattr(loaded, f.attname) for f in VLE._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in VLE._meta.concrete_fields
        ]
        assert not loaded._state.adding and loaded._state.db == "default"


@pytest.mark.django_db
def test_row_by_pk_of_a_missing_row_is_none(vle):
    assert row_by_pk(VLE, vle.pk + 1000, related=("institution",)) is None


def test_a_deleted_vle_token_is_refused(api, vle, course):
    client = api("vle")
    assert client.get(f"/api/v2/vle/{vle.pk}/course/").status_code == 200
    VLE.objects.filter(pk=vle.pk).delete()
    assert client.get(f"/api/v2/vle/{vle.pk}/course/").status_code == 401


def test_filters_apply_per_request(api, vle):
    first, second = factories.course(vle), factories.course(vle)
    client = api("vle")
    base = f"/api/v2/vle/{vle.pk}/course/"
    for course in (first, second, first):
        response = client.get(f"{base}?vle_course_id={course.vle_course_id}")
        assert [row["id"] for row in response.json()["results"]] == [course.pk]
    assert client.get(base).json()["count"] == 2


def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, vle):
    response = api("vle").get(f"/api/v2/vle/{vle.pk}/course/?vle=abc")
    assert response.status_code == 400
    assert "vle" in response.json()


def test_filtersets_are_prebuilt_once_with_their_own_filters():
    prebuilt = FilterBackend.prebuilt(VLECourseFilter)
    assert prebuilt is FilterBackend.prebuilt(VLECourseFilter)
    assert issubclass(prebuilt, VLECourseFilter)
    one, two = prebuilt({"vle_course_id": "1"}), prebuilt({"vle_course_id": "2"})
    assert one.filters["vle_course_id"] is not two.filters["vle_course_id"]
    assert one.filters["vle_course_id"].parent is one
    assert one.get_form_class() is two.get_form_class()
    assert one.is_valid() and one.form.cleaned_data["vle_course_id"] == "1"
