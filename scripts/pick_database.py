"""Print the DATABASE_URL the test suite should use, and say why on stderr.

DATABASE_URL if set; else PostgreSQL on 127.0.0.1:5432 (user postgres) if it answers; else the
embedded SQLite database. With CI=true, PostgreSQL is required: exit 1 when it is missing.

The PostgreSQL database name is new for every run (`tesla_<random>`), so pytest-django's
`test_tesla_<random>` never collides with another run, benchmark or checkout on the machine.
"""

import os
import secrets
import socket
import sys

PG_URL = "postgres://postgres@127.0.0.1:5432/tesla_{run}"


def postgres_answers(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    url = os.environ.get("DATABASE_URL")
    if url:
        print(f"database: DATABASE_URL ({url.split('://')[0]})", file=sys.stderr)
    elif postgres_answers():
        url = PG_URL.format(run=secrets.token_hex(4))
        print("database: PostgreSQL on 127.0.0.1:5432", file=sys.stderr)
    elif ci:
        print("database: CI=true needs PostgreSQL on 127.0.0.1:5432, none answers", file=sys.stderr)
        return 1
    else:
        url = ""
        print(
            "database: embedded SQLite (no PostgreSQL answered on 127.0.0.1:5432)", file=sys.stderr
        )
    if ci and not url.startswith(("postgres://", "postgresql://")):
        print("database: CI=true requires PostgreSQL", file=sys.stderr)
        return 1
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
