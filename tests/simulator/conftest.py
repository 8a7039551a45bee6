"""Fixtures of the RouterOS twin: the live portal and our RADIUS server as the central site,
and a twin of the village's router in front of them.

The router's pages come from the portal (`GET /mt/<nas-id>/hotspot/<file>`) when it serves
them; `contract_pages` is a small page set written to the same contract (issue 12), for
tests of the twin itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from portal.database import db
from portal.domain.access import click_through
from portal.domain.credentials import click_through_username
from portal.models import Gateway
from portal.simulator.routeros import Central, Twin, TwinConfig
from portal.simulator.routeros.hotspot import HotspotConfig
from portal.simulator.routeros.link import Conditions
from portal.simulator.routeros.pages import Flash
from tests.splash import conftest as splash
from tests.splash.conftest import GATEWAY_SECRET, NAS_ID, LivePortal, World

# The residents' pages' fixtures, shared: a migrated portal per backend, served live.
backend, splash_settings, portal_app = splash.backend, splash.splash_settings, splash.portal_app
world, live_portal = splash.world, splash.live_portal

NOTICE = "Layanan pusat sedang terganggu"

LOGIN = """<!doctype html><html><head><meta charset="utf-8"><script src="/md5.js"></script>
</head><body><h1>$(identity)</h1>
$(if error)<p id="error">$(error)</p>$(endif)
$(if trial == 'yes')<p id="emergency">{notice} — akses darurat 30 menit, kecepatan terbatas</p>
<form name="trial" action="$(link-login-only)" method="post">
<input type="hidden" name="username" value="T-$(mac)">
<input type="hidden" name="dst" value="$(link-orig-esc)"><button>Darurat</button></form>
$(endif)
<form name="accept" action="$(link-login-only)" method="post">
<input type="hidden" name="username" value="{username}">
<input type="hidden" name="password" value="{password}">
<input type="hidden" name="dst" value="$(link-orig-esc)">
<input type="hidden" name="popup" value="false"><button>Setuju &amp; Sambungkan</button></form>
$(if chap-id)<script>function doLogin(f) {{
f.password.value = hexMD5('$(chap-id)' + f.password.value + '$(chap-challenge)'); }}</script>
$(endif)</body></html>"""

STATUS = """<!doctype html><html><body><p id="state">Tersambung $(username)</p>
<p id="left">$(session-time-left)</p><p id="bytes">$(remain-bytes-total)</p>
<a href="$(link-logout)">Keluar</a></body></html>"""


def contract_pages(world: World) -> dict[str, bytes]:
    """A page set to issue 12's contract for the seeded gateway and terms version."""
    password = click_through.password(world.settings.secret_key, world.gateway_id, world.terms_id)
    login = LOGIN.format(
        notice=NOTICE, username=click_through_username(world.terms_id), password=password
    )
    return {
        "login.html": login.encode(),
        "status.html": STATUS.encode(),
        "alogin.html": b'<p id="done">Berhasil</p><a href="$(link-status)">status</a>',
        "logout.html": b"<p>Keluar</p>",
        "errors.txt": b"# errors\nradius-timeout = Server RADIUS tidak menjawab\n",
    }


@dataclass
class CentralSite:
    portal: LivePortal
    radius: Any
    token: str
    settings: Any

    def central(self) -> Central:
        host, port = self.portal.url.removeprefix("http://").split(":")
        return Central(
            (host, int(port)),
            [("127.0.0.1", self.radius.auth_port, self.radius.acct_port, GATEWAY_SECRET)],
        )


@pytest.fixture
def central_site(live_portal: LivePortal, world: World) -> Iterator[CentralSite]:
    """The portal and our RADIUS server (no reject delay) on loopback."""
    from radius.server import start

    with live_portal.app.app_context():
        token = db.session.scalar(
            sa.select(Gateway.heartbeat_token).where(Gateway.id == world.gateway_id)
        )
    server = start(world.settings, "127.0.0.1", 0, reject_delay=0.0)
    try:
        site = CentralSite(live_portal, server, token, world.settings)
        yield site
    finally:
        site.radius.stop()


@pytest.fixture
def make_twin(central_site: CentralSite, world: World) -> Iterator[Callable[..., Twin]]:
    """``make_twin(delay_ms=…, scale=…, pages=…, **config)``: a started twin (stopped after)."""
    twins: list[Twin] = []

    def make(
        *,
        delay_ms: float = 0.0,
        loss: float = 0.0,
        outage: tuple[float, float] | None = None,
        pages: dict[str, bytes] | None = None,
        scripts: bool = False,
        **config: Any,
    ) -> Twin:
        conditions = Conditions(delay_ms, loss, *(outage or (None, 0.0)))
        hotspot = HotspotConfig(identity=NAS_ID)
        settings = TwinConfig(hotspot=hotspot, token=central_site.token, conditions=conditions)
        settings = dataclasses.replace(settings, **config)
        flash = Flash(pages if pages is not None else contract_pages(world), "contract")
        twin = Twin(settings, central_site.central(), flash).start(scripts=scripts)
        twins.append(twin)
        return twin

    yield make
    for twin in twins:
        twin.stop()
