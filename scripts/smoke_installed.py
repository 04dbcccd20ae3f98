"""Smoke test of an installed server (run by .ci/wheel-smoke with the fresh venv's Python,
outside the checkout): the package is imported from the venv, every template and static
file it needs was shipped, and the landing page, Swagger UI with its assets, the API root
and the connector template work."""

import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tesla.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.test import Client  # noqa: E402

import tesla  # noqa: E402


def check(condition: bool, message: str) -> None:
    if not condition:
        print(f"smoke: FAIL {message}", file=sys.stderr)
        sys.exit(1)
    print(f"smoke: ok   {message}")


def main() -> None:
    here = Path(tesla.__file__).resolve()
    check("site-packages" in here.parts, f"tesla imported from the venv ({here})")
    for name in ("vle/connector.js", "tesla/home.html"):
        check(bool(get_template(name).template.source), f"template {name} installed")
    static = Path(settings.STATIC_ROOT)
    for name in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "admin/css/base.css",
    ):
        check((static / name).is_file(), f"static file {name} collected")
    client = Client()
    check(client.get("/").status_code == 200, "landing page /")
    check(client.get("/health").status_code == 200, "/health")
    docs = client.get("/api/docs/")
    check(docs.status_code == 200, "Swagger UI /api/docs/")
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    check(bundle.status_code == 200, "Swagger UI bundle served by WhiteNoise")
    check(client.get("/api/schema/").status_code == 200, "OpenAPI schema")
    check(client.get("/api/v2/").status_code == 401, "API root asks for credentials")


if __name__ == "__main__":
    main()
