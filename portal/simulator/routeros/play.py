"""One resident getting online through the twin, timed and counted: what `wifidesa simulate`
prints and `bench/edge_bench.py` measures.

Two flows, through the same twin and link:
* ``router``: the pages live on the router (issue 12). The phone's captive check gets the
  router's login.html; the tap logs in at the router, which asks RADIUS across the link.
* ``portal``: today's portal-hosted splash. The router's login.html posts the router's
  variables to the portal's /hotspot, the phone follows to the splash, accepts, and is sent
  back to the router's /login, which asks RADIUS.
Time runs from the phone's first request to the page the router shows after the
Access-Accept; the round trips counted are those across the link in that time (accounting,
which the router sends after the Accept, is left out).
"""

from __future__ import annotations

import html
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from portal.simulator.routeros import Twin
from portal.simulator.routeros.link import Counters
from portal.simulator.routeros.phone import Page, Phone

__all__ = ["Login", "LoginFailed", "log_in", "round_trips"]

TRIAL_LINK = re.compile(r'href="(/login\?username=T-[^"]*)"')  # the router's trial login


class LoginFailed(Exception):
    """The phone did not get online; the message says at which step."""


@dataclass
class Login:
    seconds: float
    round_trips: int
    splash_round_trips: int
    steps: list[str]
    url: str = ""  # the page the phone ended on (today's flow: the portal's status page)


def round_trips(twin: Twin, since: dict[str, Counters]) -> int:
    """Round trips across the link since `since` (a `labels` snapshot), accounting and
    netwatch left out."""
    now = labels(twin)
    return sum(
        now[label].round_trips - since.get(label, Counters()).round_trips
        for label in now
        if label not in ("radius-acct", "netwatch")
    )


def labels(twin: Twin) -> dict[str, Counters]:
    return {label: twin.link.snapshot(label) for label in list(twin.link.by_label)}


def log_in(
    twin: Twin,
    phone: Phone,
    *,
    flow: str = "router",
    voucher: str | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Login:
    """Play one login; returns its time and round trips. Raises LoginFailed."""
    before = labels(twin)
    started = time.monotonic()
    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)
        say(text)

    page = phone.captive_check()
    splash_trips = round_trips(twin, before)
    size = len(page.body.encode())
    step(f"phone's captive check → the router's login page: HTTP {page.status}, {size} bytes, "
         f"{splash_trips} round trips across the link")  # fmt: skip
    if page.status != 200:
        raise LoginFailed(f"the router's login page: HTTP {page.status}")
    if flow == "portal":
        page, splash_trips = _through_portal(phone, page, voucher, step,
                                             lambda: round_trips(twin, before))  # fmt: skip
    else:
        page = _at_router(phone, page, voucher, step)
    seconds = time.monotonic() - started
    trips = round_trips(twin, before)
    answer = twin.radius.last_access
    if answer is not None:
        code = {2: "Access-Accept", 3: "Access-Reject"}.get(answer.code or 0, "no answer")
        step(f"router's Access-Request (CHAP/PAP, Message-Authenticator) → {code}")
        for name in sorted(answer.attributes):
            step(f"     {name} = {', '.join(_printable(v) for v in answer.attributes[name])}")
    host = twin.hotspot.hosts.get(phone.mac)
    if host is None or host.active is None:
        raise LoginFailed(_failure(twin, page))
    step(f"the router shows: {_text(page.body)[:100]}")
    return Login(seconds, trips, splash_trips, steps, page.url)


def _accept_form(page: Page, voucher: str | None) -> tuple[str, dict[str, str]]:
    forms = page.forms()
    if voucher is not None:
        for action, fields in forms:
            if "username" in fields and not fields.get("username"):
                return action, {**fields, "username": voucher, "password": voucher}
        raise LoginFailed("no voucher box on the router's login page")
    for form in forms:
        if form[1].get("username", "").startswith("wd-t"):
            return form
    raise LoginFailed("no Setuju & Sambungkan button on the router's login page")


def _at_router(phone: Phone, page: Page, voucher: str | None, step) -> Page:
    trial = TRIAL_LINK.search(page.body)
    if trial is not None and voucher is None:  # emergency access: the button is a trial link
        target = urllib.parse.urljoin(page.url, html.unescape(trial[1]))
        done = phone.follow(phone.request(target))
        step(f"the page shows the emergency notice; phone taps its button: HTTP {done.status}")
        return done
    form = _accept_form(page, voucher)
    what = "redeems a voucher" if voucher else "taps Setuju & Sambungkan"
    done = phone.follow(phone.submit(page, form))
    step(f"phone {what} → the router's /login: HTTP {done.status}")
    return done


def _through_portal(phone: Phone, page: Page, voucher: str | None, step,
                    trips: Callable[[], int]) -> tuple[Page, int]:  # fmt: skip
    """Today's flow: router page → portal /hotspot → splash → accept → router /login."""
    action, fields = page.forms()[0]
    entry = phone.request(urllib.parse.urljoin(page.url, action), fields)
    step(f"the router's page posts its variables to {action}: HTTP {entry.status}")
    splash = phone.follow(entry)
    splash_trips = trips()
    step(f"splash page from the portal: HTTP {splash.status}, {len(splash.body.encode())} bytes, "
         f"{splash_trips} round trips across the link")  # fmt: skip
    forms = [form for form in splash.forms() if "t" in form[1]]
    if splash.status != 200 or not forms:
        raise LoginFailed("no accept form on the portal's splash page")
    action, fields = forms[-1] if voucher is not None else forms[0]
    if voucher is not None:
        fields = {**fields, "voucher": voucher}
    accepted = phone.request(urllib.parse.urljoin(splash.url, action), fields)
    step(f"phone taps Setuju & Sambungkan on the portal: HTTP {accepted.status}")
    if accepted.status != 303:
        raise LoginFailed(
            f"the portal refused: HTTP {accepted.status} {_text(accepted.body)[:120]}"
        )
    done = phone.follow(accepted)
    step(f"the portal sends the phone to the router's /login: HTTP {done.status}")
    return done, splash_trips


def _failure(twin: Twin, page: Page) -> str:
    answer = twin.radius.last_access
    if answer is not None and answer.code is None:
        return "RADIUS did not answer the router (see below)"
    return f"not online: {_text(page.body)[:160]}"


def _printable(value: object) -> str:
    if isinstance(value, bytes):
        text = value.decode("ascii", "replace")
        return text if text.isprintable() and "\ufffd" not in text else value.hex()
    return str(value)


def _text(markup: str) -> str:
    without = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", markup, flags=re.S)
    return " ".join(without.split())
