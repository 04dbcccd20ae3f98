"""Webhooks: results that providers' external services post back later (`POST /api/webhooks/`).

As in the original (`tesla_ce.apps.webhooks`, `tesla_ce.lib.webhook`): the request names its
client by carrying that client's header (e.g. `TESLA-TPT-METHOD`), is signed in `TESLA-SIGN`
with the hex HMAC-SHA512 of the JSON body under the client's secret, and may name the message
in the client's id header (e.g. `TESLA-TPT-MESSAGE-ID`). `action: UPDATE_RESULT` stores the
result of one request of the client's provider, as if the provider had PUT it.

The original signs `json.dumps(body)` of the parsed body (Python's default separators); a
signature over the exact bytes sent is accepted too. A message is applied once: a message id,
or a body, seen before for the client is answered as a duplicate and changes nothing, so a
resent or replayed message can neither count twice nor bring back an old result.
"""

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reports.models import (
    Provider,
    ProviderWebhook,
    RequestProviderResult,
    ResultStatus,
    WebhookMessage,
)
from reports.services.verification import provider_result_record
from tesla.errors import ApplicationError, Forbidden, NotFound

SIGNATURE_HEADER = "TESLA-SIGN"
HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def provider_webhook_register(
    *, provider: Provider, client_header: str, id_header: str = "", secret: str = ""
) -> ProviderWebhook:
    """Register (or change) the webhook client of a provider's external service, as the
    original's `register_webhook` did; without `secret` a new random one is made. Refused
    (ValidationError naming the field) for a header that is not a header name or that another
    provider's webhook already uses."""
    errors = {}
    for field, value in (("client_header", client_header), ("id_header", id_header)):
        if value and not HEADER_NAME.match(value):
            errors[field] = ["Not an HTTP header name."]
    if not client_header:
        errors["client_header"] = ["Required."]
    if (
        ProviderWebhook.objects.filter(client_header__iexact=client_header)
        .exclude(provider=provider)
        .exists()
    ):
        errors["client_header"] = ["Another provider's webhook uses this header."]
    if errors:
        raise ValidationError(errors)
    webhook, _ = ProviderWebhook.objects.update_or_create(
        provider=provider,
        defaults={
            "client_header": client_header.upper(),
            "id_header": id_header.upper(),
            "secret": secret or secrets.token_urlsafe(32),
            "enabled": True,
        },
    )
    return webhook


def webhook_client_for(headers: Mapping[str, str]) -> ProviderWebhook:
    """The enabled webhook whose client header the request carries (404 none, 400 several)."""
    present = {name.lower() for name in headers}
    clients = [
        webhook
        for webhook in ProviderWebhook.objects.filter(enabled=True).select_related("provider")
        if webhook.client_header.lower() in present
    ]
    if not clients:
        raise NotFound("No webhook client for this request.")
    if len(clients) > 1:
        raise ApplicationError("The request matches several webhook clients.")
    return clients[0]


def webhook_signature_check(*, webhook: ProviderWebhook, raw_body: bytes, data, signature):
    """403 unless `signature` is the HMAC-SHA512 (hex) of the body under the client's secret:
    of `json.dumps(data)` as the original computes it, or of the bytes as sent."""
    if not signature:
        raise Forbidden(f"Missing {SIGNATURE_HEADER} signature.")
    key = webhook.secret.encode()
    signed = [raw_body, json.dumps(data).encode()]
    given = signature.strip().lower()
    if not any(
        hmac.compare_digest(hmac.new(key, payload, hashlib.sha512).hexdigest(), given)
        for payload in signed
    ):
        raise Forbidden("Invalid signature.")


def _digest(data) -> str:
    # Whitespace or key order cannot make a replayed body look new.
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def webhook_result_update(
    *, webhook: ProviderWebhook, message_id: str | None, data: dict, values: dict
) -> tuple[WebhookMessage, bool]:
    """Apply an `UPDATE_RESULT` message (validated `values`) once. Returns the stored message
    and whether it was applied now (False: a duplicate, nothing changed)."""
    digest = _digest(data)
    message_id = (message_id or "").strip()[:250] or digest
    seen = WebhookMessage.objects.filter(webhook=webhook)
    duplicate = (seen.filter(message_id=message_id) | seen.filter(digest=digest)).first()
    if duplicate is not None:
        return duplicate, False
    row = RequestProviderResult.objects.filter(
        provider=webhook.provider, request_id=values["request_id"]
    ).first()
    if row is None:
        raise ValidationError({"request_id": ["Unknown request of this provider."]})
    try:
        with transaction.atomic():
            # The message first: a concurrent twin waits here and then finds it.
            message = WebhookMessage.objects.create(
                webhook=webhook, message_id=message_id, digest=digest, body=data
            )
    except IntegrityError:
        twin = (seen.filter(message_id=message_id) | seen.filter(digest=digest)).first()
        if twin is None:  # the twin's transaction rolled back after all: a conflict (409)
            raise
        return twin, False
    provider_result_record(
        provider_result=row,
        changes={
            "status": ResultStatus.PROCESSED,
            "result": values["result"],
            "code": values["code"],
            "audit": values.get("audit_data"),
            "error_message": None,
        },
    )
    return message, True
