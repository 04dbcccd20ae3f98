"""Build the reports whose verification data changed and that are not built yet (after a
crash, a failed build, or with REPORTS_BUILD_ON_COMMIT switched off)."""

from django.core.management.base import BaseCommand

from reports.services.work import report_work_drain


class Command(BaseCommand):
    help = "Build every queued report (pending report work), oldest first."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="Build at most this many reports.")

    def handle(self, *args, **options):
        built, failed = report_work_drain(limit=options["limit"])
        self.stdout.write(f"{built} reports built, {failed} failed")
