"""A short schemathesis pass over every operation of the OpenAPI schema, inside `make test`:
generated valid and invalid requests, as a global admin, never crash the server and always
answer JSON. `make reliability` runs the long version against a live server with every
persona (RELIABILITY.md)."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings

from tests import factories

# The schema as /api/schema/ serves it (built here: serving it needs the database, which
# collection may not touch), with requests sent to the WSGI application.
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
)
schema.app = get_wsgi_application()


@pytest.fixture
def keep_test_connection():
    """Serve requests as Django's test client does: the WSGI handler would otherwise close
    the test's database connection (and its transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_header(db, keep_test_connection):
    return {"Authorization": f"JWT {factories.token_for(factories.user(None, is_staff=True))}"}


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_generated_requests_never_crash(case, admin_header):
    response = case.call(headers=admin_header)

    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    if response.status_code != 204 and response.content:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.split(";")[0] in {
            "application/json",
            "text/csv",
            "image/svg+xml",
            "application/pdf",
            "application/octet-stream",
            "text/javascript",
            "application/javascript",
            "text/html",
        }, (case.method, case.formatted_path, content_type)
