"""Item 4 of the security pass: credential endpoints are throttled per account and per client
address, over the shared cache, before any password is hashed."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "pass-Word-1234"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def login(email, password="wrong-password", address="10.0.0.1"):
    return APIClient().post(
        "/api/v2/auth/login", {"email": email, "password": password}, REMOTE_ADDR=address
    )


def approle(role_id, secret_id="wrong", address="10.0.0.1"):
    return APIClient().post(
        "/api/v2/auth/approle", {"role_id": role_id, "secret_id": secret_id}, REMOTE_ADDR=address
    )


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counted_hashing(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def test_an_account_is_refused_after_ten_failures_without_hashing(institution, counted_hashing):
    account = factories.user(institution, inst_admin=True)
    for attempt in range(10):
        # From ten addresses: the account's own count trips, not an address's.
        assert login(account.email, address=f"10.0.1.{attempt}").status_code == 401
    hashed = counted_hashing.calls

    refused = login(account.email, password=PASSWORD, address="10.0.2.1")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["detail"]
    assert counted_hashing.calls == hashed  # refused before any hash
    # Other accounts are not blocked.
    other = factories.user(institution, inst_admin=True)
    assert login(other.email, password=PASSWORD, address="10.0.2.1").status_code == 200


def test_an_address_is_refused_after_ten_failures(institution):
    for attempt in range(10):
        assert login(f"nobody{attempt}@example.org").status_code == 401
    account = factories.user(institution, inst_admin=True)
    assert login(account.email, password=PASSWORD).status_code == 429
    assert login(account.email, password=PASSWORD, address="10.9.9.9").status_code == 200


def test_successful_logins_do_not_count(global_admin):
    for _ in range(15):
        assert login(global_admin.email, password=PASSWORD).status_code == 200


def test_a_successful_approle_reads_the_counters_and_writes_nothing(vle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    credentials = vle.issue_credentials()
    assert approle(credentials["role_id"], address="10.5.0.1").status_code == 401
    with CaptureQueriesContext(connection) as queries:
        response = approle(credentials["role_id"], credentials["secret_id"], address="10.5.0.1")
    assert response.status_code == 200
    assert response.json()["vle"]["id"] == vle.pk
    # The two counters and the VLE with its institution: no write, no transaction.
    assert [query["sql"].split()[0] for query in queries] == ["SELECT"] * 3
    assert len(cache.get("throttle_approle-address_10.5.0.1")) == 1  # the refusal only


def test_forwarded_for_does_not_dodge_the_address_limit():
    for attempt in range(10):
        client = APIClient()
        body = {"email": f"x{attempt}@example.org", "password": "x"}
        client.post("/api/v2/auth/login", body, HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}")
    response = APIClient().post(
        "/api/v2/auth/login",
        {"email": "y@example.org", "password": "x"},
        HTTP_X_FORWARDED_FOR="9.9.9.9",
    )
    assert response.status_code == 429


def test_unknown_and_known_accounts_cost_the_same_hashing(institution, counted_hashing):
    account = factories.user(institution, inst_admin=True)
    counted_hashing.calls = 0
    assert login(account.email, address="10.1.0.1").status_code == 401
    known = counted_hashing.calls
    counted_hashing.calls = 0
    assert login("nobody@example.org", address="10.1.0.2").status_code == 401
    assert counted_hashing.calls == known == 1


def test_approle_is_throttled_per_role_id(vle, other_vle):
    credentials = vle.issue_credentials()
    others = other_vle.issue_credentials()
    for attempt in range(10):
        assert approle(credentials["role_id"], address=f"10.3.0.{attempt}").status_code == 401
    refused = approle(credentials["role_id"], credentials["secret_id"], address="10.3.1.1")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert approle(others["role_id"], others["secret_id"], address="10.3.1.1").status_code == 200


def test_counters_live_in_the_shared_database_cache(global_admin):
    from django.db import connection

    for _ in range(3):
        login(global_admin.email, address="10.4.0.1")
    assert len(cache.get("throttle_login-address_10.4.0.1")) == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tesla_cache")
        assert cursor.fetchone()[0] >= 2  # the address's and the account's counters


def test_with_redis_url_the_counters_live_in_redis(tmp_path):
    """Several app servers share one Redis: with REDIS_URL the cache (and so every throttle
    counter) is Django's Redis cache."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = (
        "from django.core.cache import caches; cache = caches['default']; "
        "cache.set('tesla-throttle-probe', [1.0, 2.0], 30); "
        "print(type(cache).__name__, cache.get('tesla-throttle-probe'))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **os.environ,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "RedisCache [1.0, 2.0]", result.stderr
