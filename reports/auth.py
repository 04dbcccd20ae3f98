"""Provider credentials as seen by the authentication endpoints."""

from urllib.parse import unquote, urlsplit

from django.conf import settings

from reports.models import Provider
from tesla.principals import register_module


def provider_broker_config() -> dict:
    """The broker settings a provider's worker needs, as the original handed them out: the
    SDK passes `config` to `app.config_from_object(config, namespace="CELERY")`, so
    `CELERY_BROKER_HOST` becomes Celery's `broker_host`, and so on. The address is
    PROVIDER_BROKER_URL, else the server's own CELERY_BROKER_URL; none configured, none given.
    Split keys (not one URL) so the SDK's own `CELERY_BROKER_HOST`/`_PORT` environment
    overrides still apply; `CELERY_BROKER_TRANSPORT` picks the transport (amqp, redis...)."""
    url = settings.PROVIDER_BROKER_URL or settings.CELERY_BROKER_URL
    if not url:
        return {}
    parts = urlsplit(url)
    vhost = unquote(parts.path[1:]) if parts.path not in ("", "/") else "/"
    return {
        "CELERY_BROKER_PROTOCOL": parts.scheme,
        "CELERY_BROKER_TRANSPORT": parts.scheme,
        "CELERY_BROKER_HOST": parts.hostname or "localhost",
        "CELERY_BROKER_PORT": parts.port,
        "CELERY_BROKER_USER": unquote(parts.username) if parts.username else None,
        "CELERY_BROKER_PASSWORD": unquote(parts.password) if parts.password else None,
        "CELERY_BROKER_VHOST": vhost,
        "CELERY_BROKER_REGION": None,
    }


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
        "config": {"API_URL": settings.PUBLIC_API_URL, **provider_broker_config()},
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
