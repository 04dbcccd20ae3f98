"""`make bench` / `python -m benchmarks`: the benchmark of record.

1. The load benchmark (benchmarks/load.py): the server beside P and N under gunicorn on a
   seeded PostgreSQL database, every endpoint the plugins and the dashboard hit.
2. The report-rebuild figure (benchmarks/rebuild.py), in its own process and throwaway
   database.

Both are printed and written to BENCHMARKS.md. `--scale 0.02 --seconds 2 --rounds 2` is a quick
run; the defaults are the sizes of record (they take a while to seed and to measure)."""

import argparse
import os
import subprocess
import sys

from benchmarks import load


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="data set size (1.0 = issue's)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint, server, round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database", default="tesla_bench", help="kept for reuse unless --drop")
    parser.add_argument("--fresh", action="store_true", help="drop and reseed the database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--learners", type=int, default=2000, help="report rebuild: learners")
    parser.add_argument("--requests", type=int, default=50, help="report rebuild: requests each")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args(argv)

    status = 0
    base_env = dict(os.environ)
    if not args.skip_load:
        status |= load.run(args)
    if not args.skip_rebuild:
        rebuild = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.rebuild",
                "--learners",
                str(args.learners),
                "--requests",
                str(args.requests),
            ],
            env=base_env,
            capture_output=True,
            text=True,
        )
        sys.stdout.write(rebuild.stdout)
        sys.stderr.write(rebuild.stderr)
        status |= rebuild.returncode
        section = "\n## Report rebuild\n\n```\n" + rebuild.stdout.strip() + "\n```\n"
        path = load.ROOT / "BENCHMARKS.md"
        existing = path.read_text() if path.exists() and not args.skip_load else "# Benchmarks\n"
        path.write_text(existing + section)
    return status


if __name__ == "__main__":
    sys.exit(main())
