"""Browser test support: headless Chromium, and a fake MikroTik router on loopback.

The fake router serves the portal's router-side page with RouterOS $(var)
substitutions (as a hotspot does with login.html), receives the phone's /login, checks
the CHAP response the way RADIUS will (md5 of chap-id, the grant's password and the
challenge it issued) and sends the phone on to ``dst``.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.domain import grants, hotspot
from portal.simulator import web

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")


@dataclass
class FakeRouter:
    portal: str
    nas_id: str
    mac: str
    master_key: str
    port: int = 0
    error: str = ""
    logins: list[dict[str, str]] = field(default_factory=list)
    chap: tuple[bytes, bytes] = (b"", b"")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def login_page(self, error: str) -> bytes:
        status, _, template = web.fetch(f"{self.portal}/mt/{self.nas_id}/login.html")
        assert status == 200
        self.chap = (secrets.token_bytes(1), secrets.token_bytes(16))
        variables = web.router_variables(
            nas_id=self.nas_id,
            mac=self.mac,
            client_ip="10.5.50.23",
            hotspot_host=f"127.0.0.1:{self.port}",
            server_name="hs-desa",
            chap_id=self.chap[0],
            chap_challenge=self.chap[1],
            error=error,
        )
        return web.substitute(template, variables).encode()

    def check(self, username: str, password: str) -> bool:
        """What RADIUS will check: CHAP of the grant's password (or a voucher code)."""
        secret = (
            grants.grant_password(self.master_key, username)
            if grants.is_grant_username(username)
            else username
        )
        return password == hotspot.chap_response(self.chap[0], secret, self.chap[1])


@contextmanager
def fake_router(router: FakeRouter) -> Iterator[FakeRouter]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path != "/login":
                self.send_error(404)
                return
            if "username" in query:
                router.logins.append(query)
                if router.check(query["username"], query.get("password", "")):
                    self.send_response(302)
                    self.send_header("Location", query.get("dst") or "/")
                    self.end_headers()
                    return
                body = router.login_page("invalid username or password")
            else:
                body = router.login_page(query.get("error", router.error))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    router.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield router
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
