"""Gateway inventory: validation of the fields and the one 'contract ends soon' rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal import messages
from portal.domain.network.gateways import InvalidGateway
from portal.domain.network.inventory import (
    BACKHAUL_CLASSES,
    Inventory,
    contracts_ending,
    set_inventory,
    validate_inventory,
)
from portal.models import AuditEntry

TODAY = date(2026, 11, 22)


def test_backhaul_classes_match_the_schema_constraint():
    assert BACKHAUL_CLASSES == ("satellite", "radio", "fibre")


def test_inventory_is_normalised():
    clean = validate_inventory(
        Inventory("  PT  ICON+ ", " Satellite ", 4, "GratisPol", date(2027, 1, 1))
    )
    assert clean == Inventory("PT ICON+", "satellite", 4, "GratisPol", date(2027, 1, 1))
    assert validate_inventory(Inventory(" ", "", None, "", None)) == Inventory()


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        (Inventory(backhaul_class="vsat"), "backhaul_class", "backhaul-unknown"),
        (Inventory(contracted_mbps=0), "contracted_mbps", "mbps-out-of-range"),
        (Inventory(contracted_mbps=-5), "contracted_mbps", "mbps-out-of-range"),
        (Inventory(contracted_mbps=10_000_000), "contracted_mbps", "mbps-out-of-range"),
        (Inventory(provider="x" * 81), "provider", "provider-too-long"),
        (Inventory(programme="y" * 81), "programme", "programme-too-long"),
        (Inventory(programme="Dana\x00Desa"), "programme", "text-unprintable"),
    ],
)
def test_bad_inventory_names_the_field(values, field, code):
    with pytest.raises(InvalidGateway) as raised:
        validate_inventory(values)
    assert (raised.value.field, raised.value.code) == (field, code)
    assert code in messages.REFUSALS


def test_set_inventory_stores_and_audits_once(session, make_village, make_gateway, world):
    gateway = make_gateway(make_village())
    values = Inventory("Telkomsat", "satellite", 2, "BAKTI", date(2026, 12, 1))
    set_inventory(session, gateway, values, now=world.now, actor="tester")
    set_inventory(session, gateway, values, now=world.now, actor="tester")  # no change
    assert (gateway.provider, gateway.backhaul_class, gateway.contracted_mbps) == (
        "Telkomsat",
        "satellite",
        2,
    )
    entries = session.query(AuditEntry).filter_by(action="gateway.inventory").all()
    assert len(entries) == 1
    assert "BAKTI" in entries[0].detail


def test_invalid_inventory_changes_nothing(session, make_village, make_gateway, world):
    gateway = make_gateway(make_village(), provider="Telkom")
    with pytest.raises(InvalidGateway):
        set_inventory(session, gateway, Inventory("ICON+", "laser"), now=world.now)
    assert gateway.provider == "Telkom"


def test_contracts_ending_within_the_window_and_the_area(session, make_village, make_gateway):
    busui = make_village("64.01.01.2010")
    legai = make_village("64.01.01.2012")
    jambi = make_village("15.01.01.2001")
    soon = make_gateway(busui, "busui", contract_end=TODAY + timedelta(days=30), provider="ICON+")
    lapsed = make_gateway(legai, "legai", contract_end=TODAY - timedelta(days=3))
    make_gateway(legai, "legai-2", contract_end=TODAY + timedelta(days=31))  # too far
    make_gateway(busui, "busui-2")  # no end date known
    make_gateway(busui, "busui-old", contract_end=TODAY - timedelta(days=31))  # long gone
    make_gateway(jambi, "jambi", contract_end=TODAY + timedelta(days=1))  # another area
    session.flush()

    ending = contracts_ending(session, area_kode="64.01", today=TODAY)

    assert [(c.nas_identifier, c.days_left, c.ended) for c in ending] == [
        ("legai", -3, True),
        ("busui", 30, False),
    ]
    assert ending[1].gateway_id == soon.id and ending[1].provider == "ICON+"
    assert ending[0].village_name == legai.name and ending[0].gateway_id == lapsed.id
    assert [c.nas_identifier for c in contracts_ending(session, area_kode="15", today=TODAY)] == [
        "jambi"
    ]
    assert contracts_ending(session, area_kode="64.01.01.2010", today=TODAY, within_days=7) == []
    # A regency code is no prefix of another regency's (64.01 vs 64.011…): codes are dotted.
    assert contracts_ending(session, area_kode="64.02", today=TODAY) == []
