"""Every Course Service model is in the Django admin; what imports compute is read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.content import packages
from vle.content import models

MODELS = [
    models.Course,
    models.CourseVersion,
    models.CourseFile,
    models.CourseTag,
    models.CourseSetting,
    models.ImportJob,
    models.Statement,
]


def test_every_model_is_registered():
    assert all(model in admin.site._registry for model in MODELS)


@pytest.mark.django_db
def test_changelists_and_change_pages_open(admin_client, app, upload):
    upload(app, "golf", packages.scorm12_package())

    for model in MODELS:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        listing = admin_client.get(reverse(f"{prefix}_changelist"))
        assert listing.status_code == 200, model
        row = model.objects.first()
        if row is not None:
            page = admin_client.get(reverse(f"{prefix}_change", args=[row.pk]))
            assert page.status_code == 200, model

    job_admin = admin.site._registry[models.ImportJob]
    assert not job_admin.has_change_permission(None)
