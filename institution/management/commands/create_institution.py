"""Create an institution and its first administrator, and print how they log in.

The first step of a real deployment, after `migrate` (and `createsuperuser` for a global
admin): the institution administrator created here logs in to the API and the dashboard with
the printed e-mail and password, and manages everything else of the institution from there."""

import json
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from institution.models import Institution
from institution.services.people import institution_user_create


class Command(BaseCommand):
    help = (
        "Create an institution and its first administrator (all admin roles, login allowed) "
        "and print {institution_id, acronym, name, admin: {id, username, email, password}}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--acronym", required=True, help="Short unique name, e.g. UOC.")
        parser.add_argument("--name", required=True, help="Full name of the institution.")
        parser.add_argument("--admin-email", required=True, help="The administrator's e-mail.")
        parser.add_argument(
            "--admin-password",
            default=None,
            help="The administrator's password (default: a new random one, printed).",
        )
        parser.add_argument("--admin-first-name", default="", help="Given name.")
        parser.add_argument("--admin-last-name", default="", help="Family name.")

    def handle(self, *args, acronym, name, admin_email, admin_password, **options):
        if Institution.objects.filter(acronym=acronym).exists():
            raise CommandError(f"An institution {acronym!r} exists already.")
        password = admin_password or secrets.token_urlsafe(12)
        try:
            with transaction.atomic():
                institution = Institution.objects.create(acronym=acronym, name=name)
                admin = institution_user_create(
                    institution=institution,
                    username=admin_email,
                    uid=admin_email,
                    email=admin_email,
                    first_name=options["admin_first_name"],
                    last_name=options["admin_last_name"],
                    password=password,
                    login_allowed=True,
                    inst_admin=True,
                    legal_admin=True,
                    send_admin=True,
                    data_admin=True,
                )
        except ValidationError as error:
            raise CommandError(_describe(error)) from error
        self.stdout.write(
            json.dumps(
                {
                    "institution_id": institution.pk,
                    "acronym": institution.acronym,
                    "name": institution.name,
                    "admin": {
                        "id": admin.pk,
                        "username": admin.user.username,
                        "email": admin.user.email,
                        "password": password,
                    },
                },
                indent=2,
            )
        )


def _describe(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
