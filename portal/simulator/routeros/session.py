"""`wifidesa simulate` on the twin: a router, its link, a phone, and the whole session.

The router fetches its pages from the portal across the link, a phone gets online (the
router's pages or today's portal-hosted splash, see `play`), opens the status page, moves
traffic (Interim-Updates) and logs out (Stop). With an outage window the router's netwatch
runs and the phone tries again every 30 router seconds until it is on. The last line is
``online in <seconds> s, <n> round trips across the link``.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from portal.simulator.radius import why_silent
from portal.simulator.routeros import Central, Twin, TwinConfig
from portal.simulator.routeros.hotspot import HotspotConfig
from portal.simulator.routeros.link import Conditions
from portal.simulator.routeros.play import LoginFailed, labels, log_in, round_trips

__all__ = ["TwinOptions", "simulate"]

RETRY_EVERY = 30.0  # router seconds between a resident's tries while the login fails


@dataclass(frozen=True)
class TwinOptions:
    nas_id: str
    secret: str
    portal: str
    radius: tuple[str, int]
    mac: str = "02:00:00:00:00:01"
    flow: str = "router"
    voucher: str | None = None
    token: str = ""
    hotspot_host: str = "10.5.50.1"
    delay_ms: float = 0.0
    loss: float = 0.0
    outage_start_s: float | None = None
    outage_s: float = 0.0
    scale: float = 1.0
    timeout: float = 3.0
    bytes: int = 50_000_000
    interim_updates: int = 2
    javascript: bool = True


def simulate(options: TwinOptions, say: Callable[[str], None] = print) -> int:
    """Play it all; 0 when the phone got online and accounting was answered, else 1."""
    portal = urllib.parse.urlsplit(options.portal)
    if portal.scheme != "http" or not portal.hostname:
        say("FAILED: --portal must be an http:// URL (the twin's link relays plain TCP)")
        return 1
    central = Central(
        (portal.hostname, portal.port or 80),
        [(options.radius[0], options.radius[1], options.radius[1] + 1, options.secret)],
    )
    config = TwinConfig(
        hotspot=HotspotConfig(identity=options.nas_id, hotspot_address=options.hotspot_host),
        token=options.token,
        radius_timeout=options.timeout,
        conditions=Conditions(options.delay_ms, options.loss),
        scale=options.scale,
    )
    twin = Twin(config, central, heartbeat_at_start=False).start(scripts=False)
    try:
        return _play(twin, options, say)
    finally:
        twin.stop()


def _play(twin: Twin, options: TwinOptions, say: Callable[[str], None]) -> int:
    say(f"link: {options.delay_ms:g} ms each way, loss {options.loss:g}"
        + (f", outage from {options.outage_start_s:g} s for {options.outage_s:g} s"
           if options.outage_start_s is not None else "")
        + f"; router clock ×{options.scale:g}")  # fmt: skip
    if not _fetch_pages(twin, options, say):
        return 1
    # The router had its pages before the outage: its window starts now.
    window = (options.outage_start_s, options.outage_s)
    twin.link.conditions = Conditions(options.delay_ms, options.loss, *window)
    twin.link.start_outage_clock()
    if options.outage_start_s is not None:
        twin.scripts.start(heartbeat_at_start=False)  # netwatch and the hotspot's timers
    phone = twin.phone(options.mac, javascript=options.javascript, portal=options.portal)
    before, started = labels(twin), time.monotonic()
    give_up = twin.clock.seconds() + (options.outage_start_s or 0) + options.outage_s + 600
    while True:
        try:
            log_in(twin, phone, flow=options.flow, voucher=options.voucher, say=say)
            break
        except LoginFailed as failure:
            answer = twin.radius.last_access
            if answer is not None and answer.code is None and twin.clock.seconds() < give_up \
                    and options.outage_start_s is not None:  # fmt: skip
                say(f"   not online ({failure}); the resident tries again in {RETRY_EVERY:g} s")
                twin.clock.wait(RETRY_EVERY)
                continue
            say(f"FAILED: {failure}")
            if answer is not None and answer.code is None:
                say("   " + why_silent(options.radius[0], options.radius[1], options.nas_id))
            return 1
    seconds, trips = time.monotonic() - started, round_trips(twin, before)
    code = _after_login(twin, phone, options, say)
    say(f"online in {seconds:.2f} s, {trips} round trips across the link")
    return code


def _fetch_pages(twin: Twin, options: TwinOptions, say: Callable[[str], None]) -> bool:
    if options.flow == "portal":
        # Today's router page: a form that posts the router's variables to the portal.
        nas = urllib.parse.quote(options.nas_id, safe="")
        files = {}
        for name in ("login.html", "status.html"):
            status, body = twin.scripts.request("GET", f"/mt/{nas}/{name}")
            if status != 200:
                say(
                    f"FAILED: the portal has no router page for this NAS-Identifier (HTTP {status})"
                )
                return False
            files[name] = body
        twin.flash.replace(files, "portal")
    elif not twin.scripts.fetch("simulate") or not twin.flash.has("login.html"):
        problem = twin.scripts.last_error or "no login.html"
        say(f"FAILED: the portal has no router pages for this NAS-Identifier ({problem})")
        return False
    size = twin.flash.size()
    say(f"router fetches its pages across the link: {size} bytes")
    return True


def _after_login(twin: Twin, phone, options: TwinOptions, say: Callable[[str], None]) -> int:
    before = labels(twin)
    status = phone.request(f"{twin.url}/status")
    say(f"status page from the router: HTTP {status.status}, "
        f"{round_trips(twin, before)} round trips across the link")  # fmt: skip
    hotspot = twin.hotspot
    session = hotspot.hosts[phone.mac].active
    if session is None or session.trial:
        say("   (emergency access: the router keeps no RADIUS accounting for it)")
        hotspot.logout(phone.mac)
        return 0
    steps = options.interim_updates + 1
    for _ in range(options.interim_updates):
        hotspot.transfer(phone.mac, options.bytes // steps)
        hotspot.send_interim(phone.mac)
    hotspot.transfer(phone.mac, options.bytes - options.bytes // steps * options.interim_updates)
    hotspot.logout(phone.mac, "User-Request")
    expected = options.interim_updates + 2
    deadline = time.monotonic() + 3 * (options.timeout + 2 * options.delay_ms / 1000) + 2
    while len(twin.radius.accounting_answers) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    answered = 0
    for kind, answer in list(twin.radius.accounting_answers):
        say(f"Accounting {kind}: {'answered' if answer.code == 5 else 'no answer'}")
        answered += answer.code == 5
    return 0 if answered == expected else 1
