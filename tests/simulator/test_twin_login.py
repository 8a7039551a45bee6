"""A phone gets online through the twin's own pages: the splash and the status page cross
no link, the login crosses it once (the Access-Request); RADIUS is our real server."""

from __future__ import annotations

import time

import pytest

from tests.simulator.conftest import CONNECTED, ONLINE


def _accept_form(page):
    return next(form for form in page.forms() if form[1].get("username", "").startswith("wd-t"))


@pytest.mark.parametrize("javascript", [True, False], ids=["chap", "pap"])
def test_login_through_a_350ms_link(make_twin, javascript):
    twin = make_twin(delay_ms=350)
    phone = twin.phone("AA:BB:CC:DD:EE:01", javascript=javascript)
    before = twin.link.snapshot()
    started = time.monotonic()

    splash = phone.captive_check()
    assert splash.status == 200 and "Setuju &amp; Sambungkan" in splash.body
    assert twin.link.snapshot().since(before).round_trips == 0  # the splash crossed nothing

    done = phone.submit(splash, _accept_form(splash))
    online = time.monotonic() - started
    crossed = twin.link.snapshot().since(before)
    assert done.status == 200 and ONLINE in done.body, done.body
    assert twin.hotspot.hosts[phone.mac].active is not None
    # one Access-Request (one round trip); nothing else before the resident is online
    assert twin.link.snapshot("radius-auth").round_trips == 1
    assert crossed.connections == 0 and crossed.datagrams <= 2  # + the Accounting Start
    assert online < 5.0  # generous on a loaded machine; the bench measures ≤ 1.0 s
    assert twin.radius.monitor.accepts == 1

    after_login = twin.link.snapshot()
    status = phone.request(f"{twin.url}/status")
    assert status.status == 200 and CONNECTED in status.body
    assert twin.link.snapshot().since(after_login).connections == 0
    assert twin.link.snapshot().since(after_login).datagrams <= 1  # at most the Start's


def test_a_forged_password_is_refused_with_the_servers_message(make_twin):
    twin = make_twin()
    phone = twin.phone("AA:BB:CC:DD:EE:02")
    splash = phone.captive_check()
    refused = phone.submit(splash, _accept_form(splash), password="0" * 20)
    assert refused.status == 200 and 'role="alert"' in refused.body
    assert "Kode atau kata sandi salah" in refused.body  # our server's Reply-Message
    assert twin.hotspot.hosts[phone.mac].active is None
    assert twin.radius.monitor.rejects == 1
