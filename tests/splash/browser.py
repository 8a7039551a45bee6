"""Browser test support: headless Chromium, and a fake MikroTik router on loopback.

The fake router serves the portal's router-side page with RouterOS $(var)
substitutions (as a hotspot does with login.html), receives the phone's /login and
either sends the Access-Request a RouterOS hotspot sends (CHAP, Message-Authenticator;
built by the simulator) to a RADIUS server on loopback, or, without one, checks the
CHAP response itself the way RADIUS will. Accepted, it sends the phone on to ``dst``;
rejected, it serves its login page again with the Reply-Message as ``$(error)``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.domain.access import grants, hotspot
from portal.simulator import Options, radius, web
from tests.live import serving

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
    #: When set, /login asks this RADIUS server (auth port; accounting is the next)
    #: exactly as a RouterOS hotspot would, instead of checking CHAP itself.
    radius_port: int | None = None
    radius_secret: str = ""
    radius_replies: list[str] = field(default_factory=list)

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

    def login(self, username: str, password: str, dst: str) -> str | None:
        """Log the phone in: None when accepted, else the error the router would show."""
        if self.radius_port is None:
            return None if self.check(username, password) else "invalid username or password"
        options = Options(
            nas_id=self.nas_id,
            secret=self.radius_secret,
            mac=self.mac,
            radius_port=self.radius_port,
            timeout=2,
        )
        login = radius.Login(web.RouterLogin(username, password, dst, "false"), *self.chap, "")
        client = radius._client(options)
        try:
            request = radius.access_request(client, options, login, "80000001")
            reply = client.SendPacket(request)
        finally:
            client._CloseSocket()
        self.radius_replies.append("Access-Accept" if reply.code == 2 else "Access-Reject")
        if reply.code == 2:
            return None
        return (reply.get("Reply-Message") or ["invalid username or password"])[0]

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
                dst = query.get("dst") or "/"
                error = router.login(query["username"], query.get("password", ""), dst)
                if error is None:
                    self.send_response(302)
                    self.send_header("Location", dst)
                    self.end_headers()
                    return
                body = router.login_page(error)
            else:
                body = router.login_page(query.get("error", router.error))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    router.port = server.server_address[1]
    with serving(server):
        yield router
