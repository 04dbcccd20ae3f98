"""Build now every report whose outbox job is still pending (after a crash or a failed build,
or to catch up without waiting for `jobs_resend`)."""

from django.core.management.base import BaseCommand

from reports.services.work import report_work_drain


class Command(BaseCommand):
    help = "Build every pending report (its outbox job), oldest first."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="Build at most this many reports.")

    def handle(self, *args, **options):
        built, failed = report_work_drain(limit=options["limit"])
        self.stdout.write(f"{built} reports built, {failed} failed")
