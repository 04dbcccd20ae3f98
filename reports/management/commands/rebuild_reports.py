"""Rebuild learners' activity reports (and the histograms behind them) from stored results."""

import sys

from django.core.management.base import BaseCommand

from reports.services.rebuild import reports_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Rebuild activity reports from verification data: all, or those of an institution, "
        "a course, an activity and/or one user (learner)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--institution-id", type=int)
        parser.add_argument("--course-id", type=int)
        parser.add_argument("--activity-id", type=int)
        parser.add_argument("--user-id", type=int, help="Only this learner's reports.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        show = not options["no_progress"]
        err = self.stderr

        def progress(done: int, total: int) -> None:
            if not show or not total:
                return
            filled = BAR_WIDTH * done // total
            err.write(
                f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} reports",
                ending="",
            )
            if done == total:
                err.write("")
            sys.stderr.flush()

        built, errors = reports_rebuild(
            institution_id=options["institution_id"],
            course_id=options["course_id"],
            activity_id=options["activity_id"],
            user_id=options["user_id"],
            progress=progress,
        )
        for learner_id, activity_id, error in errors:
            err.write(f"learner {learner_id}, activity {activity_id}: {error}")
        if errors:
            self.stdout.write(f"{built} reports generated with {len(errors)} errors")
        else:
            self.stdout.write(f"{built} reports generated")
