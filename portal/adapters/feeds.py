"""Fetching a village's OpenSID feed over HTTP(S), bounded and pinned.

The address comes from an admin's form, and the server must not become a probe into its
own network: the fetch is bounded (timeout, size, no redirects) and refuses private
addresses unless allowed. The connection goes to the address that was checked, not to a
second lookup of the name: a name that answers a public address first and a private one
next (DNS rebinding) would otherwise slip past the check. What the feed says is read by
`portal.domain.content.opensid`.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from portal.domain.content.opensid import FeedError

MAX_FEED_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 10
#: Where OpenSID publishes its RSS 2.0 (the newest 50 articles).
FEED_PATH = "/index.php/feed"


def feed_url(site: str) -> str:
    """The RSS address of an OpenSID site. Raises FeedError for a non-http(s) address."""
    parts = urlsplit(site.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("the address must start with http:// or https://", code="feed-scheme")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{FEED_PATH}"


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``: its first, after every address it
    resolves to is checked. Raises FeedError for a name that does not resolve or has
    an address that is not public (unless ``allow_private``)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FeedError(f"cannot resolve {host}", code="feed-unreachable", host=host) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not allow_private and not address.is_global:
            raise FeedError(f"{host} is not a public address", code="feed-private", host=host)
    return str(infos[0][4][0])


def _connect(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the literal ``address`` (no name lookup on the way)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except OSError:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``address`` whatever ``host`` resolves to now."""

    def __init__(self, host: str, *, address: str, **options: object) -> None:
        super().__init__(host, **options)  # type: ignore[arg-type]
        self.address = address

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to ``address``; the certificate is checked for ``host``."""

    def __init__(self, host: str, *, address: str, **options: object) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, context=self.tls, **options)  # type: ignore[arg-type]
        self.address = address

    def connect(self) -> None:
        plain = _connect(self.address, self.port, self.timeout)
        self.sock = self.tls.wrap_socket(plain, server_hostname=self.host)


class _PinnedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(_PinnedHTTPConnection), request)

    def https_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(_PinnedHTTPSConnection), request)

    def _connection(self, kind: type) -> object:
        return lambda host, **options: kind(host, address=self.address, **options)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect could lead to an address we have not checked


def fetch_feed(
    site: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_FEED_BYTES,
    allow_private: bool = False,
) -> bytes:
    """The raw feed of an OpenSID site.

    Raises FeedError when the address is not public (unless ``allow_private``), the
    server does not answer 200 within ``timeout``, or the body exceeds ``max_bytes``.
    """
    url = feed_url(site)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(parts.hostname or "", port, allow_private)
    opener = urllib.request.build_opener(_PinnedHandler(address), _NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": "WifiDesa/0.1 (+opensid-import)"})  # noqa: S310 (scheme checked above)
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise FeedError(
                    f"the site answered {response.status}",
                    code="feed-status",
                    status=response.status,
                )
            body = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedError(f"the site did not answer: {error}", code="feed-silent") from error
    if len(body) > max_bytes:
        raise FeedError("the feed is too large", code="feed-too-large")
    return body
