"""Fixtures of the RouterOS twin: the live portal and our RADIUS server as the central site,
and a twin of the village's router in front of them.

The router's pages come from the portal (`GET /mt/<nas-id>/hotspot/<file>`), fetched by the
twin's scheduler as a router does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from portal.database import db
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

NOTICE = "Layanan pusat sedang terganggu"  # the router pages' emergency notice
ONLINE = "Berhasil! Anda sudah tersambung"  # alogin.html
CONNECTED = "Anda sudah tersambung ke internet"  # status.html


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


def _start_radius(settings: Any) -> Any:
    """Our RADIUS server on free ports; accounting takes auth+1, which another test's
    ephemeral socket may hold, so try again a few times."""
    from radius.server import start

    for _ in range(5):
        try:
            return start(settings, "127.0.0.1", 0, reject_delay=0.0)
        except OSError:
            continue
    return start(settings, "127.0.0.1", 0, reject_delay=0.0)


@pytest.fixture
def central_site(live_portal: LivePortal, world: World) -> Iterator[CentralSite]:
    """The portal and our RADIUS server (no reject delay) on loopback."""
    with live_portal.app.app_context():
        token = db.session.scalar(
            sa.select(Gateway.heartbeat_token).where(Gateway.id == world.gateway_id)
        )
    server = _start_radius(world.settings)
    try:
        site = CentralSite(live_portal, server, token, world.settings)
        yield site
    finally:
        site.radius.stop()


@pytest.fixture
def make_twin(central_site: CentralSite, world: World) -> Iterator[Callable[..., Twin]]:
    """``make_twin(delay_ms=…, loss=…, outage=…, scripts=…, **config)``: a started twin that
    has fetched its pages from the portal (stopped after the test).

    The router's first heartbeat and fetch of its pages cross the link without its delay
    (with its loss and outage): some thirty requests at 350 ms each way took ten seconds
    of every such test, which then measures the phone alone. The fetch across a slow link
    is test_simulate_cli's `test_router_pages_through_a_350ms_link`."""
    twins: list[Twin] = []

    def make(
        *,
        delay_ms: float = 0.0,
        loss: float = 0.0,
        outage: tuple[float, float] | None = None,
        scripts: bool = False,
        **config: Any,
    ) -> Twin:
        conditions = Conditions(delay_ms, loss, *(outage or (None, 0.0)))
        hotspot = HotspotConfig(identity=NAS_ID)
        undelayed = dataclasses.replace(conditions, delay_ms=0.0)
        settings = TwinConfig(hotspot=hotspot, token=central_site.token, conditions=undelayed)
        settings = dataclasses.replace(settings, **config)
        twin = Twin(settings, central_site.central(), Flash(), heartbeat_at_start=False)
        twins.append(twin.start(scripts=False))
        beat = twin.scripts.heartbeat()  # the router's first heartbeat fetches its pages
        assert beat.fetched and twin.flash.has("login.html"), twin.scripts.last_error
        twin.link.conditions = conditions
        if scripts:
            twin.scripts.start(heartbeat_at_start=False)
        return twin

    yield make
    for twin in twins:
        twin.stop()
