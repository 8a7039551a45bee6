"""Residents and their routers through a compressed day, on asyncio.

Each device is a coroutine that logs in at its planned times (grant, CHAP Access-Request),
then sends Start, Interim-Updates and Stop through its gateway (province_gateway.py),
stops when the server disconnects it, and vanishes without a Stop when its router reboots
or falls silent. Every answered accounting request is written into the gateway's `Ledger`,
which the reconciliation compares with the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from province_gateway import (
    ACCESS_ACCEPT,
    ACCOUNTING_RESPONSE,
    DICTIONARY,
    Device,
    Gateway,
    Grant,
    LiveSession,
    SessionEntry,
    access_packet,
    accounting_packet,
    traffic_split,
)
from pyrad.packet import Packet


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
