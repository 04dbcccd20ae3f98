"""What a newcomer meets first: the landing page, Swagger UI working without the internet,
and CORS for a dashboard served from another origin."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_landing_page_says_what_this_is_and_links_everywhere():
    response = Client().get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "TeSLA server" in html
    assert re.search(r"version \d+\.\d+", html)
    links = links_of(html)
    for target in ("/api/v2/", "/api/docs/", "/api/schema/", "/admin/", "/health"):
        assert target in links
    # Every link on the page leads somewhere real (the admin and API root ask for a login).
    for link in links:
        if urlsplit(link).netloc:
            continue  # the dashboard, a separate application
        assert Client().get(link).status_code in {200, 302, 401}, link
    assert Client().post("/").status_code == 405


def test_swagger_ui_assets_are_all_served_by_this_server():
    """Swagger UI works offline: every script, style sheet and icon the page references is
    served here (drf-spectacular-sidecar), none comes from a CDN."""
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    references = links_of(html) + re.findall(r"""["']([^"']+\.(?:js|css|png))["']""", html)
    assets = {urljoin("http://testserver/api/docs/", ref) for ref in references}
    assert assets, "the page references no asset"
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in sorted(assets):
        parts = urlsplit(asset)
        assert parts.netloc == "testserver", f"{asset} is not served by this server"
        response = client.get(parts.path)
        assert response.status_code == 200, asset
        assert body_of(response), asset
    assert "cdn.jsdelivr.net" not in html and "@latest" not in html


DASHBOARD = "https://dashboard.example.org"


def preflight(client, path="/api/v2/auth/login"):
    return client.options(
        path,
        HTTP_ORIGIN=DASHBOARD,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )


def test_cors_allows_nothing_by_default():
    response = preflight(Client())
    assert "access-control-allow-origin" not in response.headers
    plain = Client().get("/health", HTTP_ORIGIN=DASHBOARD)
    assert "access-control-allow-origin" not in plain.headers


def test_cors_allows_a_configured_dashboard_origin_with_authorization(settings, api):
    settings.CORS_ALLOWED_ORIGINS = [DASHBOARD]
    response = preflight(Client())
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == DASHBOARD
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]
    listed = api("inst_admin").get("/api/v2/auth/profile", HTTP_ORIGIN=DASHBOARD)
    assert listed.status_code == 200
    assert listed["Access-Control-Allow-Origin"] == DASHBOARD
    other = Client().options(
        "/api/v2/auth/login",
        HTTP_ORIGIN="https://evil.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "access-control-allow-origin" not in other.headers


def test_admin_login_over_plain_http_by_host_name(settings):
    """A trial server on a LAN name over plain HTTP (README "Deploying"): with the host in
    ALLOWED_HOSTS and SECURE_COOKIES=false, the admin login passes Django's CSRF check."""
    from institution.models import User

    settings.ALLOWED_HOSTS = ["tesla.lan"]
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    User.objects.create_superuser(username="root", email="root@tesla.lan", password="pw")
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="tesla.lan:8000")
    form = browser.get("/admin/login/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())
    response = browser.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "pw", "csrfmiddlewaretoken": token.group(1)},
        HTTP_ORIGIN="http://tesla.lan:8000",
        HTTP_REFERER="http://tesla.lan:8000/admin/login/",
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200
    # Behind a proxy that rewrites the Host, the browser's origin must be listed.
    origin = {"HTTP_ORIGIN": "http://tesla.example.org"}
    assert login_through_proxy(origin) == 403
    settings.CSRF_TRUSTED_ORIGINS = ["http://tesla.example.org"]
    assert login_through_proxy(origin) == 302


def login_through_proxy(headers) -> int:
    proxied = Client(enforce_csrf_checks=True, HTTP_HOST="tesla.lan")
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        proxied.get("/admin/login/").content.decode(),
    )
    login = {"username": "root", "password": "pw", "csrfmiddlewaretoken": token.group(1)}
    return proxied.post("/admin/login/", login, **headers).status_code


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tip/users/id",
        "/api/v1/tip/users/multiple/id",
        "/api/v1/tep/learner/evaluation/start/1/x/1/quiz",
    ],
)
def test_deprecated_v1_routes_stay_out(path):
    """The original served these without authentication; they are not served here (README,
    API notes)."""
    assert Client().post(path, {"vle_user_id": "a@b.c"}).status_code == 404
    assert Client().get(path).status_code == 404
