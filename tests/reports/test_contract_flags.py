"""Contracts ending within 30 days (or just ended) in the daily summary, from the one rule
`portal.domain.network.inventory.contracts_ending`."""

from __future__ import annotations

from datetime import date

from portal.domain.network.inventory import Inventory, set_inventory
from portal.web.summary import daily_summaries
from tests.reports import scenario

# scenario.NOW is 13.00 WITA on Saturday 21/11/2026.


def _contract(session, world, gateway, end, provider=None):
    set_inventory(session, gateway, Inventory(provider=provider, contract_end=end), now=world.now)
    session.commit()


def test_summary_names_contracts_ending_soon_and_just_ended(
    session, world, make_village, make_gateway
):
    busui = make_gateway(make_village("64.01.01.2010"), "busui-1", last_seen_at=scenario.NOW)
    legai = make_gateway(make_village("64.01.01.2012"), "legai-1", last_seen_at=scenario.NOW)
    far = make_gateway(make_village("64.01.01.2013"), "terik-1", last_seen_at=scenario.NOW)
    _contract(session, world, busui, date(2026, 12, 21), provider="ICON+")  # 30 days
    _contract(session, world, legai, date(2026, 11, 18))  # ended 3 days ago
    _contract(session, world, far, date(2026, 12, 22))  # 31 days: not yet

    (paser,) = daily_summaries(session, "64", scenario.NOW)

    assert paser.text.splitlines()[2] == (
        "Kontrak berakhir ≤ 30 hari: Legai (legai-1) 18/11/2026, sudah berakhir 3 hari lalu;"
        " Busui (busui-1, ICON+) 21/12/2026, 30 hari lagi"
    )
    assert "terik-1" not in paser.text


def test_summary_has_no_contract_line_without_contracts_ending(
    session, world, make_village, make_gateway
):
    gateway = make_gateway(make_village("64.01.01.2010"), "busui-1", last_seen_at=scenario.NOW)
    _contract(session, world, gateway, date(2027, 6, 30))
    (paser,) = daily_summaries(session, "64", scenario.NOW)
    assert len(paser.text.splitlines()) == 2
    assert "Kontrak" not in paser.text


def test_contract_day_is_the_regency_local_day(session, world, make_village, make_gateway):
    """At 23.30 WIB on 21/11 (16.30 UTC) it is already 22/11 in WITA: a WITA contract
    ending 22/11 ends 'today'."""
    gateway = make_gateway(make_village("64.01.01.2010"), "busui-1", last_seen_at=scenario.NOW)
    _contract(session, world, gateway, date(2026, 11, 22))
    late = scenario.NOW.replace(hour=16, minute=30)
    (paser,) = daily_summaries(session, "64", late)
    assert "22/11/2026, berakhir hari ini" in paser.text
