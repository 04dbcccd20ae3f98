"""`manage.py seed_demo`: the demo institution, its providers with working credentials, and
an `admin` user that already exists."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from institution.models import Institution, User
from reports.management.commands import seed_demo
from reports.models import Provider
from tests import factories
from vle.models import Instrument

pytestmark = pytest.mark.django_db

PROVIDER_LINE = re.compile(r"(demo_\w+)\s+id (\d+)\s+queue (\S+)\s+role_id (\S+)\s+secret_id (\S+)")


@pytest.fixture(autouse=True)
def credentials_file(tmp_path, monkeypatch):
    path = tmp_path / "demo-credentials.json"
    monkeypatch.setattr(seed_demo, "CREDENTIALS_FILE", path)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def approle(role_id, secret_id):
    return factories.client_for().post(
        "/api/v2/auth/approle", {"role_id": role_id, "secret_id": secret_id}, format="json"
    )


def test_demo_providers_are_created_and_their_printed_credentials_log_in(credentials_file):
    output = run()
    printed = {match[0]: match for match in PROVIDER_LINE.findall(output)}
    acronyms = {
        f"demo_{acronym}" for acronym in Instrument.objects.values_list("acronym", flat=True)
    }
    assert set(printed) == acronyms
    for acronym, provider_id, queue, role_id, secret_id in printed.values():
        provider = Provider.objects.get(acronym=acronym)
        assert (str(provider.pk), provider.queue, provider.enabled) == (provider_id, queue, True)
        answer = approle(role_id, secret_id)
        assert answer.status_code == 200
        assert (answer.json()["provider_id"], answer.json()["provider_queue"]) == (
            provider.pk,
            queue,
        )
    stored = json.loads(credentials_file.read_text())
    assert set(stored["providers"]) == acronyms

    # Run again: nothing new, the same credentials printed from the record.
    again = run("--if-empty")
    assert Provider.objects.count() == len(acronyms)
    assert {match[0]: match for match in PROVIDER_LINE.findall(again)} == printed


def test_an_existing_admin_user_is_kept(credentials_file):
    existing = User.objects.create_superuser(
        username="admin", email="root@example.org", password="mine-1234"
    )
    output = run()
    assert "user demo-admin" in output
    existing.refresh_from_db()
    assert existing.check_password("mine-1234")
    assert User.objects.filter(username="admin").count() == 1
    assert Institution.objects.filter(acronym="DEMO").exists()
    assert PROVIDER_LINE.search(output)


def test_missing_demo_providers_are_added_to_an_existing_demo(credentials_file):
    run()
    Provider.objects.filter(acronym="demo_ks").delete()
    output = run()
    assert "exists already" in output
    added = Provider.objects.get(acronym="demo_ks")
    line = next(m for m in PROVIDER_LINE.findall(output) if m[0] == "demo_ks")
    assert line[1] == str(added.pk)
    assert approle(line[3], line[4]).status_code == 200


def test_someone_elses_database_gets_no_demo_rows():
    factories.institution()
    output = run("--if-empty")
    assert not Provider.objects.exists()
    assert "No demo logins on record" in output
