"""The real Python SDK (`tesla-ce-client` from PyPI) logs in and calls the API over HTTP."""

import pytest
from tesla_ce_client import Client

from reports.models import Provider
from tests import factories


@pytest.fixture
def sdk_vle(transactional_db):
    institution = factories.institution()
    vle = factories.vle(institution)
    return vle, vle.issue_credentials()


def test_vle_logs_in_and_reads_itself(live_server, sdk_vle):
    vle, credentials = sdk_vle

    client = Client(api_url=live_server.url, verify_ssl=False, **credentials)

    assert client._connector.get_vle_id() == vle.pk
    assert client.vle.get()["id"] == vle.pk


def test_sdk_refreshes_a_token_close_to_expiry(live_server, sdk_vle, settings):
    # With 4-minute tokens the SDK refreshes before every call (it renews under 5 minutes).
    settings.JWT_ACCESS_MINUTES = 4
    vle, credentials = sdk_vle
    client = Client(api_url=live_server.url, verify_ssl=False, **credentials)
    first = client._connector._token["access_token"]

    assert client.vle.get()["id"] == vle.pk
    renewed = client._connector._token
    assert renewed["access_token"] != first
    assert renewed["refresh_token"] == client._connector._module["token"]["refresh_token"]


def test_provider_logs_in_with_its_credentials(live_server, transactional_db):
    provider = Provider.objects.create(
        instrument_id=1, name="Provider", acronym="p1", queue="q1", enabled=True
    )
    credentials = provider.issue_credentials()

    client = Client(api_url=live_server.url, verify_ssl=False, **credentials)

    assert client._connector.get_provider_id() == provider.pk


def test_wrong_credentials_fail_the_constructor(live_server, sdk_vle):
    _, credentials = sdk_vle

    with pytest.raises(Exception, match="Invalid credentials"):
        Client(
            api_url=live_server.url,
            verify_ssl=False,
            role_id=credentials["role_id"],
            secret_id="wrong",
        )
