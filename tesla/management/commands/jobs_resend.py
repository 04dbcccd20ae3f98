"""Publish every outbox job whose retry time has come (what the beat task does every 30 s)."""

from django.core.management.base import BaseCommand

from tesla.jobs import jobs_resend


class Command(BaseCommand):
    help = "Publish again every pending background job that is due (the outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many jobs.")

    def handle(self, *args, limit: int, **options):
        published = jobs_resend(limit=limit)
        self.stdout.write(f"Published {published} job(s).")
