"""A twin of a RouterOS 7 hotspot, on loopback, behind a simulated satellite link.

`Twin` puts together: the hotspot servlet a phone talks to (`servlet`), logins and sessions
(`hotspot`), the RADIUS client (`radius_client`), the scheduler's heartbeat and fetch and
netwatch's emergency switch (`scheduler`), the html-directory (`pages.Flash`) rendered with
RouterOS's substitution (`substitution`), and the link to the central server (`link`), on a
clock that can run faster than real time (`clock`). `phone.Phone` plays a resident.
Every behaviour cites the MikroTik manual; see docs/routeros-twin.md.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.hotspot import Hotspot, HotspotConfig
from portal.simulator.routeros.link import Conditions, Link
from portal.simulator.routeros.pages import Flash
from portal.simulator.routeros.phone import Phone
from portal.simulator.routeros.radius_client import RadiusClient, RadiusServerEntry
from portal.simulator.routeros.scheduler import EchoHost, Netwatch, Scripts
from portal.simulator.routeros.servlet import Servlet
from portal.web.router_edge_scripts import NETWATCH, NetwatchProbe

__all__ = ["Central", "Twin", "TwinConfig"]


@dataclass(frozen=True)
class Central:
    """Where the central server listens (real loopback addresses, before the link)."""

    portal: tuple[str, int]
    radius: list[tuple[str, int, int, str]]  # (host, auth port, acct port, secret), in order


@dataclass(frozen=True)
class TwinConfig:
    hotspot: HotspotConfig
    token: str = ""
    radius_timeout: float = 3.0  # the generated .rsc's value for a GEO link (§8.3)
    radius_resends: int = 0
    scheduler_interval: float = 600.0
    netwatch_interval: float = float(NETWATCH.interval_s)  # the .rsc's
    watch_interval: float = 60.0
    netwatch_timeout: float = 1.5
    #: The probe's packets and thresholds: the .rsc's (RouterOS's own defaults fail every
    #: probe across a satellite link: `router_edge_scripts.ROUTEROS_DEFAULT_PROBE`).
    netwatch_probe: NetwatchProbe = NETWATCH
    emergency_after: float = 180.0
    http_timeout: float = 5.0
    conditions: Conditions = field(default_factory=Conditions)
    scale: float = 1.0


class Twin:
    """Start with `start()` (or `with Twin(...) as twin:`); `stop()` ends every thread."""

    def __init__(self, config: TwinConfig, central: Central, flash: Flash | None = None,
                 *, heartbeat_at_start: bool = True) -> None:  # fmt: skip
        self.config = config
        self.clock = Clock(config.scale)
        self.link = Link(self.clock, config.conditions)
        self.echo = EchoHost()
        entries = []
        for host, auth, acct, secret in central.radius:
            auth_relay = self.link.udp((host, auth), "radius-auth")
            acct_relay = self.link.udp((host, acct), "radius-acct")
            entries.append(RadiusServerEntry(*auth_relay, acct_relay[1], secret))
        self.radius = RadiusClient(entries, config.radius_timeout, config.radius_resends)
        self.hotspot = Hotspot(config.hotspot, self.clock, self.radius)
        self.flash = flash or Flash()
        self.servlet = Servlet(self.hotspot, self.flash)
        self.scripts = Scripts(
            self.hotspot,
            self.flash,
            self.clock,
            portal=self.link.tcp(central.portal, "portal"),
            token=config.token,
            netwatch=Netwatch(
                self.link.udp(self.echo.address, "netwatch"),
                config.netwatch_timeout,
                config.netwatch_probe,
            ),
            interval=config.scheduler_interval,
            netwatch_interval=config.netwatch_interval,
            watch_interval=config.watch_interval,
            emergency_after=config.emergency_after,
            http_timeout=config.http_timeout,
        )
        self._heartbeat_at_start = heartbeat_at_start
        self.portal_via_link = "http://{}:{}".format(*self.scripts.portal)

    @property
    def url(self) -> str:
        """The hotspot's address as phones use it (`$(hostname)`)."""
        return f"http://{self.servlet.hostname}"

    def phone(self, mac: str, *, javascript: bool = True, portal: str | None = None) -> Phone:
        """A phone on this hotspot; requests to `portal` (an origin) cross the link."""
        routes = {self.servlet.hostname: self.servlet.address}
        if portal:
            routes[urllib.parse.urlsplit(portal).netloc] = self.scripts.portal
        return Phone(mac, self.servlet.address, routes, javascript=javascript)

    def start(self, scripts: bool = True) -> Twin:
        self.servlet.start()
        if scripts:
            self.scripts.start(self._heartbeat_at_start)
        return self

    def stop(self) -> None:
        self.scripts.stop()
        self.hotspot.close()
        self.servlet.stop()
        self.link.close()
        self.echo.close()

    def __enter__(self) -> Twin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
