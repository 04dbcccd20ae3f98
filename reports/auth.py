"""Provider credentials as seen by the authentication endpoints."""

from django.conf import settings

from reports.models import Provider
from tesla.principals import register_module


def describe_provider(provider: Provider) -> dict:
    """The approle login body of a provider (the token is added by the login view)."""
    module = f"provider_{provider.pk:03d}"
    return {
        "type": "provider",
        "pk": provider.pk,
        "module": module,
        "description": "TeSLA provider",
        "domain": module,
        "apps": [],
        "services": {},
        "config": {"API_URL": settings.PUBLIC_API_URL},
        "provider_id": provider.pk,
        "provider_name": provider.name,
        "provider_acronym": provider.acronym,
        "provider_queue": provider.queue,
        "instrument_id": provider.instrument_id,
        "provider": {
            "id": provider.pk,
            "name": provider.name,
            "acronym": provider.acronym,
            "queue": provider.queue,
            "instrument": provider.instrument_id,
            "enabled": provider.enabled,
            "options": provider.options,
            "options_schema": provider.options_schema,
            "alert_below": provider.alert_below,
            "warning_below": provider.warning_below,
            "inverted_polarity": provider.inverted_polarity,
        },
    }


def register() -> None:
    # The SDK reads its own provider record about six times a task (GET /provider/{id}/):
    # with the instrument loaded at authentication, that answer costs no further query.
    register_module("provider", Provider, describe_provider, related=("instrument",))
