"""HTTPS fetches connect to the address that was checked, yet verify the certificate against
the URL's host name (SNI and hostname check stay the URL's)."""

import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3

from vle.content import fetch

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_site(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, cert
    server.shutdown()
    server.server_close()


def trust(monkeypatch, cert):
    original = urllib3.HTTPSConnectionPool.__init__

    def with_ca(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "ca_certs": str(cert)})

    monkeypatch.setattr(urllib3.HTTPSConnectionPool, "__init__", with_ca)


def test_certificates_are_verified_against_the_url_host(tls_site, settings, monkeypatch):
    port, cert = tls_site
    settings.COURSE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]

    with pytest.raises(fetch.FetchError, match="SSLError"):
        fetch.http_request("GET", f"https://localhost:{port}/", max_bytes=100)

    trust(monkeypatch, cert)
    fetched = fetch.http_request("GET", f"https://localhost:{port}/", max_bytes=100)
    assert fetched.file.read() == b"hello"
    # The certificate names localhost, not the address the connection went to.
    with pytest.raises(fetch.FetchError, match="SSLError"):
        fetch.http_request("GET", f"https://127.0.0.1:{port}/", max_bytes=100)
