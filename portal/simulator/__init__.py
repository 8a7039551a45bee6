"""A RouterOS 7 hotspot and a phone, played against a running portal and RADIUS server.

`run` fetches the router-side login page, posts the router's variables as the router
does (octal-escaped CHAP values), accepts the terms (or redeems a voucher), reads the
redirect to the router's /login, then sends what the router would send to RADIUS:
an Access-Request with CHAP and Message-Authenticator and the attribute set of a real
RouterOS 7 hotspot, then Accounting Start, Interim-Updates carrying the given traffic,
and Stop. Every step is printed with the reply attributes. No Flask here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from portal.simulator import radius, web
from portal.simulator.web import SimulationFailed

# The RADIUS server's own dictionaries: the simulator speaks exactly what it decodes.
from radius.decode import DICTIONARY_PATH as DICTIONARY

__all__ = ["DICTIONARY", "Options", "SimulationFailed", "run"]


@dataclass(frozen=True)
class Options:
    nas_id: str
    secret: str
    mac: str = "02:00:00:00:00:01"
    portal: str = "http://127.0.0.1:8080"
    radius_host: str = "127.0.0.1"
    radius_port: int = 1812
    voucher: str | None = None
    bytes: int = 50_000_000
    minutes: int = 10
    hotspot_host: str = "10.5.50.1"
    client_ip: str = "10.5.50.23"
    server_name: str = "hs-wifidesa"
    interim_updates: int = 2
    timeout: float = 3.0


def run(options: Options, say: Callable[[str], None] = print) -> int:
    """Play one login; returns 0 when RADIUS accepted and accounting was answered,
    1 when a step failed (the reason is printed)."""
    try:
        login = _web_steps(options, say)
        return radius.session_steps(options, login, say)
    except SimulationFailed as failure:
        say(f"FAILED: {failure}")
        return 1


def _web_steps(options: Options, say: Callable[[str], None]) -> radius.Login:
    portal = options.portal.rstrip("/")
    if not portal.startswith(("http://", "https://")):
        raise SimulationFailed("--portal must be an http(s) URL")
    status, _, template = web.fetch(f"{portal}/mt/{options.nas_id}/login.html")
    say(f"1. router fetches its login page: HTTP {status}, {len(template.encode())} bytes")
    if status != 200:
        raise SimulationFailed("the portal has no router page for this NAS-Identifier")
    chap_id, challenge = secrets.token_bytes(1), secrets.token_bytes(16)
    variables = web.router_variables(
        nas_id=options.nas_id,
        mac=options.mac,
        client_ip=options.client_ip,
        hotspot_host=options.hotspot_host,
        server_name=options.server_name,
        chap_id=chap_id,
        chap_challenge=challenge,
    )
    action, fields = web.forms_of(web.substitute(template, variables))[0]
    if not web.same_origin(action, portal):
        raise SimulationFailed(f"the router page posts outside the portal: {action}")
    status, headers, _ = web.fetch(action, fields)
    say(f"2. phone posts the router's variables to {action}: HTTP {status}")
    splash_url = _follow(portal, status, headers)
    status, _, splash = web.fetch(splash_url)
    say(f"3. splash page: HTTP {status}, {len(splash.encode())} bytes")
    forms = [form for form in web.forms_of(splash) if "t" in form[1]]
    if status != 200 or not forms:
        raise SimulationFailed("no accept form on the splash page")
    accept_action, accept_fields = forms[0]
    if options.voucher is not None:
        accept_action, accept_fields = forms[-1]
        accept_fields = {**accept_fields, "voucher": options.voucher}
    status, headers, body = web.fetch(_absolute(portal, accept_action), accept_fields)
    what = "redeems voucher" if options.voucher is not None else "taps Setuju & Sambungkan"
    say(f"4. phone {what}: HTTP {status}")
    if status != 303:
        raise SimulationFailed(f"the portal refused: HTTP {status} {_text(body)[:160]}")
    login = web.parse_router_login(headers.get("Location", ""), variables["link-login-only"])
    say(f"5. router receives /login: username={login.username} password={login.password}")
    say(f"   dst={login.dst} popup={login.popup}")
    return radius.Login(login, chap_id, challenge, portal)


def _follow(portal: str, status: int, headers: dict) -> str:
    if status != 303:
        raise SimulationFailed(f"expected a 303 to the splash, got HTTP {status}")
    return _absolute(portal, headers.get("Location", ""))


def _absolute(portal: str, url: str) -> str:
    if url.startswith("/"):
        return portal + url
    if not web.same_origin(url, portal):
        raise SimulationFailed(f"the portal sent the phone outside itself: {url[:80]}")
    return url


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
