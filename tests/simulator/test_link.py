"""The twin's link: one-way delay, loss, an outage window, and what it counts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.link import Conditions, Link


@contextmanager
def udp_echo() -> Iterator[tuple[str, int]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                data, peer = sock.recvfrom(2048)
                sock.sendto(data, peer)
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield sock.getsockname()[:2]
    finally:
        sock.close()


@contextmanager
def tcp_answer() -> Iterator[tuple[str, int]]:
    """A server that answers each request line with 'pong' and closes."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"pong")

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[:2]
    finally:
        server.close()


def _ask_udp(address: tuple[str, int], timeout: float = 2.0) -> tuple[bytes | None, float]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        started = time.monotonic()
        sock.sendto(b"ping", address)
        try:
            return sock.recv(64), time.monotonic() - started
        except TimeoutError:
            return None, time.monotonic() - started


@pytest.fixture
def make_link() -> Iterator:
    links: list[Link] = []

    def make(conditions: Conditions, scale: float = 1.0) -> Link:
        links.append(Link(Clock(scale), conditions))
        return links[-1]

    yield make
    for link in links:
        link.close()


def test_udp_round_trip_takes_twice_the_one_way_delay(make_link):
    link = make_link(Conditions(delay_ms=100))
    with udp_echo() as echo:
        answer, seconds = _ask_udp(link.udp(echo, "radius"))
    assert answer == b"ping" and 0.2 <= seconds < 1.5
    counted = link.snapshot("radius")
    assert (counted.datagrams, counted.round_trips, counted.bytes_up, counted.bytes_down) == (
        1,
        1,
        4,
        4,
    )


def test_a_lossy_link_drops_datagrams(make_link):
    link = make_link(Conditions(loss=1.0))
    with udp_echo() as echo:
        answer, _ = _ask_udp(link.udp(echo), timeout=0.3)
    assert answer is None and link.snapshot().datagrams == 1


def test_nothing_passes_in_the_outage_window(make_link):
    # router clock at 100x: the window is 1..61 router seconds = 0.01..0.61 real seconds
    link = make_link(Conditions(outage_start_s=1.0, outage_s=60.0), scale=100.0)
    with udp_echo() as echo:
        relay = link.udp(echo)
        time.sleep(0.05)
        assert link.is_down()
        down, _ = _ask_udp(relay, timeout=0.2)
        time.sleep(max(0.0, 0.7 - link.clock.seconds() / 100))
        assert not link.is_down()
        up, _ = _ask_udp(relay)
    assert down is None and up == b"ping"


def test_a_new_tcp_connection_costs_a_handshake_and_a_turn(make_link):
    link = make_link(Conditions(delay_ms=50))
    with tcp_answer() as server:
        started = time.monotonic()
        with socket.create_connection(link.tcp(server, "portal"), timeout=3) as conn:
            conn.sendall(b"ping\n")
            reply = conn.recv(64)
        seconds = time.monotonic() - started
    assert reply == b"pong" and seconds >= 0.2  # two round trips of 100 ms
    counted = link.snapshot("portal")
    assert (counted.connections, counted.round_trips) == (1, 2)
