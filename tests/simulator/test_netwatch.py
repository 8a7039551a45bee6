"""Netwatch's icmp probe across a satellite link: RouterOS's default thresholds read the
central host as down while it answers (the village would sit in emergency mode for
good); the probe the .rsc installs reads it as up, and as down when nothing passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.link import Conditions, Link
from portal.simulator.routeros.scheduler import EchoHost, Netwatch, icmp_test_passes
from portal.web.router_edge_scripts import NETWATCH, ROUTEROS_DEFAULT_PROBE

GEO_RTT_MS = 700.0


@pytest.mark.parametrize(
    ("rtts_ms", "ours", "routeros_default"),
    [
        ([GEO_RTT_MS] * 3, True, False),  # a healthy satellite link
        ([40.0] * 3, True, True),  # a fibre link
        ([GEO_RTT_MS], True, False),  # two of three lost: 67 % loss is under 85 %
        ([], False, False),  # nothing came back
        ([GEO_RTT_MS, GEO_RTT_MS, 3500.0], False, False),  # one answer after 3 s
    ],
)
def test_the_thresholds_decide_the_probe(rtts_ms, ours, routeros_default):
    assert icmp_test_passes(NETWATCH, rtts_ms) is ours
    with_ten = rtts_ms + [rtts_ms[0]] * 7 if len(rtts_ms) == 3 else rtts_ms
    assert icmp_test_passes(ROUTEROS_DEFAULT_PROBE, with_ten) is routeros_default


def test_the_rsc_writes_every_threshold():
    options = NETWATCH.options().split()
    assert "type=icmp" in options and "packet-count=3" in options
    for name in ("thr-avg", "thr-max", "thr-stdev", "thr-jitter"):
        assert f"{name}=3s" in options


@pytest.fixture
def satellite() -> Iterator[tuple[str, int]]:
    """The central host's echo behind a link of 350 ms each way."""
    link, echo = Link(Clock(), Conditions(delay_ms=GEO_RTT_MS / 2)), EchoHost()
    try:
        yield link.udp(echo.address, "netwatch")
    finally:
        link.close()
        echo.close()


def test_across_the_link_only_our_probe_sees_the_server_up(satellite):
    assert Netwatch(satellite, timeout=2.0, settings=NETWATCH).probe() is True
    assert Netwatch(satellite, timeout=2.0, settings=ROUTEROS_DEFAULT_PROBE).probe() is False


def test_a_link_that_passes_nothing_reads_as_down():
    link, echo = Link(Clock(), Conditions(loss=1.0)), EchoHost()
    try:
        assert Netwatch(link.udp(echo.address), timeout=0.5, settings=NETWATCH).probe() is False
    finally:
        link.close()
        echo.close()
