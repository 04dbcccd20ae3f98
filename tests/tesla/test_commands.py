"""The management commands a newcomer runs in the first hour: `seed_demo` (also when a user
named `admin` exists) and `create_institution` (a real deployment's first institution and
administrator). What they print must work: each login and credential is tried."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from institution.models import Institution, InstitutionUser, User
from reports.management.commands import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def credentials_in_tmp(monkeypatch, tmp_path):
    """seed_demo keeps its logins in a file; never the checkout's."""
    monkeypatch.setattr(seed_demo, "CREDENTIALS_FILE", tmp_path / ".demo-credentials.json")


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def approle(role_id: str, secret_id: str):
    return APIClient().post(
        "/api/v2/auth/approle", {"role_id": role_id, "secret_id": secret_id}, format="json"
    )


def test_seed_demo_prints_working_vle_and_provider_credentials(settings):
    settings.PUBLIC_API_URL = "http://demo.example.test:9000"
    printed = run("seed_demo")
    assert "http://demo.example.test:9000/admin/" in printed
    assert "http://demo.example.test:9000/api/docs/" in printed
    assert "127.0.0.1:8000" not in printed
    providers = re.findall(
        r"Provider (\S+)\s+id (\d+)\s+queue \S+\s+role_id (\S+)\s+secret_id (\S+)", printed
    )
    assert [acronym for acronym, *_ in providers] == [
        "demo_fr",
        "demo_ks",
        "demo_vr",
        "demo_fa",
        "demo_plag",
    ]
    for _, provider_id, role_id, secret_id in providers:
        answer = approle(role_id, secret_id)
        assert answer.status_code == 200, answer.content
        assert (answer.json()["type"], answer.json()["provider_id"]) == (
            "provider",
            int(provider_id),
        )
    [(role_id, secret_id)] = re.findall(
        r"Demo VLE\s+id \d+\s+role_id (\S+)\s+secret_id (\S+)", printed
    )
    assert approle(role_id, secret_id).json()["type"] == "vle"
    # A later run (make run) prints the same logins again.
    assert run("seed_demo", "--if-empty") == printed


def test_seed_demo_works_when_a_user_named_admin_exists():
    User.objects.create_superuser(username="admin", email="mine@example.org", password="x")
    printed = run("seed_demo")
    [(username, password)] = re.findall(r"Admin site\s+\S+\s+user (\S+)\s+password (\S+)", printed)
    assert username == "demo-admin"
    assert User.objects.get(username="admin").email == "mine@example.org"
    login = APIClient().post(
        "/api/v2/auth/login",
        {"email": "admin@demo.example.org", "password": password},
        format="json",
    )
    assert login.status_code == 200, login.content


def test_create_institution_makes_an_admin_who_can_log_in():
    printed = json.loads(
        run(
            "create_institution",
            "--acronym",
            "UNI",
            "--name",
            "A University",
            "--admin-email",
            "head@uni.example.org",
        )
    )
    institution = Institution.objects.get(acronym="UNI")
    assert (printed["institution_id"], printed["name"]) == (institution.pk, "A University")
    member = InstitutionUser.objects.get(pk=printed["admin"]["id"])
    assert member.institution == institution
    assert (member.inst_admin, member.login_allowed) == (True, True)
    client = APIClient()
    login = client.post(
        "/api/v2/auth/login",
        {"email": "head@uni.example.org", "password": printed["admin"]["password"]},
        format="json",
    )
    assert login.status_code == 200, login.content
    client.credentials(HTTP_AUTHORIZATION=f"JWT {login.json()['token']['access_token']}")
    profile = client.get("/api/v2/auth/profile").json()
    assert "ADMIN" in profile["roles"] and profile["institution"]["id"] == institution.pk
    # The administrator manages the institution through the API from there.
    created = client.post(
        f"/api/v2/institution/{institution.pk}/vle/",
        {"name": "Moodle", "type": 0, "url": "https://moodle.uni.example.org"},
        format="json",
    )
    assert created.status_code == 201, created.content


def test_create_institution_refuses_duplicates_and_weak_passwords():
    args = ["create_institution", "--acronym", "UNI", "--name", "U", "--admin-email", "a@u.org"]
    run(*args)
    with pytest.raises(CommandError, match="exists already"):
        run(*args)
    with pytest.raises(CommandError, match="password"):
        run(
            "create_institution",
            "--acronym",
            "OTHER",
            "--name",
            "O",
            "--admin-email",
            "b@o.org",
            "--admin-password",
            "123",
        )
    assert not Institution.objects.filter(acronym="OTHER").exists()
