"""A compressed 30-minute outage of the central site while phones keep arriving.

The link to the central site passes nothing and our RADIUS server is stopped for 30 router
minutes (clock at 120×: 15 real seconds). Netwatch sees the central host gone, the router
lets residents on with the emergency allowance (trial, 10 minutes a day in this village),
its pages say so; when the site is back the emergency access ends, and the first heartbeat
reports the outage's counts (sent twice: counted once). No MAC or IP leaves the router.
"""

from __future__ import annotations

import dataclasses
import html
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

from portal.simulator.routeros.hotspot import HotspotConfig
from portal.simulator.routeros.phone import Phone
from tests.simulator.conftest import NAS_ID, NOTICE, ONLINE

SCALE = 120.0
OUTAGE_START, OUTAGE = 300.0, 1800.0
ALLOWANCE = 600.0  # emergency minutes a day per device (trial-uptime-limit), 10 min
ARRIVAL_EVERY = 90.0  # a new phone every 90 router seconds
END = OUTAGE_START + OUTAGE + 300.0


@dataclass
class Resident:
    phone: Phone
    tries: list[str] = field(default_factory=list)  # "radius", "emergency", "refused", "timeout"
    online: bool = False
    retried: bool = False


def _stop_radius_for_the_outage(twin, central_site) -> None:
    """Our RADIUS server stops when the outage starts and starts again when it ends,
    told that the router's clock runs at SCALE (its sessions' Acct-Session-Time would
    otherwise be implausible and bounded: `portal.domain.usage.plausibility`)."""
    from radius.server import start

    radius = central_site.radius
    ports = (radius.auth_port, radius.acct_port)
    twin.clock.wait(OUTAGE_START - twin.clock.seconds())
    radius.stop()
    twin.clock.wait(OUTAGE_START + OUTAGE - twin.clock.seconds())
    settings = dataclasses.replace(central_site.settings, session_time_factor=SCALE)
    central_site.radius = start(settings, "127.0.0.1", *ports, reject_delay=0.0)


def _try(twin, resident: Resident) -> None:
    phone = resident.phone
    emergency = twin.hotspot.emergency  # the watch script may switch it while we look
    page = phone.captive_check()
    assert page.status == 200
    forms = {form[1].get("username", "")[:4]: form for form in page.forms()}
    if NOTICE in page.body:  # the button is the router's trial link
        link = re.search(r'href="(/login\?username=T-[^"]+)"', page.body)
        assert link, "emergency notice without the emergency button"
        done = phone.follow(phone.request(urljoin(page.url, html.unescape(link.group(1)))))
        resident.tries.append("emergency" if ONLINE in done.body else "refused")
        if ONLINE in done.body:  # the router's status page says it, too
            assert NOTICE in phone.request(f"{twin.url}/status").body
    else:
        assert (
            emergency is None
            or twin.hotspot.emergency is not emergency
            or twin.hotspot.trial_left(twin.hotspot.host(phone.mac)) == 0
        ), "emergency on, but no notice"
        done = phone.submit(page, forms["wd-t"])
        resident.tries.append("radius" if ONLINE in done.body else "timeout")


def test_thirty_minutes_without_the_central_site(make_twin, central_site):
    twin = make_twin(
        delay_ms=20,
        outage=(OUTAGE_START, OUTAGE),
        scale=SCALE,
        scripts=True,
        hotspot=HotspotConfig(identity=NAS_ID, trial_uptime_limit=ALLOWANCE),
        radius_timeout=0.3,
        radius_resends=0,
        netwatch_timeout=0.3,
        scheduler_interval=10**7,  # the test sends the heartbeats itself
    )
    server_away = threading.Thread(target=_stop_radius_for_the_outage, args=(twin, central_site))
    server_away.start()
    residents: list[Resident] = []
    deadline = time.monotonic() + 120  # bounded, whatever the machine's load
    next_arrival = 0.0
    while twin.clock.seconds() < END and time.monotonic() < deadline:
        if twin.clock.seconds() >= next_arrival:  # a newcomer tries; who could not, again
            residents.append(Resident(twin.phone(f"02:00:00:00:{len(residents):02x}:01")))
            next_arrival += ARRIVAL_EVERY
            for resident in residents:
                if set(resident.tries) <= {"timeout"}:
                    _try(twin, resident)
        for resident in residents:
            if twin.hotspot.transfer(resident.phone.mac, 40_000):
                resident.online = True
            elif resident.online and not resident.retried:  # cut off: tries once more
                resident.retried = True
                _try(twin, resident)
        time.sleep(0.05)
    server_away.join(timeout=30)
    assert twin.clock.seconds() >= END and not server_away.is_alive(), "the run was too slow"

    in_outage = [r for r in residents if "emergency" in r.tries]
    assert len(in_outage) >= 10
    for resident in in_outage:  # no phone got more than the allowance
        assert twin.hotspot.hosts[resident.phone.mac].trial_used <= ALLOWANCE + 1
    # the early ones used it all and were cut off; their next try did not get them on
    first_ones = in_outage[:3]
    assert all(r.tries[-1] in ("timeout", "refused") for r in first_ones), first_ones
    # every phone got on: through RADIUS, or on the emergency allowance once it was on
    assert all({"emergency", "radius"} & set(r.tries) for r in residents), residents
    during = [r for r in residents if r.tries[0] == "emergency"]
    assert len(during) >= 10  # arrived while emergency access was on: on at the first try
    # emergency access ended with the outage: later arrivals log in through RADIUS again
    assert twin.hotspot.emergency is None and "trial" not in twin.hotspot.login_by
    assert residents[-1].tries == ["radius"]
    assert not any(host.active and host.active.trial for host in twin.hotspot.hosts.values())

    # the watch script sent the report with a heartbeat as soon as the site answered
    (first,) = [beat for beat in twin.scripts.history if "outage" in beat.sent]
    report = twin.scripts.reported
    assert first.heard and twin.scripts.pending is None
    assert report is not None
    assert report.logins == sum(r.tries.count("emergency") for r in residents)
    assert 0 < report.seconds <= report.logins * ALLOWANCE
    twin.scripts.pending = report  # the answer was lost on the way: the router sends it again
    second = twin.scripts.heartbeat()
    assert first.sent == second.sent and first.sent["outage"] == report.outage_id
    assert int(first.sent["outage_minutes"]) in range(28, 32)
    sent = " ".join(first.sent.values())
    for resident in residents:  # the report names no device
        assert (
            resident.phone.mac not in sent and twin.hotspot.hosts[resident.phone.mac].ip not in sent
        )
    _recorded_once(central_site, report)


def _recorded_once(central_site, report) -> None:
    """The portal stored the outage once, with the router's counts, and the reports read it."""
    import sqlalchemy as sa

    from portal.database import db
    from portal.domain.reporting import figures
    from portal.models import GatewayOutage

    with central_site.portal.app.app_context():
        stored = db.session.scalars(sa.select(GatewayOutage)).one()
        assert stored.outage_key == report.outage_id
        assert (stored.emergency_logins, stored.emergency_seconds, stored.emergency_bytes) == (
            report.logins,
            int(report.seconds),
            report.bytes,
        )
        use = figures.emergency_use(
            db.session, stored.village_kode, stored.local_date, stored.local_date
        )
        assert use == figures.EmergencyUse(1, report.logins, int(report.seconds), report.bytes)
        db.session.remove()
