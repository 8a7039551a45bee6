"""Fair-use policy for the console: where each effective value comes from, replacing a
stored policy (empty = inherit), presets by backhaul class; villages found by name or
code and changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.domain.network import policies, regions, villages
from portal.domain.network.inventory import BACKHAUL_CLASSES
from portal.domain.network.policy_presets import PRESETS, preset
from portal.models import AuditEntry, Policy
from tests.domain.conftest import NOW


def test_sources_name_village_regency_or_built_in(session, make_village):
    village = make_village()
    policies.set_policy(session, "64.01", now=NOW, daily_mb=500, rate_limit="1M/2M")
    policies.set_policy(session, village.kode, now=NOW, daily_mb=300)
    resolved = policies.resolve_policy(session, village.kode)
    assert resolved.policy == policies.effective_policy(session, village.kode)
    assert resolved.policy.daily_mb == 300 and resolved.sources["daily_mb"] == "village"
    assert resolved.policy.rate_limit == "1M/2M" and resolved.sources["rate_limit"] == "regency"
    assert resolved.sources["idle_minutes"] == "built-in"
    assert resolved.policy.idle_minutes == policies.BUILT_IN.idle_minutes
    other = policies.resolve_policy(session, "64.02.01.2001")
    assert set(other.sources.values()) == {"built-in"} and other.policy == policies.BUILT_IN


def test_replace_policy_sets_exactly_the_values_and_clears_the_rest(session, make_village):
    village = make_village()
    policies.set_policy(session, village.kode, now=NOW, daily_mb=300, idle_minutes=5)
    policies.replace_policy(session, village.kode, {"daily_mb": 200, "idle_minutes": None},
                            now=NOW, actor="kab")  # fmt: skip
    assert policies.stored_policy(session, village.kode)["idle_minutes"] is None
    assert policies.resolve_policy(session, village.kode).sources["idle_minutes"] == "built-in"
    assert policies.effective_policy(session, village.kode).daily_mb == 200
    assert policies.replace_policy(session, village.kode, {}, now=NOW) is None
    assert session.scalar(sa.select(Policy).where(Policy.scope_kode == village.kode)) is None
    details = session.scalars(
        sa.select(AuditEntry.detail).where(AuditEntry.action == "policy.set")
    ).all()
    assert details[-1] == "inherit all"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"daily_mb": -1}, "daily_mb"),
        ({"idle_minutes": 0}, "idle_minutes"),
        ({"rate_limit": "fast"}, "rate_limit"),
        ({"throttle_rate": "1M;/system reset"}, "throttle_rate"),
        ({"on_exhausted": "ignore"}, "on_exhausted"),
    ],
)
def test_replace_policy_refuses_bad_values_and_names_the_field(session, values, field):
    policies.set_policy(session, "64.01", now=NOW, daily_mb=500)
    with pytest.raises(policies.InvalidPolicy) as raised:
        policies.replace_policy(session, "64.01", values, now=NOW)
    assert raised.value.field == field
    assert policies.stored_policy(session, "64.01")["daily_mb"] == 500


def test_every_backhaul_class_has_a_valid_preset_scaled_to_the_link(session):
    assert tuple(PRESETS) == BACKHAUL_CLASSES
    for name in BACKHAUL_CLASSES:
        policies.replace_policy(session, "64.01", preset(name), now=NOW)
        assert policies.stored_policy(session, "64.01") == {
            field: preset(name).get(field) for field in policies.POLICY_FIELDS
        }
    sat, radio, fibre = (preset(name) for name in BACKHAUL_CLASSES)
    assert sat["daily_mb"] < radio["daily_mb"] < fibre["daily_mb"]
    assert all(p["on_exhausted"] == "throttle" for p in (sat, radio, fibre))
    with pytest.raises(KeyError):
        preset("laser")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Samurangau", ["64.01.01.2009"]),
        ("samurangau", ["64.01.01.2009"]),
        ("6401012009", ["64.01.01.2009"]),
        ("64.01.01.2009", ["64.01.01.2009"]),
        ("Kesungai", ["64.01.01.2014"]),  # news spelling of Kasungai
        ("labuang kallo", ["64.01.02.2007"]),  # official: Labuangkallo
        ("Muara Adang", ["64.01.06.2002", "64.01.08.2020"]),  # two villages, two kecamatan
        ("x", []),
        ("Perian", []),  # in Kutai Kartanegara, outside the regency searched
    ],
)
def test_village_search_by_name_or_code_within_the_scope(typed, expected):
    found = regions.search_villages("64.01", typed)
    assert [r.kode for r in found] == expected
    for region in found:
        assert region.kecamatan and region.kabupaten == "Kabupaten Paser"


def test_village_search_by_code_prefix_lists_the_district():
    found = regions.search_villages("64.01", "640101")
    assert [r.nama for r in found][:3] == ["Samurangau", "Busui", "Batu Kajang"]
    assert len(found) == 9  # Batu Sopang has nine villages
    assert len(regions.search_villages("", "sidomulyo")) == regions.SEARCH_LIMIT


def test_update_village_changes_ssid_and_zone_and_refuses_bad_ones(session, make_village):
    village = make_village()
    villages.update_village(session, village, ssid=" Wifi Samurangau ", timezone="wib",
                            now=NOW, actor="kab")  # fmt: skip
    assert (village.ssid, village.timezone) == ("Wifi Samurangau", "WIB")
    for ssid, zone in (("", "WITA"), ("x" * 33, "WITA"), ("ok", "UTC")):
        with pytest.raises(villages.InvalidVillage):
            villages.update_village(session, village, ssid=ssid, timezone=zone, now=NOW)
    assert (village.ssid, village.timezone) == ("Wifi Samurangau", "WIB")


def test_resolve_policies_answers_like_resolve_policy_for_each(session, make_village):
    kodes = ["64.01.01.2009", "64.01.01.2010", "64.02.01.2001", "15.01.01.2001"]
    for kode in kodes:
        make_village(kode)
    policies.set_policy(session, "64.01", now=NOW, daily_mb=500)
    policies.set_policy(session, "64.01.01.2010", now=NOW, rate_limit="1M/2M")
    policies.set_policy(session, "15.01.01.2001", now=NOW, idle_minutes=3)
    many = policies.resolve_policies(session, kodes)
    assert many == {kode: policies.resolve_policy(session, kode) for kode in kodes}
    assert many["64.01.01.2010"].sources["rate_limit"] == "village"
    assert many["64.01.01.2010"].sources["daily_mb"] == "regency"
    assert many["64.02.01.2001"].policy == policies.BUILT_IN
