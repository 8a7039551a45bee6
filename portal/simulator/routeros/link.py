"""The village's backhaul on loopback: a TCP and a UDP relay with delay, loss and an outage.

Everything the router sends to the central server (HTTP to the portal, RADIUS over UDP)
goes through a `Link`; everything that stays in the village (phone ↔ router) does not.
The link counts what crosses it, so a test can say "0 requests across the link".

* delay: one-way, in real milliseconds, added to every segment in each direction. A new TCP
  connection costs one extra round trip (the handshake) before its first byte.
* loss: the share of datagrams dropped (UDP: the datagram is gone; TCP: the segment arrives
  after a retransmission timeout of max(1 s, 3 × one-way delay), as TCP would repair it).
* outage: a window in router seconds (see `clock.Clock`) during which nothing passes.

Round trips are counted per exchange: one per TCP handshake, one each time the client
speaks after hearing the server (a request/response turn), one per UDP request datagram.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from portal.simulator.routeros.clock import Clock

__all__ = ["Conditions", "Counters", "Link"]


@dataclass(frozen=True)
class Conditions:
    delay_ms: float = 0.0
    loss: float = 0.0
    outage_start_s: float | None = None
    outage_s: float = 0.0


@dataclass
class Counters:
    round_trips: int = 0
    connections: int = 0
    datagrams: int = 0
    bytes_up: int = 0
    bytes_down: int = 0

    def copy(self) -> Counters:
        return Counters(**vars(self))

    def since(self, before: Counters) -> Counters:
        return Counters(
            **{name: getattr(self, name) - getattr(before, name) for name in vars(self)}
        )


class _Delayer:
    """One thread that runs callables at their due time (a heap)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="link-delay", daemon=True)
        self._thread.start()

    def at(self, due: float, action: Callable[[], None]) -> None:
        with self._cv:
            heapq.heappush(self._heap, (due, next(self._seq), action))
            self._cv.notify()

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                if self._stopped:
                    return
                _, _, action = heapq.heappop(self._heap)
            with contextlib.suppress(OSError):  # the far end closed meanwhile
                action()


class Link:
    """Relays to central-server addresses; `tcp()`/`udp()` return the local address to use."""

    def __init__(self, clock: Clock, conditions: Conditions = Conditions(), seed: int = 1) -> None:
        self.clock = clock
        self.conditions = conditions
        self.counters = Counters()
        self.by_label: dict[str, Counters] = {}
        self.origin = 0.0
        self._random = random.Random(seed)  # noqa: S311 (a simulation, not a secret)
        self._lock = threading.Lock()
        self._delayer = _Delayer()
        self._closing = threading.Event()
        self._sockets: list[socket.socket] = []

    # --- conditions -------------------------------------------------------------------
    def is_down(self) -> bool:
        start = self.conditions.outage_start_s
        if start is None:
            return False
        elapsed = self.clock.seconds() - self.origin
        return start <= elapsed < start + self.conditions.outage_s

    def start_outage_clock(self) -> None:
        """Count the outage window from now (by default from the twin's start)."""
        self.origin = self.clock.seconds()

    def _one_way(self) -> float:
        return self.conditions.delay_ms / 1000

    def _lost(self) -> bool:
        with self._lock:
            return self._random.random() < self.conditions.loss

    def _count(self, label: str, **increments: int) -> None:
        with self._lock:
            per_label = self.by_label.setdefault(label, Counters())
            for counters in (self.counters, per_label):
                for name, value in increments.items():
                    setattr(counters, name, getattr(counters, name) + value)

    def snapshot(self, label: str | None = None) -> Counters:
        """Totals so far (of one relay's `label` when given)."""
        with self._lock:
            if label is None:
                return self.counters.copy()
            return self.by_label.get(label, Counters()).copy()

    # --- TCP --------------------------------------------------------------------------
    def tcp(self, upstream: tuple[str, int], label: str = "tcp") -> tuple[str, int]:
        """A listening relay to ``upstream``; returns its (host, port)."""
        listener = socket.create_server(("127.0.0.1", 0))
        self._sockets.append(listener)
        threading.Thread(target=self._accept, args=(listener, upstream, label), daemon=True).start()
        return listener.getsockname()[:2]

    def _accept(self, listener: socket.socket, upstream: tuple[str, int], label: str) -> None:
        while not self._closing.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(
                target=self._connect, args=(client, upstream, label), daemon=True
            ).start()

    def _connect(self, client: socket.socket, upstream: tuple[str, int], label: str) -> None:
        self._count(label, connections=1, round_trips=1)
        time.sleep(2 * self._one_way())  # SYN, SYN-ACK: one round trip before the first byte
        if self.is_down():
            client.close()  # a dead link never answers the SYN; the twin ends it at once
            return
        try:
            server = socket.create_connection(upstream, timeout=10)
            server.settimeout(None)
        except OSError:
            client.close()
            return
        turn = {"last": "down", "done": 0, "lock": threading.Lock(), "label": label}
        threading.Thread(target=self._pump, args=(client, server, True, turn), daemon=True).start()
        threading.Thread(target=self._pump, args=(server, client, False, turn), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, up: bool, turn: dict) -> None:
        last_due = 0.0
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                due = max(last_due, time.monotonic() + self._one_way())
                self._delayer.at(due, lambda: _finish(src, dst, turn))
                return
            if self.is_down():
                continue  # lost on a dead link; the connection stalls as a real one would
            if up:
                if turn["last"] == "down":
                    self._count(turn["label"], round_trips=1)
                turn["last"] = "up"
                self._count(turn["label"], bytes_up=len(data))
            else:
                turn["last"] = "down"
                self._count(turn["label"], bytes_down=len(data))
            extra = max(1.0, 3 * self._one_way()) if self._lost() else 0.0
            last_due = max(last_due, time.monotonic() + self._one_way() + extra)
            self._delayer.at(last_due, lambda chunk=data: dst.sendall(chunk))

    # --- UDP --------------------------------------------------------------------------
    def udp(self, upstream: tuple[str, int], label: str = "udp") -> tuple[str, int]:
        """A UDP relay to ``upstream``; returns its (host, port)."""
        front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        front.bind(("127.0.0.1", 0))
        self._sockets.append(front)
        threading.Thread(target=self._udp_front, args=(front, upstream, label), daemon=True).start()
        return front.getsockname()[:2]

    def _udp_front(self, front: socket.socket, upstream: tuple[str, int], label: str) -> None:
        backs: dict[tuple, socket.socket] = {}
        while not self._closing.is_set():
            try:
                data, client = front.recvfrom(65536)
            except OSError:
                return
            back = backs.get(client)
            if back is None:
                back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                back.connect(upstream)
                backs[client] = back
                self._sockets.append(back)
                threading.Thread(
                    target=self._udp_back, args=(back, front, client, label), daemon=True
                ).start()
            self._count(label, datagrams=1, round_trips=1, bytes_up=len(data))
            if self.is_down() or self._lost():
                continue
            self._delayer.at(time.monotonic() + self._one_way(), lambda d=data, b=back: b.send(d))

    def _udp_back(
        self, back: socket.socket, front: socket.socket, client: tuple, label: str
    ) -> None:
        while not self._closing.is_set():
            try:
                data = back.recv(65536)
            except ConnectionRefusedError:
                continue  # ICMP port unreachable from the central host: nothing to relay
            except OSError:
                return  # closed
            self._count(label, bytes_down=len(data))
            if self.is_down() or self._lost():
                continue
            due = time.monotonic() + self._one_way()
            self._delayer.at(due, lambda d=data: front.sendto(d, client))

    def close(self) -> None:
        self._closing.set()
        for sock in self._sockets:
            sock.close()
        self._delayer.stop()


def _finish(src: socket.socket, dst: socket.socket, turn: dict) -> None:
    """One direction ended: pass the FIN on; once both have, close both sockets."""
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)
    with turn["lock"]:
        turn["done"] += 1
        both = turn["done"] == 2
    if both:
        src.close()
        dst.close()
