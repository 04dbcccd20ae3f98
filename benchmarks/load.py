"""The load benchmark: the server beside P (benchmarks/p_app.py) and N (benchmarks/naive_urls.py),
under gunicorn with identical settings, on one seeded PostgreSQL database, in the same run.

Steps: create (or reuse) the database `--database`, migrate, seed it (benchmarks/dataset.py) at
`--scale`; start the three servers on free loopback ports; check that P answers every request
with the server's exact bytes; count each endpoint's queries in-process; then load each
endpoint from a separate client process (benchmarks/client.py) in interleaved rounds (every
round visits every endpoint on every server, in a rotating order, so drift on a shared machine
hits all three alike), and finally hold the plugin lookups at half the server's capacity to
read p99 and errors. Prints the table and writes it to BENCHMARKS.md.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks import rows

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Endpoint:
    name: str
    group: str  # "plugin" or "list"
    requests: list[dict]
    servers: tuple[str, ...] = ("ours", "P", "N")
    # What of P's answer must equal the server's: every byte (None), or what this makes of
    # (answer, the server's port) where answers differ by nature (new ids, keys, tokens).
    same: Callable[[bytes, int], Any] | None = None


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    rss_start_kb: int = 0
    samples: dict = field(default_factory=dict)


# Database ------------------------------------------------------------------------------------


def database_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def prepare_database(url: str, scale: float, fresh: bool) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = database_url(url, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS bench_meta (scale double precision)")
        seeded = connection.execute("SELECT scale FROM bench_meta").fetchone()
    env = {**os.environ, "DATABASE_URL": url}
    migrate = [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"]
    if seeded and seeded[0] == scale:
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        print(f"database {name}: reusing the data set seeded at scale {scale}", flush=True)
        return
    if seeded:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE TABLE bench_meta (scale double precision)")
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    from benchmarks.dataset import plan, seed

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=False) as connection:
        seed(connection, plan(scale))
        connection.commit()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")
        connection.execute("INSERT INTO bench_meta VALUES (%s)", (scale,))
    print(f"seeded scale {scale} in {time.perf_counter() - started:.1f} s", flush=True)


# Servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(name: str, app: str, env: dict, workers: int) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return Server(name=name, port=port, process=process)


def wait_until_serving(server: Server, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not start")


def workers_of(server: Server) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == server.process.pid:
                children.append(int(entry.name))
    return children


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE // 1024
        except OSError:
            continue
    return total


def stop(server: Server) -> None:
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.process.pid, signal.SIGKILL)


# Requests ------------------------------------------------------------------------------------


def fetch(port: int, spec: dict, headers: dict | None = None) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    body = json.dumps(spec["body"]).encode() if spec.get("body") is not None else None
    connection.request(
        spec["method"],
        spec["path"],
        body=body,
        headers={"Content-Type": "application/json", **spec["headers"]},
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if headers is not None:
        headers.update(response.getheaders())
    return response.status, data


def drive(port: int, requests: list[dict], seconds: float, concurrency: int, rate=None) -> dict:
    job = {
        "port": port,
        "requests": requests,
        "seconds": seconds,
        "concurrency": concurrency,
        "rate": rate,
    }
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.client"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(result.stdout)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# The plan of requests ------------------------------------------------------------------------


def build_endpoints(scale: float) -> tuple[list[Endpoint], dict]:
    """Tokens, credentials and request lists for every endpoint (runs inside Django)."""
    import random

    from benchmarks.dataset import plan
    from tesla import tokens
    from vle.models import VLE

    random.seed(11)
    tenants = plan(scale)
    large, small = tenants[0], tenants[1]

    def token(kind: str, pk: int) -> dict:
        pair = tokens.issue_pair(principal_type=kind, pk=pk, sub=str(pk), refresh_minutes=600)
        return {"Authorization": f"JWT {pair.access_token}", "Host": HOST}

    # Credentials first: issuing them rotates the VLE's secret, which ends older tokens.
    credentials = VLE.objects.get(pk=large.vle_id).issue_credentials()
    vle_headers = token("vle", large.vle_id)
    large_admin = token("user", large.admin_user)
    small_admin = token("user", small.admin_user)

    def get(path: str, headers: dict) -> dict:
        return {"method": "GET", "path": path, "headers": headers, "body": None}

    courses = random.sample(range(large.first_course, large.first_course + large.courses), 50)
    activities = random.sample(
        range(large.first_activity, large.first_activity + large.activities), 50
    )
    learners = random.sample(range(large.first_user, large.first_user + large.learners), 50)
    v = f"/api/v2/vle/{large.vle_id}"

    def course_of(activity: int) -> int:
        return large.first_course + (activity - large.first_activity) % large.courses

    def course_of_learner(user: int) -> int:
        return large.first_course + (user - large.first_user) % large.courses

    deep = min(int(40_000 * scale) // 10 * 10, large.learners - 10)
    learner_list = f"/api/v2/institution/{large.institution_id}/learner/"
    endpoints = [
        Endpoint(
            "approle",
            "plugin",
            [
                {
                    "method": "POST",
                    "path": "/api/v2/auth/approle",
                    "headers": {"Host": HOST},
                    "body": credentials,
                }
            ],
            servers=("ours",),
        ),
        Endpoint(
            "course by vle_course_id",
            "plugin",
            [get(f"{v}/course/?vle_course_id={c}", vle_headers) for c in courses],
        ),
        Endpoint(
            "activity by type + id",
            "plugin",
            [
                get(
                    f"{v}/course/{course_of(a)}/activity/?vle_activity_type=quiz"
                    f"&vle_activity_id={a}",
                    vle_headers,
                )
                for a in activities
            ],
        ),
        Endpoint(
            "enrol (POST course learner)",
            "plugin",
            [
                {
                    "method": "POST",
                    "path": f"{v}/course/{course_of_learner(u)}/learner/",
                    "headers": vle_headers,
                    "body": {"uid": f"u{u}"},
                    "status": 201,
                }
                for u in learners
            ],
            servers=("ours", "P"),
        ),
        Endpoint(
            "assessment create",
            "plugin",
            [
                {
                    "method": "POST",
                    "path": f"{v}/assessment/",
                    "headers": vle_headers,
                    "body": {
                        "vle_activity_type": "quiz",
                        "vle_activity_id": str(a),
                        "vle_learner_uid": f"u{u}",
                    },
                }
                for a, u in zip(activities, learners, strict=True)
            ],
            servers=("ours", "P"),
            same=session_shape,
        ),
        Endpoint(
            "learners, large tenant, page 1",
            "list",
            [get(f"{learner_list}?limit=10", large_admin)],
        ),
        Endpoint(
            "learners, small tenant, page 1",
            "list",
            [get(f"/api/v2/institution/{small.institution_id}/learner/?limit=10", small_admin)],
        ),
        Endpoint(
            f"learners, large tenant, offset {deep}",
            "list",
            [get(f"{learner_list}?limit=10&offset={deep}", large_admin)],
        ),
        Endpoint(
            "activity reports",
            "list",
            [
                get(
                    f"/api/v2/institution/{large.institution_id}/course/{course_of(a)}"
                    f"/activity/{a}/report/?limit=10",
                    large_admin,
                )
                for a in activities
            ],
        ),
    ]
    return endpoints, {"tenants": tenants}


# What differs between two sessions opened alike: their ids, keys, times and token ids.
SESSION_MASKED = ("id", "session", "session_id", "connector", "data", "started_at")
CLAIMS_MASKED = ("sid", "jti", "iat", "exp", "_f", "session_id")


def session_shape(answer: bytes, port: int) -> dict:
    """An assessment session as the plugins see it, its answer and the plugin configuration
    stored with it (read from the server's data.json), with what differs from one session to
    the next masked and each token replaced by its claims (the signature verified)."""
    body = json.loads(answer)
    path = urlsplit(body["data"]["data"]).path
    status, config = fetch(port, {"method": "GET", "path": path, "headers": {}, "body": None})
    shape = {"answer": body, "config_status": status, "config": json.loads(config)}
    for tree in (shape["answer"], shape["config"]):
        tree["token"] = {name: _claims(token) for name, token in tree["token"].items()}
        tree.update({name: "*" for name in SESSION_MASKED if name in tree})
    shape["answer"]["data"] = {name: "*" for name in body["data"]}
    shape["config"]["launcher"] = {name: "*" for name in shape["config"]["launcher"]}
    return shape


def _claims(token: str) -> dict:
    import jwt

    claims = jwt.decode(token, os.environ["JWT_SIGNING_KEY"], algorithms=["HS256"])
    return {name: value for name, value in claims.items() if name not in CLAIMS_MASKED}


def count_queries(endpoints: list[Endpoint]) -> dict:
    """Queries per request of ours and N, counted in this process on the same database."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from benchmarks import naive_settings

    counts = {}
    variants = {
        "ours": {},
        "N": {
            "ROOT_URLCONF": naive_settings.ROOT_URLCONF,
            "REST_FRAMEWORK": naive_settings.REST_FRAMEWORK,
        },
    }
    for server, overrides in variants.items():
        with override_settings(ALLOWED_HOSTS=["*"], **overrides):
            client = Client(HTTP_HOST=HOST)
            for endpoint in endpoints:
                if server not in endpoint.servers:
                    continue
                spec = endpoint.requests[0]
                headers = {k: v for k, v in spec["headers"].items() if k != "Host"}
                with CaptureQueriesContext(connection) as queries:
                    if spec["method"] == "GET":
                        client.get(spec["path"], headers=headers)
                    else:
                        client.post(
                            spec["path"],
                            data=json.dumps(spec["body"]),
                            content_type="application/json",
                            headers=headers,
                        )
                counts[(endpoint.name, server)] = len(queries)
    return counts


# The run -------------------------------------------------------------------------------------


def run(args) -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("the load benchmark needs PostgreSQL (DATABASE_URL)", file=sys.stderr)
        return 1
    url = database_url(base_url, args.database)
    prepare_database(url, args.scale, args.fresh)

    signing_key = secrets.token_hex(32)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": signing_key,
        "JWT_SIGNING_KEY": signing_key,
        "JWT_ACCESS_MINUTES": "600",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
        "REPORTS_BUILD_ON_COMMIT": "false",
        "DJANGO_SETTINGS_MODULE": "tesla.settings",
        "STATIC_ROOT": str(ROOT / "staticfiles"),
        # The URLs an assessment session's plugin configuration names (P writes them too).
        "PUBLIC_API_URL": f"http://{HOST}",
        "DASHBOARD_URL": f"http://{HOST}",
        "WEB_PLUGIN_URL": f"http://{HOST}/web-plugin/",
    }
    (ROOT / "staticfiles").mkdir(exist_ok=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "JWT_SIGNING_KEY", "SECRET_KEY")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")
    import django

    django.setup()
    endpoints, _ = build_endpoints(args.scale)
    queries = count_queries(endpoints)

    servers = {
        "ours": start_server("ours", "tesla.wsgi:application", env, args.workers),
        "P": start_server("P", "benchmarks.p_app:application", env, args.workers),
        "N": start_server(
            "N",
            "tesla.wsgi:application",
            {**env, "DJANGO_SETTINGS_MODULE": "benchmarks.naive_settings"},
            args.workers,
        ),
    }
    try:
        for server in servers.values():
            wait_until_serving(server)
        # Warm every worker (imports, connections) before anything is measured.
        for endpoint in endpoints:
            for name in endpoint.servers:
                drive(servers[name].port, endpoint.requests, 1.0, args.workers * 2)
        mismatches = check_identical(endpoints, servers, queries)
        for server in servers.values():
            server.rss_start_kb = rss_kb(workers_of(server))
        results = measure(endpoints, servers, args)
        half = half_capacity(endpoints, servers, results, args)
        for server in servers.values():
            server.samples["rss_end_kb"] = rss_kb(workers_of(server))
    finally:
        for server in servers.values():
            stop(server)
    per_row = rows.measure_apart(env, institution_id=1, vle_id=1)
    report = render(endpoints, servers, results, half, queries, mismatches, args, per_row)
    print(report)
    (ROOT / "BENCHMARKS.md").write_text(report)
    if args.drop:
        import psycopg

        with psycopg.connect(database_url(url, "postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
    return 1 if mismatches else 0


def check_identical(endpoints: list[Endpoint], servers: dict, queries: dict) -> list[str]:
    """Every request P serves must answer the server's exact bytes. Records P's queries per
    request, which it reports in a header."""
    mismatches = []
    for endpoint in endpoints:
        if "P" not in endpoint.servers:
            continue
        for spec in endpoint.requests[:10]:
            ours = fetch(servers["ours"].port, spec)
            headers: dict = {}
            theirs = fetch(servers["P"].port, spec, headers)
            queries.setdefault((endpoint.name, "P"), int(headers.get("X-Queries", 0)))
            if endpoint.same is not None and ours[0] < 300 and theirs[0] < 300:
                port = servers["ours"].port
                ours = (ours[0], endpoint.same(ours[1], port))
                theirs = (theirs[0], endpoint.same(theirs[1], port))
            if ours != theirs:
                mismatches.append(f"{endpoint.name}: {spec['path']}")
                print(
                    f"P differs on {spec['path']}:\n ours {ours[1]!r:.1200}\n P    "
                    f"{theirs[1]!r:.1200}",
                    flush=True,
                )
                break
    return mismatches


def measure(endpoints: list[Endpoint], servers: dict, args) -> dict:
    """Closed-loop rounds: capacity, latency and worker CPU per request."""
    results: dict = {}
    order = list(servers)
    for round_number in range(args.rounds):
        rotation = order[round_number % len(order) :] + order[: round_number % len(order)]
        for endpoint in endpoints:
            for name in rotation:
                if name not in endpoint.servers:
                    continue
                server = servers[name]
                pids = workers_of(server)
                cpu_before = cpu_seconds(pids)
                outcome = drive(server.port, endpoint.requests, args.seconds, args.concurrency)
                cpu = cpu_seconds(pids) - cpu_before
                entry = results.setdefault(
                    (endpoint.name, name),
                    {"done": 0, "errors": 0, "elapsed": 0.0, "cpu": 0.0, "latencies": []},
                )
                entry["done"] += outcome["done"]
                entry["errors"] += outcome["errors"]
                entry["elapsed"] += outcome["elapsed"]
                entry["cpu"] += cpu
                entry["latencies"] += outcome["latencies_ms"]
        print(f"round {round_number + 1}/{args.rounds} done", flush=True)
    return results


def half_capacity(endpoints, servers, results, args) -> dict:
    """The plugin lookups at half the server's measured capacity (open loop)."""
    half = {}
    for endpoint in endpoints:
        if endpoint.group != "plugin":
            continue
        entry = results[(endpoint.name, "ours")]
        capacity = entry["done"] / entry["elapsed"] if entry["elapsed"] else 0
        rate = capacity / 2
        if rate <= 0:
            continue
        outcome = drive(
            servers["ours"].port, endpoint.requests, args.seconds, args.concurrency * 4, rate=rate
        )
        half[endpoint.name] = {
            "rate": rate,
            "done": outcome["done"],
            "errors": outcome["errors"],
            "p50": percentile(outcome["latencies_ms"], 0.50),
            "p99": percentile(outcome["latencies_ms"], 0.99),
        }
    return half


def render(endpoints, servers, results, half, queries, mismatches, args, per_row) -> str:
    load = os.getloadavg()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks`); do not edit by hand.",
        "",
        f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, scale {args.scale} "
        f"(1.0 = 500,000 learners, 50,000 courses, 200,000 activities and 1,000,000 reports in "
        f"one institution, plus 50 small institutions), gunicorn with {args.workers} sync "
        f"workers per server, {args.rounds} interleaved rounds of {args.seconds:g} s per "
        f"endpoint and server, {args.concurrency} client connections (closed loop). "
        f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} at the end (shared with other work: compare ratios, which are measured "
        "side by side, rather than absolute figures).",
        "",
        "ours = this server; P = bare WSGI app, same SQL through psycopg, byte-identical JSON "
        "(checked before measuring: "
        + ("**mismatches: " + ", ".join(mismatches) + "**" if mismatches else "identical")
        + "); N = naive DRF ModelViewSet. Ratios are req/s of ours over the other.",
        "",
        "| endpoint | server | req/s | p50 ms | p99 ms | CPU ms/req | queries/req | errors "
        "| ours/P | ours/N |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def rate(key):
        entry = results.get(key)
        return entry["done"] / entry["elapsed"] if entry and entry["elapsed"] else None

    for endpoint in endpoints:
        ours_rate = rate((endpoint.name, "ours"))
        for name in ("ours", "P", "N"):
            entry = results.get((endpoint.name, name))
            if entry is None:
                continue
            throughput = rate((endpoint.name, name))
            cpu_ms = 1000 * entry["cpu"] / entry["done"] if entry["done"] else float("nan")
            count = queries.get((endpoint.name, name))
            ratio_p = ratio_n = ""
            if name == "ours":
                p_rate, n_rate = rate((endpoint.name, "P")), rate((endpoint.name, "N"))
                ratio_p = f"{ours_rate / p_rate:.2f}" if p_rate else "n/a"
                ratio_n = f"{ours_rate / n_rate:.2f}" if n_rate else "n/a"
            lines.append(
                f"| {endpoint.name} | {name} | {throughput:.0f} | "
                f"{percentile(entry['latencies'], 0.5):.1f} | "
                f"{percentile(entry['latencies'], 0.99):.1f} | {cpu_ms:.2f} | "
                f"{count if count is not None else ''} | "
                f"{entry['errors']} | {ratio_p} | {ratio_n} |"
            )
    lines += [
        "",
        "Queries per request: ours and N counted in-process on the same database (BEGIN and "
        "COMMIT included where a request opens a transaction: only writes do), P as it "
        "reports them (first request of the list).",
        "",
        "## Plugin lookups at half capacity (ours, open loop)",
        "",
        "| endpoint | rate req/s | requests | errors | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, entry in half.items():
        lines.append(
            f"| {name} | {entry['rate']:.0f} | {entry['done']} | {entry['errors']} | "
            f"{entry['p50']:.1f} | {entry['p99']:.1f} |"
        )
    lines += [
        "",
        "## Worker memory (RSS of all workers of a server)",
        "",
        "| server | after warm-up MB | at the end MB |",
        "| --- | ---: | ---: |",
    ]
    for server in servers.values():
        lines.append(
            f"| {server.name} | {server.rss_start_kb / 1024:.0f} | "
            f"{server.samples.get('rss_end_kb', 0) / 1024:.0f} |"
        )
    lines += [
        "",
        "## Serializer cost per row (ours, in a process of its own, CPU, best of "
        f"{rows.REPEAT} over {rows.ROWS} rows)",
        "",
        "| rows | us per row |",
        "| --- | ---: |",
        *(f"| {name} | {value:.1f} |" for name, value in per_row.items()),
    ]
    first = rate(("learners, large tenant, page 1", "ours"))
    small = rate(("learners, small tenant, page 1", "ours"))
    deep_name = next(e.name for e in endpoints if e.name.startswith("learners, large tenant, off"))
    deep = rate((deep_name, "ours"))
    if first and small and deep:
        lines += [
            "",
            "## Lists",
            "",
            f"- Large tenant's first learner page vs a small tenant's: {small / first:.2f}x "
            "the time per request (target <= 2).",
            f"- Deep learner page vs the first page: {first / deep:.2f}x (target <= 2).",
        ]
    return "\n".join(lines) + "\n"
