"""The .rsc of a gateway whose residents' pages live on the router (golden file), and
what it must set up for a satellite village: the portal-hosted variant is golden-tested
in tests/admin/test_gateways.py. Regenerate with ``WIFIDESA_UPDATE_GOLDEN=1``."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from portal.domain.access.router_pages import FILES
from portal.domain.network.policies import BUILT_IN, interim_minutes_for
from portal.web import router_script
from portal.web.router_script import ScriptValues

GOLDEN = Path(__file__).parent / "golden" / "gateway-router.rsc"
ROUTER = ScriptValues(
    nas_identifier="desa-samurangau-1",
    village_name="Samurangau",
    village_kode="64.01.01.2009",
    hotspot_host="10.5.50.1",
    coa_port=3799,
    heartbeat_token="Hb-tok_en1",
    public_url="https://portal.example.id",
    portal_host="portal.example.id",
    radius_host="radius.example.id",
    interim_minutes=interim_minutes_for(BUILT_IN, "satellite"),
    secret="Sx9aBq7LmN3pR5tV8wY2zC4e",
    splash_location="router",
    radius_secondary="10.9.0.2",
    emergency_minutes=30,
    emergency_rate="256k/512k",
    files=FILES,
)


def test_router_hosted_script_matches_the_golden_file():
    text = router_script.render_script(ROUTER)
    if os.environ.get("WIFIDESA_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_radius_survives_a_satellite_round_trip_and_has_a_backup():
    text = router_script.render_script(ROUTER)
    radius = [line for line in text.splitlines() if line.startswith("/radius add")]
    assert len(radius) == 2 and all("timeout=3s" in line for line in radius)
    assert "address=10.9.0.2" in radius[1] and "accounting-backup=yes" in radius[1]
    assert "accounting-backup" not in radius[0]
    assert "radius-interim-update=15m" in text
    alone = router_script.render_script(replace(ROUTER, radius_secondary=""))
    radius = [line for line in alone.splitlines() if line.startswith("/radius add")]
    # Without a second server the same one is listed again: one retry, 6 s in all.
    assert radius[0].split()[2] == radius[1].split()[2] == "address=[:resolve"
    assert alone.count("/tool netwatch add") == 1 and text.count("/tool netwatch add") == 2


def test_interim_interval_follows_the_backhaul_class():
    assert interim_minutes_for(BUILT_IN, "satellite") == 15
    assert interim_minutes_for(BUILT_IN, "radio") == 10
    assert interim_minutes_for(BUILT_IN, "fibre") == BUILT_IN.interim_minutes == 5
    assert interim_minutes_for(replace(BUILT_IN, interim_minutes=30), "satellite") == 30
    assert interim_minutes_for(BUILT_IN, None) == 5


def test_router_pages_heartbeat_and_emergency_switch_are_installed():
    text = router_script.render_script(ROUTER)
    for name in FILES:
        assert f"/mt/desa-samurangau-1/hotspot/{name}\\?token=Hb-tok_en1" in text
    assert "check-certificate=no" not in text
    assert text.count("check-certificate=yes") >= len(FILES) + 2
    assert 'name="wifidesa-heartbeat" interval=10m' in text
    assert 'name="wifidesa-watch" interval=1m' in text
    assert "code=114 value=\"'http://10.5.50.1/api.json'\" force=yes" in text
    assert (
        'trial-uptime-limit=30m trial-uptime-reset=1d trial-user-profile="wifidesa-emergency"'
        in text
    )
    assert 'set [find name="wifidesa-emergency"] rate-limit="256k/512k"' in text
    # Trial is off at setup; only the count script turns it on, the up-script off.
    profile = next(
        line for line in text.splitlines() if line.startswith('set [find name="wifidesa"]')
    )
    assert "login-by=http-chap,http-pap " in profile
    assert "login-by=http-chap,http-pap,trial" in text  # inside wifidesa-watch
    # The heartbeat's form: token, pages, then the pending outage report.
    assert r"(\"token=Hb-tok_en1&pages=\" . \$wdPages . \$wdReport)" in text
    for field in ("outage=o", "emergency_logins=", "emergency_seconds=", "emergency_bytes=",
                  "outage_minutes="):  # fmt: skip
        assert field in text
    # Counts only: the scripts never read a MAC address or an IP.
    scripts = "\n".join(line for line in text.splitlines() if line.startswith("/system script add"))
    read = set(re.findall(r"get \\\$\w+ ([a-z-]+)", scripts))
    assert read == {"bytes-in", "bytes-out", "uptime", "status"}
    assert "mac" not in scripts.lower().replace("-mac-", "")


def test_portal_hosted_gateways_keep_todays_page_and_no_emergency_switch():
    text = router_script.render_script(replace(ROUTER, splash_location="portal"))
    assert "/mt/desa-samurangau-1/login.html" in text and "/hotspot/" not in text
    assert "netwatch add" not in text and "wifidesa-watch" not in text.split("remove")[-1]
    assert "code=114" not in text
    # Switching from router to portal removes what the router variant added.
    assert '/tool netwatch remove [find comment="wifidesa"]' in text
    assert '/ip dhcp-server option remove [find name="wifidesa-capport"]' in text
