"""Item 11 of the security pass: the server always keeps a global admin."""

import pytest

from institution.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_global_admin_cannot_remove_their_own_staff_flag(api, global_admin):
    factories.user(None, is_staff=True)  # not the last one
    client = api("global_admin")
    for body in ({"is_staff": False}, {"is_active": False}):
        response = client.patch(f"/api/v2/admin/user/{global_admin.pk}/", body, format="json")
        assert response.status_code == 403, response.content
    global_admin.refresh_from_db()
    assert global_admin.is_staff and global_admin.is_active


def test_a_global_admin_cannot_delete_themselves(api, global_admin):
    response = api("global_admin").delete(f"/api/v2/admin/user/{global_admin.pk}/")
    assert response.status_code == 403
    assert User.objects.filter(pk=global_admin.pk).exists()


def test_another_global_admin_can_be_demoted_while_one_remains(api, global_admin):
    other = factories.user(None, is_staff=True)
    response = api("global_admin").patch(
        f"/api/v2/admin/user/{other.pk}/", {"is_staff": False}, format="json"
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.is_staff is False


def test_the_last_active_global_admin_is_kept(api, global_admin):
    """Deactivated admins do not count: removing the only active one is a 409."""
    other = factories.user(None, is_staff=True)
    User.objects.filter(pk=global_admin.pk).update(is_active=False)
    from institution.services.admins import admin_user_delete, admin_user_update

    with pytest.raises(Exception) as refused:
        admin_user_delete(user=other, by=None)
    assert getattr(refused.value, "status_code", None) == 409
    with pytest.raises(Exception) as refused:
        admin_user_update(user=other, by=None, is_staff=False)
    assert getattr(refused.value, "status_code", None) == 409
    other.refresh_from_db()
    assert other.is_staff and other.is_active
