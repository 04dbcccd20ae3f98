"""Register the webhook of a provider's external service and print it as JSON."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import Provider
from reports.services.webhooks import provider_webhook_register


class Command(BaseCommand):
    help = (
        "Register (or change) the webhook a provider's external service posts results to "
        "(POST /api/webhooks/), and print {provider_id, client_header, id_header, secret}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", required=True, help="Provider id or acronym.")
        parser.add_argument(
            "--client-header",
            required=True,
            help="Header naming the client, e.g. TESLA-TPT-METHOD.",
        )
        parser.add_argument(
            "--id-header", default="", help="Header with the message id, e.g. TESLA-TPT-MESSAGE-ID."
        )
        parser.add_argument(
            "--secret", default="", help="Shared signing secret (a new random one if omitted)."
        )

    def handle(self, *args, provider, client_header, id_header, secret, **options):
        lookup = {"pk": int(provider)} if provider.isdigit() else {"acronym": provider}
        target = Provider.objects.filter(**lookup).first()
        if target is None:
            raise CommandError(f"No provider {provider!r}.")
        try:
            with transaction.atomic():
                webhook = provider_webhook_register(
                    provider=target, client_header=client_header, id_header=id_header, secret=secret
                )
        except ValidationError as error:
            raise CommandError(f"Could not register the webhook: {error.message_dict}") from None
        self.stdout.write(
            json.dumps(
                {
                    "provider_id": target.pk,
                    "client_header": webhook.client_header,
                    "id_header": webhook.id_header,
                    "secret": webhook.secret,
                },
                indent=2,
            )
        )
