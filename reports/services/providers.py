"""Providers: the verification services behind an instrument, managed by global admins."""

from reports.models import Provider
from tesla.errors import Conflict
from tesla.models import Job
from vle.models import Instrument


def provider_create(*, instrument: Instrument, **values) -> tuple[Provider, dict[str, str]]:
    """Register a provider of the instrument and issue its credentials (returned once)."""
    provider = Provider.objects.create(instrument=instrument, **values)
    return provider, provider.issue_credentials()


def provider_renew_credentials(*, provider: Provider) -> dict[str, str]:
    """A new secret for the provider; the previous one stops working."""
    return provider.issue_credentials()


def provider_delete(*, provider: Provider) -> None:
    """Delete a provider that never answered a request. One that did is refused (409): its
    answers are part of learners' reports and histograms."""
    if provider.results.exists():
        raise Conflict(
            "The provider has answered verification requests; disable it instead of deleting it."
        )
    # Tasks still owed to it would wait for a queue nobody consumes any more.
    Job.objects.filter(queue=provider.queue).delete()
    provider.delete()
