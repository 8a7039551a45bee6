"""Import the latest articles of a village's OpenSID website (its RSS feed) as drafts.

OpenSID publishes RSS 2.0 at ``<site>/index.php/feed`` with the newest 50 articles;
``content:encoded`` holds the full HTML. The fetch is bounded (timeout, size, no
redirects, no private addresses unless allowed) because the address comes from an
admin's form and the server must not become a probe into its own network. The
connection goes to the address that was checked, not to a second lookup of the name: a
name that answers a public address first and a private one next (DNS rebinding) would
otherwise slip past the check.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.content import announcements
from portal.models import Announcement, Village

FEED_PATH = "/index.php/feed"
MAX_FEED_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 10
MAX_IMPORT = 10
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CATEGORY_WORDS = (
    ("darurat", ("darurat", "bencana")),
    ("agenda", ("agenda", "kegiatan")),
    ("kesehatan", ("kesehatan", "posyandu")),
    ("umkm", ("umkm", "lapak", "produk", "bumdes")),
    ("wisata", ("wisata", "potensi")),
    ("apbdes", ("apbdes", "anggaran", "transparansi", "keuangan")),
)


class FeedError(Exception):
    """The feed could not be fetched or read; the message says why (for the admin)."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    html: str
    published_at: datetime | None
    category: str


def feed_url(site: str) -> str:
    """The RSS address of an OpenSID site. Raises FeedError for a non-http(s) address."""
    parts = urlsplit(site.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError("the address must start with http:// or https://")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{FEED_PATH}"


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to for ``host``: its first, after every address it
    resolves to is checked. Raises FeedError for a name that does not resolve or has
    an address that is not public (unless ``allow_private``)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise FeedError(f"cannot resolve {host}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not allow_private and not address.is_global:
            raise FeedError(f"{host} is not a public address")
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
                raise FeedError(f"the site answered {response.status}")
            body = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FeedError(f"the site did not answer: {error}") from error
    if len(body) > max_bytes:
        raise FeedError("the feed is too large")
    return body


def _category(text: str) -> str:
    lowered = text.lower()
    for category, words in _CATEGORY_WORDS:
        if any(word in lowered for word in words):
            return category
    return "pengumuman"


def parse_feed(data: bytes) -> list[FeedItem]:
    """The items of an RSS 2.0 feed, newest first as the feed lists them.

    Raises FeedError for anything that is not a plain RSS document (a DOCTYPE is
    refused outright: entity tricks have no place in a news feed).
    """
    if b"<!DOCTYPE" in data[:2048].upper() or b"<!ENTITY" in data.upper():
        raise FeedError("the feed declares a DOCTYPE or entities")
    try:
        root = ET.fromstring(data)  # noqa: S314 (no DTD allowed, checked above)
    except ET.ParseError as error:
        raise FeedError("the feed is not valid XML") from error
    items = []
    for node in root.iter("item"):
        title = (node.findtext("title") or "").strip()
        link = (node.findtext("link") or node.findtext("guid") or "").strip()
        if not title or not link.startswith(("http://", "https://")):
            continue
        html = node.findtext(_CONTENT) or node.findtext("description") or ""
        try:
            published = parsedate_to_datetime(node.findtext("pubDate") or "")
            published_at = published.astimezone(UTC).replace(tzinfo=None) if published else None
        except (TypeError, ValueError):
            published_at = None
        category = _category(" ".join(c.text or "" for c in node.findall("category")))
        items.append(FeedItem(title[:160], link[:500], html, published_at, category))
    return items


def import_drafts(
    session: Session,
    village: Village,
    items: list[FeedItem],
    *,
    now: datetime,
    created_by_id: int | None = None,
    limit: int = MAX_IMPORT,
) -> list[Announcement]:
    """Add the newest ``limit`` items not imported before as unpublished drafts."""
    known = set(
        session.scalars(
            sa.select(Announcement.source_url).where(
                Announcement.village_kode == village.kode, Announcement.source_url.is_not(None)
            )
        )
    )
    drafts: list[Announcement] = []
    for item in items:
        if len(drafts) >= limit:
            break
        if item.link in known:
            continue
        body = announcements.sanitize_html(item.html)
        values = announcements.AnnouncementInput(
            title=item.title, body_markdown=body, category=item.category, published=False
        )
        drafts += announcements.create_announcements(
            session, [village], values, now=now, created_by_id=created_by_id,
            source_url=item.link,
        )  # fmt: skip
        known.add(item.link)
    return drafts
