"""RADIUS clients: the gateways of the database, cached for the packet path.

A gateway is identified by the packet's source address plus its NAS-Identifier, since
several routers may share one address (carrier NAT, a VPN concentrator, the demo on
127.0.0.1). The cache is reloaded every few seconds and, rate-limited, when a packet
names a gateway it does not know, so adding or changing a gateway needs no restart
and a flood of unknown sources cannot turn into a flood of queries.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from portal.domain.network.gateways import InvalidGateway, normalize_address
from portal.models import Gateway, Village

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Client:
    """One gateway as the packet path needs it (no ORM object crosses threads)."""

    gateway_id: int
    nas_identifier: str
    village_kode: str
    timezone: str
    secret: bytes
    require_message_authenticator: bool
    coa_port: int
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    #: "satellite", "radio", "fibre" or None: lengthens Acct-Interim-Interval.
    backhaul_class: str | None = None

    def accepts(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return address.version == self.network.version and address in self.network


def load_clients(session: Session) -> list[Client]:
    """Every gateway with a parseable source address; bad addresses are logged, skipped."""
    rows = session.execute(
        sa.select(Gateway, Village.timezone).join(Village, Gateway.village_kode == Village.kode)
    ).all()
    clients = []
    for gateway, timezone in rows:
        try:  # the rule the console and the CLI apply, for rows written some other way
            network = ipaddress.ip_network(normalize_address(gateway.source_address))
        except InvalidGateway:
            log.warning("gateway %s has an invalid or wildcard source address; ignored", gateway.id)
            continue
        clients.append(
            Client(
                gateway_id=gateway.id,
                nas_identifier=gateway.nas_identifier,
                village_kode=gateway.village_kode,
                timezone=timezone,
                secret=gateway.secret.encode(),
                require_message_authenticator=gateway.require_message_authenticator,
                coa_port=gateway.coa_port,
                network=network,
                backhaul_class=gateway.backhaul_class,
            )
        )
    return clients


class ClientCache:
    """Finds the gateway a packet came from.

    ``refresh_interval``: seconds between regular reloads. ``miss_interval``: the
    shortest gap between reloads caused by unknown packets.
    """

    def __init__(
        self,
        sessions: sessionmaker,
        *,
        refresh_interval: float = 5.0,
        miss_interval: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._refresh_interval = refresh_interval
        self._miss_interval = miss_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._by_address: dict[str, list[Client]] = {}
        self._networks: list[Client] = []
        self._by_id: dict[int, Client] = {}
        self._loaded_at = float("-inf")

    def refresh(self) -> None:
        """Reload every gateway now. Raises SQLAlchemyError when the database fails."""
        with self._sessions() as session:
            clients = load_clients(session)
        by_address: dict[str, list[Client]] = {}
        networks = []
        for client in clients:
            if client.network.num_addresses == 1:
                by_address.setdefault(str(client.network.network_address), []).append(client)
            else:
                networks.append(client)
        self._by_address, self._networks = by_address, networks
        self._by_id = {client.gateway_id: client for client in clients}
        self._loaded_at = self._monotonic()

    def _maybe_refresh(self, interval: float) -> None:
        if self._monotonic() - self._loaded_at < interval:
            return
        with self._lock:
            if self._monotonic() - self._loaded_at < interval:
                return
            try:
                self.refresh()
            except sa.exc.SQLAlchemyError:
                # keep the cached gateways; the engine's outage log says why it failed
                log.debug("reloading gateways failed; keeping the cached ones")
                self._loaded_at = self._monotonic()

    def by_id(self, gateway_id: int) -> Client | None:
        self._maybe_refresh(self._refresh_interval)
        return self._by_id.get(gateway_id)

    def lookup(self, source_ip: str, nas_identifier: str | None) -> Client | None:
        """The gateway for a source address and NAS-Identifier, or None if unknown.

        Without a NAS-Identifier the address alone must name exactly one gateway.
        """
        self._maybe_refresh(self._refresh_interval)
        found = self._find(source_ip, nas_identifier)
        if found is None:
            self._maybe_refresh(self._miss_interval)
            found = self._find(source_ip, nas_identifier)
        return found

    def _find(self, source_ip: str, nas_identifier: str | None) -> Client | None:
        candidates = self._by_address.get(source_ip, [])
        if self._networks:
            try:
                address = ipaddress.ip_address(source_ip)
            except ValueError:
                return None
            candidates = candidates + [c for c in self._networks if c.accepts(address)]
        if nas_identifier is None:
            return candidates[0] if len(candidates) == 1 else None
        for client in candidates:
            if client.nas_identifier == nas_identifier:
                return client
        return None
