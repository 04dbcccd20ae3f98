"""`manage.py create_institution` answers a refusal of the services with a command error."""

import io

import pytest
from django.core.management import CommandError, call_command

from institution.models import Institution

pytestmark = pytest.mark.django_db


def create(acronym: str, email: str) -> None:
    args = ["--acronym", acronym, "--name", acronym, "--admin-email", email]
    call_command("create_institution", *args, stdout=io.StringIO())


def test_an_admin_email_already_in_use_is_a_command_error_and_nothing_is_created():
    create("FIRST", "admin@example.org")
    with pytest.raises(CommandError, match="email: A user with that email already exists"):
        create("SECOND", "ADMIN@example.org")
    assert not Institution.objects.filter(acronym="SECOND").exists()
