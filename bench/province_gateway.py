"""A simulated RouterOS 7 hotspot on loopback UDP: its socket, its RADIUS servers, its packets.

Each gateway owns one UDP socket on its own loopback address and the CoA port: it sends
its Access- and Accounting-Requests from there (retransmitting, then failing over to its
second RADIUS server, as RouterOS does with two `/radius` entries) and answers
Disconnect- and CoA-Requests arriving there. Packets carry the attributes of
`portal.simulator.radius` (a RouterOS 7 capture). The `Ledger` keeps what each answered
accounting request told the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from pyrad.packet import AcctPacket, AuthPacket, CoAPacket

from portal.simulator import Options
from portal.simulator.radius import add_traffic, common_attributes
from radius.decode import load_dictionary

DICTIONARY = load_dictionary()
DISCONNECT_REQUEST, DISCONNECT_ACK, DISCONNECT_NAK = 40, 41, 42
COA_REQUEST, COA_ACK = 43, 44
ACCESS_ACCEPT, ACCOUNTING_RESPONSE = 2, 5
SESSION_CONTEXT_NOT_FOUND = 503


@dataclass
class Grant:
    """What the router's /login received: credentials and the CHAP values it issued."""

    username: str
    password: str
    chap_id: bytes
    challenge: bytes


@dataclass
class Device:
    mac: str
    client_ip: str
    logins: list[float]  # real seconds after the day starts
    minutes: list[int]  # simulated session length of each login
    mb_per_minute: float
    heavy: bool


@dataclass
class SessionEntry:
    """What the gateway was told about one session: the last answered counters."""

    nas_id: str
    acct_session_id: str
    last: tuple[int, int, int] | None = None  # input, output, seconds
    interims: int = 0
    starts: int = 0
    stops: int = 0
    cause: str | None = None  # expected terminate cause once closed
    unanswered: list[tuple[int, int, int]] = field(default_factory=list)
    #: Interim-Updates never answered: the server may still have stored them.
    unanswered_interims: int = 0
    #: (status, sent, answered or None) in monotonic seconds, for explaining a mismatch.
    history: list[tuple[str, float, float | None]] = field(default_factory=list)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter = field(default_factory=Counter)
    reply_messages: Counter = field(default_factory=Counter)
    answered_at: list[float] = field(default_factory=list)

    def observe(self, kind: str, seconds: float) -> None:
        self.latencies[kind].append(seconds)
        self.answered_at.append(time.monotonic())


class Ledger:
    """Every accounting request the simulated gateways got an answer for."""

    def __init__(self) -> None:
        self.sessions: dict[tuple[str, str], SessionEntry] = {}

    def entry(self, nas_id: str, acct_session_id: str) -> SessionEntry:
        key = (nas_id, acct_session_id)
        if key not in self.sessions:
            self.sessions[key] = SessionEntry(nas_id, acct_session_id)
        return self.sessions[key]


@dataclass
class LiveSession:
    acct_session_id: str
    kicked: asyncio.Event = field(default_factory=asyncio.Event)
    throttled: bool = False


class Gateway(asyncio.DatagramProtocol):
    """One router: its socket, its RADIUS servers in order, its live sessions."""

    def __init__(
        self, spec, servers: list[tuple[int, int]], stats: Stats, ledger: Ledger, timeout: float
    ) -> None:
        self.spec, self.servers, self.stats, self.ledger = spec, servers, stats, ledger
        self.timeout = timeout
        self.secret = spec.secret.encode()
        self.transport: asyncio.DatagramTransport | None = None
        #: (port, Identifier) → the answer's future and the request's authenticator
        self.pending: dict[tuple[int, int], tuple[asyncio.Future, bytes]] = {}
        self.ids = itertools.count()
        self.live: dict[str, LiveSession] = {}
        self.sequence = itertools.count(1)
        self.epoch = 0  # grows at each reboot: sessions of an older epoch are gone
        self.silent = False
        self.up = asyncio.Event()  # cleared while the router boots
        self.up.set()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple) -> None:  # type: ignore[override]
        if len(data) < 20:
            return
        if data[0] in (DISCONNECT_REQUEST, COA_REQUEST):
            self._dynamic_authorization(data, addr)
            return
        waiting = self.pending.get((addr[1], data[1]))
        if waiting is None:
            return
        future, authenticator = waiting
        # A late answer to an earlier request that had the same Identifier (freed when
        # the router gave up on it) does not answer this one: RFC 2865's Response
        # Authenticator is computed over the request's authenticator.
        expected = hashlib.md5(  # noqa: S324 (RFC 2865/2866 define it with MD5)
            data[:4] + authenticator + data[20:] + self.secret
        ).digest()
        if data[4:20] != expected:
            self.stats.counts["late answer to an earlier request (ignored)"] += 1
            return
        del self.pending[(addr[1], data[1])]
        if not future.done():
            future.set_result(data)

    def _dynamic_authorization(self, data: bytes, addr: tuple) -> None:
        if self.silent:
            return
        request = CoAPacket(secret=self.secret, dict=DICTIONARY, packet=data)
        disconnect = data[0] == DISCONNECT_REQUEST
        self.stats.counts["disconnect received" if disconnect else "CoA received"] += 1
        session_ids = request.get("Acct-Session-Id") or [""]
        live = self.live.get(session_ids[0])
        reply = request.CreateReply()
        if live is None:
            reply.code = DISCONNECT_NAK if disconnect else DISCONNECT_NAK + 3
            reply.AddAttribute("Error-Cause", SESSION_CONTEXT_NOT_FOUND)
            self.stats.counts["CoA/Disconnect NAK 503 (session already gone)"] += 1
        else:
            reply.code = DISCONNECT_ACK if disconnect else COA_ACK
            if disconnect:
                live.kicked.set()
            else:
                live.throttled = True
        self.transport.sendto(reply.ReplyPacket(), addr)

    async def request(self, build: Callable[[int], bytes], auth: bool) -> tuple[bytes | None, int]:
        """Send to the first server, retransmit twice, then fail over; (reply, tries).

        A reboot or silence ends the attempts: a router forgets what it was sending."""
        tries, epoch = 0, self.epoch
        for auth_port, acct_port in self.servers:
            port = auth_port if auth else acct_port
            ident = self._free_id(port)
            data = build(ident)
            for _ in range(3):
                if self.silent or self.epoch != epoch or self.transport is None:
                    return None, tries
                tries += 1
                future = asyncio.get_running_loop().create_future()
                self.pending[(port, ident)] = (future, data[4:20])
                self.transport.sendto(data, ("127.0.0.1", port))
                try:
                    return await asyncio.wait_for(future, self.timeout), tries
                except TimeoutError:
                    self.pending.pop((port, ident), None)
            self.stats.counts["failover to the next RADIUS server"] += 1
        return None, tries

    def _free_id(self, port: int) -> int:
        for _ in range(256):
            ident = next(self.ids) % 256
            if (port, ident) not in self.pending:
                return ident
        raise RuntimeError("256 requests in flight to one server")


def _options(gateway: Gateway, device: Device) -> Options:
    return Options(
        nas_id=gateway.spec.nas_id,
        secret=gateway.spec.secret,
        mac=device.mac,
        client_ip=device.client_ip,
    )


def access_packet(gateway: Gateway, device: Device, grant: Grant, sid: str, ident: int) -> bytes:
    """The hotspot's CHAP Access-Request (attributes as in `portal.simulator.radius`)."""
    pkt = AuthPacket(id=ident, secret=gateway.secret, dict=DICTIONARY)
    for name, value in common_attributes(_options(gateway, device), sid, grant.username).items():
        pkt[name] = value
    pkt["Service-Type"] = "Login-User"
    digest = bytes.fromhex(grant.password)
    pkt["CHAP-Password"] = grant.chap_id + digest
    pkt["CHAP-Challenge"] = grant.challenge
    pkt.add_message_authenticator()
    return pkt.RequestPacket()


def accounting_packet(
    gateway: Gateway,
    device: Device | None,
    *,
    status: str,
    ident: int,
    sid: str = "",
    username: str = "",
    klass: bytes | None = None,
    counters: tuple[int, int, int] | None = None,
    cause: str | None = None,
) -> bytes:
    pkt = AcctPacket(id=ident, secret=gateway.secret, dict=DICTIONARY)
    if device is not None:
        for name, value in common_attributes(_options(gateway, device), sid, username).items():
            pkt[name] = value
    else:
        pkt["NAS-Identifier"] = gateway.spec.nas_id
        pkt["NAS-IP-Address"] = gateway.spec.address
    pkt["Acct-Status-Type"] = status
    pkt["Event-Timestamp"] = int(time.time())
    pkt["Acct-Delay-Time"] = 0
    if klass is not None:
        pkt["Class"] = klass
    if counters is not None:
        upload, download, seconds = counters
        add_traffic(pkt, upload + download, seconds)
    if cause is not None:
        pkt["Acct-Terminate-Cause"] = cause
    return pkt.RequestPacket()


def traffic_split(octets: int) -> tuple[int, int]:
    """(upload, download) as `add_traffic` splits them: a fifth up."""
    return octets // 5, octets - octets // 5
