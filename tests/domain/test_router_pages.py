"""Router pages and outage reports in the domain, without HTTP: versions, the heartbeat's
answer, the emergency allowance of a policy, and parsing a router's outage report."""

from __future__ import annotations

from dataclasses import replace

import pytest

from portal.domain.access import router_pages
from portal.domain.network.policies import BUILT_IN
from portal.domain.usage import outages


def test_the_version_is_a_short_hash_of_names_and_bytes_in_any_order():
    files = {"login.html": b"a", "status.html": b"b"}
    version = router_pages.pages_version(files)
    assert len(version) == 12 and version == router_pages.pages_version(
        dict(reversed(files.items()))
    )
    assert router_pages.pages_version({"login.html": b"ab", "status.html": b""}) != version
    assert router_pages.pages_version({"login.html": b"a", "status.html": b"c"}) != version


def test_the_heartbeat_answer_and_the_reported_version():
    assert router_pages.heartbeat_answer("abc123abc123", "abc123abc123") == "ok"
    assert router_pages.heartbeat_answer(None, "abc123abc123") == "fetch abc123abc123"
    assert router_pages.clean_version(" ABC123abc123 ") == "abc123abc123"
    for bad in ("", "xyz", "a" * 17, "12 34", "<script>"):
        assert router_pages.clean_version(bad) is None


def test_the_emergency_allowance_follows_the_policy():
    assert router_pages.emergency_allowance(BUILT_IN) == router_pages.EmergencyAllowance(
        30, BUILT_IN.throttle_rate
    )
    short = replace(BUILT_IN, daily_minutes=20, throttle_rate="128k/256k")
    assert router_pages.emergency_allowance(short) == router_pages.EmergencyAllowance(
        20, "128k/256k"
    )
    unlimited = replace(BUILT_IN, daily_minutes=0)
    assert router_pages.emergency_allowance(unlimited).minutes == 30


def test_an_outage_report_is_parsed_or_refused():
    assert outages.parse_report({"token": "x"}) is None
    assert outages.parse_report({"outage": ""}) is None
    report = outages.parse_report(
        {
            "outage": "o1795305600",
            "emergency_logins": "3",
            "emergency_seconds": "",
            "emergency_bytes": "1000",
            "outage_minutes": "12",
        }
    )
    assert report == outages.OutageReport("o1795305600", 3, 0, 1000, 12)
    for bad in ({"outage": "o/1"}, {"outage": "o1", "emergency_logins": "+3"},
                {"outage": "o1", "outage_minutes": "99999999"},
                {"outage": "o1", "emergency_bytes": "9" * 16}):  # fmt: skip
        with pytest.raises(outages.InvalidOutageReport):
            outages.parse_report(bad)
