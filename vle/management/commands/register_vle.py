"""Register a VLE of an institution and print its credentials as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from institution.models import Institution
from vle.models import VLE
from vle.services.vles import vle_create


class Command(BaseCommand):
    help = "Register a VLE and print {vle_id, institution_id, name, url, role_id, secret_id}."

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, help="Institution id or acronym.")
        parser.add_argument("--name", required=True, help="VLE name (unique).")
        parser.add_argument("--url", default=None, help="Base URL of the VLE, e.g. Moodle's.")

    def handle(self, *args, institution, name, url, **options):
        lookup = {"pk": int(institution)} if institution.isdigit() else {"acronym": institution}
        target = Institution.objects.filter(**lookup).first()
        if target is None:
            raise CommandError(f"No institution {institution!r}.")
        if VLE.objects.filter(name=name).exists():
            raise CommandError(f"A VLE named {name!r} already exists.")
        try:
            with transaction.atomic():
                vle, credentials = vle_create(institution=target, name=name, url=url)
        except (IntegrityError, ValidationError) as exc:
            raise CommandError(f"Could not register the VLE: {exc}") from exc
        self.stdout.write(
            json.dumps(
                {
                    "vle_id": vle.pk,
                    "institution_id": target.pk,
                    "name": vle.name,
                    "url": vle.url,
                    **credentials,
                },
                indent=2,
            )
        )
