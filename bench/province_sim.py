"""Simulated RouterOS 7 hotspot gateways and their residents, on asyncio over loopback UDP.

Each gateway owns one UDP socket on its own loopback address and the CoA port: it sends
its Access- and Accounting-Requests from there (retransmitting, then failing over to its
second RADIUS server, as RouterOS does with two `/radius` entries) and answers
Disconnect- and CoA-Requests arriving there. Each device is a coroutine that logs in at
its planned times (grant, CHAP Access-Request), then sends Start, Interim-Updates and
Stop. Every answered accounting request is written into the `Ledger`, which the
reconciliation compares with the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pyrad.packet import AcctPacket, AuthPacket, CoAPacket, Packet

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
        self.pending: dict[tuple[int, int], asyncio.Future] = {}
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
        future = self.pending.pop((addr[1], data[1]), None)
        if future is not None and not future.done():
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
                self.pending[(port, ident)] = future
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


@dataclass
class Day:
    """The compressed day: its length in real seconds, how fast simulated time runs."""

    seconds: float
    interim_sim_seconds: int
    started: float = 0.0

    @property
    def scale(self) -> float:
        return 86_400 / self.seconds

    async def until(self, offset: float) -> None:
        await asyncio.sleep(max(0.0, self.started + offset - time.monotonic()))


GrantFunction = Callable[[Gateway, Device], Awaitable[Grant | None]]


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


async def device_day(gateway: Gateway, device: Device, day: Day, grant_for: GrantFunction) -> None:
    """One device's logins over the day, each with its session."""
    stats = gateway.stats
    for offset, minutes in zip(device.logins, device.minutes, strict=True):
        await day.until(offset)
        await gateway.up.wait()  # a booting router shows no login page
        if gateway.silent:
            return
        grant = await grant_for(gateway, device)
        if grant is None:
            stats.counts["grant failed"] += 1
            continue
        sid = f"{gateway.spec.index:03x}{next(gateway.sequence):05x}"
        sent, epoch = time.monotonic(), gateway.epoch
        reply, _ = await gateway.request(
            lambda ident, g=grant, s=sid: access_packet(gateway, device, g, s, ident), True
        )
        if reply is None:
            stats.counts["Access-Request unanswered"] += 1
            continue
        if gateway.epoch != epoch:
            continue  # the router rebooted meanwhile and forgot this login
        answer = Packet(packet=reply, dict=DICTIONARY, secret=gateway.secret)
        if answer.code != ACCESS_ACCEPT:
            stats.observe("Access-Reject", time.monotonic() - sent)
            for message in answer.get("Reply-Message", []):
                stats.reply_messages[message] += 1
            continue
        stats.observe("Access-Accept", time.monotonic() - sent)
        timeout = (answer.get("Session-Timeout") or [minutes * 60])[0]
        klass = (answer.get("Class") or [None])[0]
        await _session(gateway, device, day, sid, grant.username, klass, min(minutes * 60, timeout))


async def _session(
    gateway: Gateway,
    device: Device,
    day: Day,
    sid: str,
    username: str,
    klass: bytes | None,
    length: int,
) -> None:
    epoch, live = gateway.epoch, LiveSession(sid)
    gateway.live[sid] = live
    entry = gateway.ledger.entry(gateway.spec.nas_id, sid)
    octets = elapsed = 0
    status, cause = "Start", None
    try:
        while True:
            upload, download = traffic_split(octets)
            counters = (upload, download, elapsed) if status != "Start" else (0, 0, 0)
            await _account(gateway, device, entry, status, sid, username, klass, counters, cause)
            if status == "Stop":
                return
            step = min(day.interim_sim_seconds, length - elapsed)
            if step <= 0:
                status, cause = "Stop", "Session-Timeout"
                continue
            kicked = await _wait(live.kicked, step / day.scale)
            if gateway.epoch != epoch or gateway.silent:
                return  # rebooted or gone silent: the session vanishes without a Stop
            elapsed += step
            rate = 0.25 if live.throttled else device.mb_per_minute
            octets += int(rate * 1_000_000 * step / 60)
            if kicked:
                status, cause = "Stop", "Admin-Reset"
            elif elapsed >= length:
                status, cause = "Stop", "User-Request"
            else:
                status = "Interim-Update"
    finally:
        gateway.live.pop(sid, None)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True


_KINDS = {"Start": "Accounting Start", "Interim-Update": "Interim-Update", "Stop": "Stop"}


async def _account(
    gateway: Gateway,
    device: Device,
    entry: SessionEntry,
    status: str,
    sid: str,
    username: str,
    klass: bytes | None,
    counters: tuple[int, int, int],
    cause: str | None,
) -> bool:
    sent = time.monotonic()
    request = gateway.request(
        lambda ident: accounting_packet(
            gateway,
            device,
            status=status,
            ident=ident,
            sid=sid,
            username=username,
            klass=klass,
            counters=counters,
            cause=cause,
        ),
        False,
    )
    try:
        reply, _ = await request
    except asyncio.CancelledError:  # the run's time limit: the request may still be stored
        entry.unanswered.append(counters)
        entry.unanswered_interims += status == "Interim-Update"
        raise
    kind = _KINDS[status]
    entry.history.append((status, sent, time.monotonic() if reply is not None else None))
    if reply is None or reply[0] != ACCOUNTING_RESPONSE:
        gateway.stats.counts[f"{kind} unanswered"] += 1
        entry.unanswered.append(counters)
        entry.unanswered_interims += status == "Interim-Update"
        return False
    gateway.stats.observe(kind, time.monotonic() - sent)
    entry.last, entry.unanswered = counters, []
    entry.starts += status == "Start"
    entry.interims += status == "Interim-Update"
    if status == "Stop":
        entry.stops += 1
        entry.cause = cause
    return True


async def reboot(gateway: Gateway, day: Day, at: float, down_seconds: float) -> None:
    """Power-cycle the router at ``at``: sessions vanish, then Accounting-On."""
    await day.until(at)
    if gateway.silent:
        return
    gateway.epoch += 1
    gateway.up.clear()
    gone = list(gateway.live)
    gateway.live.clear()
    await asyncio.sleep(down_seconds)
    sent = time.monotonic()
    reply, _ = await gateway.request(
        lambda ident: accounting_packet(gateway, None, status="Accounting-On", ident=ident),
        False,
    )
    gateway.up.set()
    if reply is None:
        gateway.stats.counts["Accounting-On unanswered"] += 1
        return
    gateway.stats.observe("Accounting-On", time.monotonic() - sent)
    for sid in gone:
        entry = gateway.ledger.entry(gateway.spec.nas_id, sid)
        if entry.cause is None:
            entry.cause = "NAS-Reboot"


async def go_silent(gateway: Gateway, day: Day, at: float) -> None:
    """From ``at`` on the router sends and answers nothing (power cut, uplink gone)."""
    await day.until(at)
    gateway.silent = True
    for sid in gateway.live:
        entry = gateway.ledger.entry(gateway.spec.nas_id, sid)
        if entry.cause is None:
            entry.cause = "Stale-Session"


def chap_response(chap_id: bytes, secret: str, challenge: bytes) -> str:
    return hashlib.md5(chap_id + secret.encode() + challenge).hexdigest()  # noqa: S324
