"""`python -m benchmarks.rebuild [--learners N] [--requests M]`: time a full report rebuild.

Creates a throwaway database (`test_<name>` of DATABASE_URL, dropped at the end), seeds one
activity watched by face recognition with N learners x M processed requests each, runs
`manage.py rebuild_reports --activity-id` on it and prints the wall time, the time per
report, and the queries one learner's build costs (which must not depend on N)."""

import argparse
import os
import random
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rebuild", description=__doc__)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")
    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.seed import seed_activity
    from reports.models import ReportActivity, ReportActivityInstrument
    from reports.services.building import report_activity_build

    random.seed(args.seed)
    started = time.perf_counter()
    activity, learners = seed_activity(learners=args.learners, requests=args.requests)
    seeded = time.perf_counter() - started
    print(
        f"seeded {args.learners} learners x {args.requests} requests "
        f"({args.learners * args.requests} requests) in {seeded:.1f} s",
        flush=True,
    )

    started = time.perf_counter()
    call_command("rebuild_reports", activity_id=activity.pk)
    elapsed = time.perf_counter() - started

    reports = ReportActivity.objects.filter(activity=activity).count()
    rows = ReportActivityInstrument.objects.filter(report__activity=activity).count()
    with CaptureQueriesContext(connection) as queries:
        report_activity_build(learner=learners[0], activity=activity)
    print(
        f"rebuild_reports: {reports} reports ({rows} instrument rows) from "
        f"{args.learners * args.requests} requests in {elapsed:.2f} s "
        f"= {1000 * elapsed / max(reports, 1):.2f} ms per report; "
        f"one learner's build: {len(queries)} queries",
        flush=True,
    )
    return 0 if reports == args.learners else 1


if __name__ == "__main__":
    sys.exit(main())
