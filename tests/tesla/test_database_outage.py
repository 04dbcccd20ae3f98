"""Item 6 of the security pass: while PostgreSQL is down the server answers 503 JSON with
Retry-After (and /health 503), and it recovers within 5 s of the database returning.

The test runs its own PostgreSQL (initdb in a temporary folder, a free port) and the server
under gunicorn, so stopping the database never touches the shared server."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scripts import live_server

ROOT = Path(__file__).resolve().parents[2]
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = pytest.mark.skipif(not BINARIES, reason="needs PostgreSQL's initdb")


def as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self):
        self.bin = Path(BINARIES[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="tesla-outage-"))
        self.data = self.folder / "data"
        self.port = live_server.free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            as_postgres(
                [
                    str(self.bin / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.folder / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self):
        subprocess.run(
            as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )


def call(port, path, body=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"JWT {token}"} if token else {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        answer = error.code, dict(error.headers), error.read()
    return (*answer, time.monotonic() - started)


@pytest.fixture
def server_on_private_postgres():
    database = PrivatePostgres()
    database.start()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DEBUG": "true",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "REPORTS_BUILD_ON_COMMIT": "false",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--no-input"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    created = subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from institution.models import User; from tesla import tokens; "
            "u = User.objects.create_user('root', 'root@example.org', 'x', is_staff=True); "
            "print(tokens.issue_pair(principal_type='admin', pk=u.pk, sub='root', "
            "refresh_minutes=60).access_token)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    try:
        with live_server.gunicorn(env) as port:
            deadline = time.monotonic() + 60
            while call(port, "/health")[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.3)
            yield database, port, token
    finally:
        database.stop()
        shutil.rmtree(database.folder, ignore_errors=True)


def test_an_outage_is_answered_with_503_and_recovered_from(server_on_private_postgres):
    database, port, token = server_on_private_postgres
    login = {"email": "root@example.org", "password": "wrong"}
    assert call(port, "/health")[0] == 200
    assert call(port, "/api/v2/admin/institution/", token=token)[0] == 200
    assert call(port, "/api/v2/auth/login", login)[0] == 401

    database.stop()

    for path, body, bearer in (
        ("/health", None, None),
        ("/api/v2/admin/institution/", None, token),
        ("/api/v2/auth/login", login, None),
        ("/api/v2/auth/approle", {"role_id": "r", "secret_id": "s"}, None),
        ("/api/v2/auth/profile", None, token),
    ):
        for _ in range(2):  # once with the broken kept-alive connection, once reconnecting
            status, headers, content, elapsed = call(port, path, body, bearer)
            assert status == 503, (path, status, content[:200])
            assert headers["Content-Type"] == "application/json"
            assert int(headers["Retry-After"]) >= 1
            assert elapsed < 10, (path, elapsed)

    database.start()
    back_at = time.monotonic()
    while call(port, "/api/v2/admin/institution/", token=token)[0] != 200:
        assert time.monotonic() - back_at < 5, "not recovered within 5 s"
        time.sleep(0.2)
    assert call(port, "/health")[0] == 200
    assert call(port, "/api/v2/auth/login", login)[0] == 401
