"""Load generation for the RADIUS benchmark: closed and open loops over prepared packets.

Packets are prepared ahead (signed, with their Identifiers) and dealt into lanes, one UDP
socket each. Each result carries the server's CPU time over the run, read from /proc.
"""

from __future__ import annotations

import os
import selectors
import socket
import time
from dataclasses import dataclass
from pathlib import Path

LANES = 8


@dataclass
class Result:
    name: str
    answered: int
    accepted: int
    unanswered: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    @property
    def cpu_per_request(self) -> float:
        """Server CPU time (user + system, all threads) per answered request, in µs."""
        return self.cpu_seconds / max(1, self.answered) * 1e6

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.rate:>9,.0f} req/s   p50 {self.percentile(0.5):6.2f} ms"
            f"   p99 {self.percentile(0.99):7.2f} ms   ok {self.accepted:>7,}"
            f"   unanswered {self.unanswered:,}   server CPU {self.cpu_per_request:5.0f} µs/req"
        )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    name: str, port: int, lanes: list[list[bytes]], seconds: float, in_flight: int, pid: int
) -> Result:
    """Closed-loop load: keep ``in_flight`` requests outstanding until time or packets run out.

    ``pid`` is the server's process, whose CPU time is measured over the run.
    """
    cpu_before = cpu_seconds(pid)
    per_lane = max(1, in_flight // LANES)
    selector = selectors.DefaultSelector()
    socks, pending, cursor = [], [], [0] * LANES
    for lane in range(LANES):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_READ, lane)
        socks.append(sock)
        pending.append({})
    latencies: list[float] = []
    accepted = unanswered = 0

    def send_next(lane: int, now: float) -> None:
        if cursor[lane] < len(lanes[lane]):
            data = lanes[lane][cursor[lane]]
            cursor[lane] += 1
            pending[lane][data[1]] = now
            socks[lane].send(data)

    started = time.perf_counter()
    for lane in range(LANES):
        for _ in range(per_lane):
            send_next(lane, started)
    deadline, last_sweep = started + seconds, started
    while (now := time.perf_counter()) < deadline and any(pending):
        for key, _ in selector.select(0.05):
            lane = key.data
            while True:
                try:
                    reply = socks[lane].recv(4096)
                except BlockingIOError:
                    break
                sent = pending[lane].pop(reply[1], None)
                if sent is None:
                    continue
                now = time.perf_counter()
                latencies.append(now - sent)
                accepted += reply[0] in (2, 5)
                send_next(lane, now)
        if now - last_sweep > 0.1:  # a request unanswered for 1 s is lost: move on
            last_sweep = now
            for lane in range(LANES):
                for ident, sent in list(pending[lane].items()):
                    if now - sent > 1.0:
                        del pending[lane][ident]
                        unanswered += 1
                        send_next(lane, now)
    elapsed = time.perf_counter() - started
    for sock in socks:
        sock.close()
    result = Result(name, len(latencies), accepted, unanswered, elapsed, latencies)
    result.cpu_seconds = cpu_seconds(pid) - cpu_before
    return result


def paced(
    name: str, port: int, lanes: list[list[bytes]], rate: float, seconds: float, pid: int
) -> Result:
    """Open-loop load: send at a fixed ``rate`` whatever the answers, measure latency."""
    cpu_before = cpu_seconds(pid)
    socks = []
    for _ in range(LANES):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        socks.append(sock)
    selector = selectors.DefaultSelector()
    for lane, sock in enumerate(socks):
        selector.register(sock, selectors.EVENT_READ, lane)
    pending: list[dict[int, float]] = [{} for _ in range(LANES)]
    latencies: list[float] = []
    accepted, sent, cursor = 0, 0, [0] * LANES
    started = time.perf_counter()
    total = int(rate * seconds)
    while True:
        now = time.perf_counter()
        while sent < total and started + sent / rate <= now:
            lane = sent % LANES
            if cursor[lane] < len(lanes[lane]):
                data = lanes[lane][cursor[lane]]
                cursor[lane] += 1
                pending[lane][data[1]] = now
                socks[lane].send(data)
            sent += 1
        if sent >= total and (not any(pending) or now > started + seconds + 1.0):
            break
        wait = max(0.0, started + sent / rate - now) if sent < total else 0.05
        for key, _ in selector.select(min(wait, 0.05)):
            while True:
                try:
                    reply = socks[key.data].recv(4096)
                except BlockingIOError:
                    break
                at = pending[key.data].pop(reply[1], None)
                if at is not None:
                    latencies.append(time.perf_counter() - at)
                    accepted += reply[0] in (2, 5)
    for sock in socks:
        sock.close()
    result = Result(name, len(latencies), accepted, sum(map(len, pending)), seconds, latencies)
    result.cpu_seconds = cpu_seconds(pid) - cpu_before
    return result
