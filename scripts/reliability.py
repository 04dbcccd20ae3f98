"""`make reliability`: try the server as an attacker and an operator would, in under ten
minutes, and print what held (RELIABILITY.md explains each line).

1. A fresh PostgreSQL database on the local server, migrated, with one object of every kind
   and a token for every persona.
2. The server under gunicorn on a free port.
3. schemathesis against it, once per persona: its coverage phase (boundary and invalid values
   of every parameter and body field, missing and wrong-typed fields) and its fuzzing phase
   (random valid and invalid requests), with the persona's token and the seeded objects' ids
   as path parameters. What must hold: no 5xx.
4. The race probes (threads against PostgreSQL) and the fault probes (a private PostgreSQL
   stopped under the running server; bodies over the cap) from the test suite.

Usage: python scripts/reliability.py [--seconds-per-persona N]
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import live_server  # noqa: E402

BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432/{name}"

SEED = r"""
import json
from datetime import timedelta
from django.utils import timezone
from institution.models import InformedConsent, InstitutionUser, Learner, Instructor, User
from institution.models import Institution
from reports.models import Provider
from tesla import tokens
from vle.models import VLE, Activity, ActivityInstrument, Course, Instrument

Instrument.objects.update(enabled=True)
institution = Institution.objects.create(acronym="REL", name="Reliability")
consent = InformedConsent.objects.create(
    institution=institution, version="1.0.0", valid_from=timezone.now() - timedelta(days=1))
vle = VLE.objects.create(name="rel-vle", institution=institution)
vle.issue_credentials()
course = Course.objects.create(vle=vle, code="C", vle_course_id="c1")
activity = Activity.objects.create(vle=vle, course=course, vle_activity_type="quiz",
                                   vle_activity_id="1", enabled=True)
ActivityInstrument.objects.create(activity=activity, instrument_id=1, active=True)
provider = Provider.objects.create(instrument_id=1, name="p", acronym="p", queue="q",
                                   enabled=True)
provider.issue_credentials()

def person(name, staff=False, learner=False, instructor=False, **flags):
    user = User.objects.create_user(name, f"{name}@example.org", "pass-Word-1234",
                                    is_staff=staff)
    member = InstitutionUser.objects.create(user=user, institution=institution, uid=name,
                                            login_allowed=True, **flags)
    if learner:
        row = Learner.objects.create(institution_user=member, consent=consent,
                                     consent_accepted=timezone.now())
        course.learners.add(row)
    if instructor:
        course.instructors.add(Instructor.objects.create(institution_user=member))
    return user

people = {
    "global_admin": person("root", staff=True),
    "inst_admin": person("admin", inst_admin=True),
    "legal_admin": person("legal", legal_admin=True),
    "send_admin": person("send", send_admin=True),
    "data_admin": person("data", data_admin=True),
    "instructor": person("teacher", instructor=True),
    "learner": person("pupil", learner=True),
}

def token(kind, pk):
    return tokens.issue_pair(principal_type=kind, pk=pk, sub="r", refresh_minutes=60).access_token

personas = {name: token("admin" if user.is_staff else "user", user.pk)
            for name, user in people.items()}
personas["vle"] = token("vle", vle.pk)
personas["provider"] = token("provider", provider.pk)
personas["learner_token"] = token("learner", people["learner"].pk)
personas["anonymous"] = None
learner = people["learner"].institution_user.learner
ids = {
    "institution_pk": institution.pk, "vle_pk": vle.pk, "course_pk": course.pk,
    "activity_pk": activity.pk, "instrument_pk": 1, "instrument_id": 1,
    "provider_pk": provider.pk, "learner_pk": learner.pk, "user_pk": learner.pk,
    "learner_id": str(learner.learner_id), "ic_pk": consent.pk, "language": "en",
}
print(json.dumps({"personas": personas, "ids": ids}))
"""


def sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG.format(name="postgres"), autocommit=True) as connection:
        connection.execute(statement)


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def schemathesis(base: str, persona: str, token: str | None, ids: dict, seconds: int, out: Path):
    config = out / f"{persona}.toml"
    config.write_text(
        "[parameters]\n"
        + "".join(f'"path.{key}" = {json.dumps(value)}\n' for key, value in ids.items())
        # Anonymous means anonymous: no signing up through the API to get a token.
        + "\n[auth]\nauto-signup = false\n"
    )
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/api/schema/",
        "--url",
        base,
        "--phases",
        "coverage,fuzzing",
        "--mode",
        "all",
        "--checks",
        "not_a_server_error",
        "--max-time",
        str(seconds),
        "--workers",
        "1",  # the coverage phase parses Python source, not thread-safe on 3.11
        "--request-timeout",
        "30",
        "--no-color",
        "--warnings",
        "off",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(out / f"{persona}.ndjson"),
    ]
    if token:
        command += ["-H", f"Authorization: JWT {token}"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    (out / f"{persona}.log").write_text(result.stdout + result.stderr)
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    cases = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line == "Test cases:"]
    summary = [*cases, lines[-1].strip("= ") if lines else "(no output)"]
    return result.returncode, time.monotonic() - started, summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds-per-persona", type=int, default=20)
    args = parser.parse_args()
    name = f"tesla_rel_{secrets.token_hex(4)}"
    out = ROOT / "reliability-report"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    sql(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": PG.format(name=name),
        "DEBUG": "true",
        "LOG_LEVEL": "ERROR",  # every 4xx would be logged; what is logged goes to server.log
    }
    servers = contextlib.ExitStack()
    results = []
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        seeded = subprocess.run(
            [*manage, "shell", "-c", SEED],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        world = json.loads(seeded.stdout.strip().splitlines()[-1])
        server_log = servers.enter_context((out / "server.log").open("w"))
        port = servers.enter_context(live_server.gunicorn(env, output=server_log))
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health")
        for persona, token in world["personas"].items():
            code, elapsed, tail = schemathesis(
                base, persona, token, world["ids"], args.seconds_per_persona, out
            )
            results.append(
                (f"schemathesis as {persona}", code == 0, f"{elapsed:.0f}s", " / ".join(tail))
            )
            print(
                f"{'ok ' if code == 0 else 'FAIL'} schemathesis as {persona}: {' / '.join(tail)}",
                flush=True,
            )
    finally:
        servers.close()
        sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    probes = [
        (
            "races",
            [
                "tests/vle_tree/test_concurrency.py",
                "tests/tesla/test_no_lost_updates.py",
                "tests/tesla/test_throttling.py",
            ],
        ),
        (
            "faults",
            [
                "tests/tesla/test_database_outage.py",
                "tests/tesla/test_body_limits.py",
                "tests/tesla/test_token_grounds.py",
                "tests/tesla/test_launcher_powers.py",
                "tests/reports/test_evidence_deletion.py",
            ],
        ),
    ]
    for label, paths in probes:
        url = subprocess.run(
            [sys.executable, "scripts/pick_database.py"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *paths],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
        summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        results.append(
            (
                f"{label} probes",
                result.returncode == 0,
                f"{time.monotonic() - started:.0f}s",
                summary,
            )
        )
        print(
            f"{'ok ' if result.returncode == 0 else 'FAIL'} {label} probes: {summary}", flush=True
        )
    print("\n| what | held | time | details |\n| --- | --- | --- | --- |")
    for what, held, elapsed, details in results:
        print(f"| {what} | {'yes' if held else 'NO'} | {elapsed} | {details} |")
    print(f"\nschemathesis logs and events: {out}/")
    return 0 if all(held for _, held, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
