"""Item 9 (no production start with the public key) and the documented production settings
pass `manage.py check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The production settings the README and docker-compose.yml document.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "an-example-key-of-fifty-plus-random-chars-0123456789",
    "ALLOWED_HOSTS": "tesla.example.org",
    "DATABASE_URL": "sqlite:////tmp/tesla-deploy-check.sqlite3",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "openssl rand -hex 32" in result.stderr


@pytest.mark.parametrize(
    "extra",
    [{}, {"SECURE_SSL_REDIRECT": "false", "NUM_PROXIES": "1"}],
    ids=["plain", "docker-compose"],
)
def test_check_deploy_is_clean_for_the_documented_production_settings(extra):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, **extra})
    assert result.returncode == 0, result.stdout + result.stderr
