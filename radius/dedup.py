"""Duplicate detection (RFC 5080 section 2.2.2) and delayed rejects.

A request repeated with the same source address and port, Identifier and Request
Authenticator is a retransmission: it gets the reply the first copy earned, from the
cache, and is never processed twice (a one-time grant consumed by the first copy
must still be accepted for the second). A repeat that arrives while the first copy
is still being processed is dropped; the first copy's reply will answer it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

Key = tuple[object, ...]
IN_PROGRESS = b""  # what `begin` returns for a repeat whose first copy has no reply yet


class DuplicateCache:
    """Replies by request key, kept ``ttl`` seconds (thread-safe).

    At a few thousand requests a second the cache holds a hundred thousand entries or
    more. They are plain tuples of a float and bytes, which the garbage collector stops
    tracking after one look: an object per entry (a dataclass) made every full
    collection walk them all, a pause of 20-40 ms that routers saw as p99 latency.
    """

    def __init__(self, ttl: float = 30.0, monotonic: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._monotonic = monotonic
        self._entries: dict[Key, tuple[float, bytes]] = {}  # key -> (expires, reply)
        self._order: deque[tuple[float, Key]] = deque()
        self._lock = threading.Lock()

    def begin(self, key: Key) -> bytes | None:
        """Register a new request and return None; for a repeat, return the reply its
        first copy earned, or `IN_PROGRESS` (empty) while that copy is processed."""
        now = self._monotonic()
        with self._lock:
            while self._order and self._order[0][0] <= now:
                _, old = self._order.popleft()
                entry = self._entries.get(old)
                if entry is not None and entry[0] <= now:
                    del self._entries[old]
            entry = self._entries.get(key)
            if entry is not None:
                return entry[1]
            expires = now + self._ttl
            self._entries[key] = (expires, IN_PROGRESS)
            self._order.append((expires, key))
            return None

    def complete(self, key: Key, reply: bytes) -> None:
        """Store the reply sent for ``key``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries[key] = (entry[0], reply)

    def forget(self, key: Key) -> None:
        """Drop a request that earned no reply (its retransmission is processed anew)."""
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class DelayedSender:
    """Sends replies at a given time from one thread (Access-Rejects for wrong
    credentials wait about a second, slowing guessing without delaying anyone else)."""

    def __init__(self, on_sent: Callable[[Key, bytes], None]) -> None:
        self._on_sent = on_sent
        self._heap: list[tuple[float, int, socket.socket, bytes, tuple, Key]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="radius-delayed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        self._thread.join(timeout=5)

    def send_at(self, due: float, sock: socket.socket, data: bytes, addr: tuple, key: Key) -> None:
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._counter), sock, data, addr, key))
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._heap and self._heap[0][0] <= time.monotonic():
                        break
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._stopping:
                    return
                _, _, sock, data, addr, key = heapq.heappop(self._heap)
            try:
                self._on_sent(key, data)
                sock.sendto(data, addr)
            except OSError:
                log.warning("sending a delayed reply failed")
