"""Server-side HTTP requests to URLs a VLE names (fetch imports, asset imports, postbacks),
guarded against server-side request forgery.

Only http and https. The host is resolved once, every address it resolves to must be public
(not private, loopback, link-local, multicast, reserved or unspecified) unless it lies in one
of `COURSE_FETCH_ALLOWED_NETWORKS`, and the connection then goes to that checked address (the
TLS name and Host header stay the URL's), so a DNS answer cannot change between the check and
the request. Redirects are followed by hand, each new URL checked again. Bodies are capped in
size and the whole exchange in time.
"""

import ipaddress
import socket
import tempfile
import time
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL may not be fetched, or fetching it failed; the message says why."""


@dataclass
class Fetched:
    """A downloaded body in a temporary file (rewound), with its size and content type."""

    file: IO[bytes]
    size: int
    content_type: str
    url: str


def url_check_syntax(url: str) -> None:
    """The checks that need no DNS: scheme, host, and literal addresses. Raises FetchError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError("Only http and https URLs can be fetched.")
    if not parts.hostname:
        raise FetchError("The URL has no host.")
    if parts.username or parts.password:
        raise FetchError("URLs with credentials are not fetched.")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return
    _check_address(address)


def _allowed_networks():
    return [
        ipaddress.ip_network(cidr, strict=False) for cidr in settings.COURSE_FETCH_ALLOWED_NETWORKS
    ]


def _check_address(address) -> None:
    if any(address in network for network in _allowed_networks()):
        return
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        raise FetchError(
            f"The address {address} is private, loopback, link-local or reserved; "
            "it is not fetched (see COURSE_FETCH_ALLOWED_NETWORKS)."
        )


def _resolve(host: str, port: int) -> str:
    """The first address of `host`, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The host {host} cannot be resolved.") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(f"The host {host} cannot be resolved.")
    for address in addresses:
        _check_address(address)
    return str(addresses[0])


def _pool(url: str, timeout: urllib3.Timeout):
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _resolve(parts.hostname, port)
    if https:
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            maxsize=1,
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1]


def http_request(
    method: str,
    url: str,
    *,
    max_bytes: int,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """Send one guarded request (following checked redirects for GET) and return the body.

    Raises FetchError for a refused URL, a network error, a non-2xx answer, a body over
    `max_bytes` or a request that outlives COURSE_FETCH_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + settings.COURSE_FETCH_TIMEOUT_SECONDS
    for _ in range(settings.COURSE_FETCH_MAX_REDIRECTS + 1):
        url_check_syntax(url)
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("Fetching the URL took too long.")
        timeout = urllib3.Timeout(connect=min(left, 10), read=left)
        pool = _pool(url, timeout)
        try:
            response = pool.urlopen(
                method,
                _target(url),
                body=body,
                headers={"Host": _host_header(url), **(headers or {})},
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise FetchError(f"Fetching the URL failed ({error.__class__.__name__}).") from error
        try:
            if response.status in {301, 302, 303, 307, 308} and method == "GET":
                location = response.headers.get("Location")
                if not location:
                    raise FetchError("A redirect without a Location header.")
                url = urljoin(url, location)
                continue
            if not 200 <= response.status < 300:
                raise FetchError(f"The server answered {response.status}.")
            return _download(response, max_bytes=max_bytes, deadline=deadline, url=url)
        finally:
            response.release_conn()
            pool.close()
    raise FetchError("Too many redirects.")


def _download(response, *, max_bytes: int, deadline: float, url: str) -> Fetched:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"The file is larger than {max_bytes} bytes.")
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    size = 0
    try:
        for chunk in response.stream(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"The file is larger than {max_bytes} bytes.")
            if time.monotonic() > deadline:
                raise FetchError("Fetching the URL took too long.")
            target.write(chunk)
    except urllib3.exceptions.HTTPError as error:
        target.close()
        raise FetchError(f"Fetching the URL failed ({error.__class__.__name__}).") from error
    except FetchError:
        target.close()
        raise
    target.seek(0)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    return Fetched(file=target, size=size, content_type=content_type, url=url)
