"""The day of tests/consistency: a village with two routers, the portal and the RADIUS
server on loopback, and what a router and a phone do there."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
from flask.testing import FlaskClient
from pyrad import packet

from portal.models import Gateway
from tests.admin.conftest import csrf_token
from tests.radius.mikrotik import Router
from tests.radius.nas_listener import NasListener
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, router_fields, ticket_of

#: 11.00 WITA on Sunday 22 November 2026: the server's and the portal's clock all day.
NOW = datetime(2026, 11, 22, 3, 0)
TODAY = "2026-11-22"
SAMURANGAU, BUSUI = "64.01.01.2009", "64.01.01.2010"
MB = 1_000_000
HOTSPOT_HOSTS = {"samurangau-kantor": "10.5.50.1", "samurangau-balai": "10.5.51.1"}


@dataclass(frozen=True)
class Phone:
    mac: str


@dataclass
class Day:
    """Everything the day needs: gateways, routers, the portal and an officer's client."""

    portal: FlaskClient
    admin: FlaskClient
    kantor: Gateway
    balai: Gateway
    kantor_router: Router
    balai_router: Router
    listener: NasListener
    voucher: str
    api_token: str
    user_names: dict[str, str] = field(default_factory=dict)

    def phones(self, *suffixes: str) -> list[Phone]:
        return [Phone(f"02:00:00:00:00:{suffix.upper()}") for suffix in suffixes]

    def router_of(self, gateway: Gateway) -> Router:
        return self.kantor_router if gateway.id == self.kantor.id else self.balai_router

    def _fields(self, phone: Phone, gateway: Gateway) -> dict[str, str]:
        host = HOTSPOT_HOSTS[gateway.nas_identifier]
        return router_fields(
            identity=gateway.nas_identifier, mac=phone.mac, link_login_only=f"http://{host}/login",
            link_status=f"http://{host}/status",
        )  # fmt: skip

    def splash(self, phone: Phone, gateway: Gateway) -> str:
        """The splash a phone is shown at a gateway (the router's page posted to /hotspot)."""
        entry = self.portal.post("/hotspot", data=self._fields(phone, gateway))
        assert entry.status_code == 303, entry.text
        return self.portal.get(entry.headers["Location"]).text

    def accept_only(self, phone: Phone, gateway: Gateway, voucher: str | None = None) -> str:
        """Accept the terms (or redeem ``voucher``) on the splash; returns the router login
        address the phone is sent to (with the credential)."""
        data = {"t": ticket_of_text(self.splash(phone, gateway))}
        if voucher is not None:
            data.update(kind="voucher", voucher=voucher)
        accepted = self.portal.post("/hotspot/accept", data=data)
        assert accepted.status_code == 303, accepted.text
        return accepted.headers["Location"]

    def login_through_splash(
        self, phone: Phone, gateway: Gateway, voucher: str | None = None
    ) -> packet.Packet:
        """The whole portal-hosted login: splash, accept, then the router's CHAP login."""
        query = {
            k: v[0]
            for k, v in parse_qs(urlsplit(self.accept_only(phone, gateway, voucher)).query).items()
        }
        self.user_names[phone.mac] = query["username"]
        router = self.router_of(gateway)
        response = CHAP_ID + bytes.fromhex(query["password"])
        request = router.access_request(
            query["username"], mac=phone.mac, chap_password=(response, CHAP_CHALLENGE)
        )
        reply = router.send(request)
        assert reply is not None
        return reply

    def radius_login(self, gateway: Gateway, user_name: str, password: str) -> packet.Packet:
        """An Access-Request as the router sends it for ``login-by=mac`` (CHAP)."""
        router = self.router_of(gateway)
        reply = router.send(router.access_request(user_name, password, mac=user_name))
        assert reply is not None
        self.user_names[user_name] = user_name
        return reply

    def account(
        self, gateway: Gateway, phone: Phone, session_id: str, status: int, accept: packet.Packet,
        *, down: int = 0, up: int = 0, seconds: int = 0,
    ) -> None:  # fmt: skip
        """One accounting request of a session, answered (stored) by the server."""
        router = self.router_of(gateway)
        request = router.accounting_request(
            status, session_id, mac=phone.mac, user_name=self.user_names[phone.mac],
            class_=accept["Class"][0], seconds=seconds, input_octets=up, output_octets=down,
            terminate_cause=1 if status == 2 else None,
        )  # fmt: skip
        assert router.send(request) is not None

    def disconnected(self, session_id: str, wait: float = 5.0) -> bool:
        """Whether the router got a Disconnect-Request for the session (quota spent)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if any(r.get("Acct-Session-Id") == session_id for r in self.listener.received):
                return True
            time.sleep(0.02)
        return False

    def status_page(self, phone: Phone, gateway: Gateway) -> str:
        """The status page as the router's own status page brings the phone there."""
        host = HOTSPOT_HOSTS[gateway.nas_identifier]
        posted = self.portal.post(
            "/hotspot/status",
            data={"identity": gateway.nas_identifier, "mac": phone.mac,
                  "link-logout": f"http://{host}/logout"},
        )  # fmt: skip
        assert posted.status_code == 303, posted.text
        return self.portal.get(posted.headers["Location"]).text

    def api(self, path: str) -> dict[str, Any]:
        answer = self.portal.get(path, headers={"Authorization": f"Bearer {self.api_token}"})
        assert answer.status_code == 200, answer.text
        return answer.get_json()


def ticket_of_text(page: str) -> str:
    class _Page:
        def get_data(self, as_text: bool = True) -> str:
            return page

    return ticket_of(_Page())  # type: ignore[arg-type]


def log_in_at(client: FlaskClient, username: str, password: str, totp_secret: str) -> None:
    """Log an officer in through the real forms, the TOTP code of the server's `NOW`."""
    response = client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.text
    code = pyotp.TOTP(totp_secret).at(NOW.replace(tzinfo=UTC))
    token = csrf_token(client, "/admin/login/totp")
    response = client.post("/admin/login/totp", data={"code": code, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")


def total_limit(reply: packet.Packet) -> int:
    """The data an Access-Accept allows: Mikrotik-Total-Limit plus its gigawords."""
    low = reply["Mikrotik-Total-Limit"][0]
    high = reply.get("Mikrotik-Total-Limit-Gigawords", [0])[0]
    return (high << 32) + low


def bytes_left_in(page: str) -> int:
    """What a resident's page says is left today (its quota section's data attribute)."""
    start = page.index('data-bytes-left="') + len('data-bytes-left="')
    return int(page[start : page.index('"', start)])
