"""Fair-use policy inheritance and what a device has left today."""

from datetime import datetime, timedelta

import pytest

from portal.domain.access import vouchers
from portal.domain.network import policies
from portal.domain.usage import allowance
from portal.messages import reply_message
from portal.world import World
from tests.domain.conftest import NOW


def test_village_override_inherits_unset_fields_from_regency(session, make_village):
    village = make_village()
    policies.set_policy(session, "64.01", now=NOW, daily_mb=500, rate_limit="1M/2M")
    policies.set_policy(session, village.kode, now=NOW, daily_mb=300)
    effective = policies.effective_policy(session, village.kode)
    assert effective.daily_mb == 300
    assert effective.rate_limit == "1M/2M"
    assert effective.daily_minutes == policies.BUILT_IN.daily_minutes


def test_updating_a_policy_keeps_other_fields(session):
    policies.set_policy(session, "64.01", now=NOW, daily_mb=500, on_exhausted="throttle")
    policies.set_policy(session, "64.01", now=NOW, daily_minutes=90)
    row = policies.effective_policy(session, "64.01.01.2009")
    assert (row.daily_mb, row.daily_minutes, row.on_exhausted) == (500, 90, "throttle")


@pytest.mark.parametrize(
    "values",
    [
        {"rate_limit": "fast"},
        {"rate_limit": "2M/4M; /system reset"},
        {"throttle_rate": ""},
        {"daily_mb": -1},
        {"idle_minutes": 0},
        {"on_exhausted": "ignore"},
    ],
)
def test_invalid_policy_values_are_refused(session, values):
    with pytest.raises(policies.InvalidPolicy):
        policies.set_policy(session, "64.01", now=NOW, **values)


@pytest.mark.parametrize(
    "rate", ["128k", "64k/128M", "64k 256k", "64k/64k 256k/256k 128k/128k 10/10"]
)
def test_manual_rate_limit_examples_are_valid(rate):
    assert policies.validate_rate_limit(rate) == rate


def test_zero_means_unlimited():
    policy = policies.EffectivePolicy(daily_mb=0, daily_minutes=0)
    assert policy.daily_bytes is None and policy.daily_seconds is None


def test_remaining_takes_the_smaller_of_daily_and_voucher_total(session, make_village, master_key):
    village = make_village()
    _, codes = vouchers.create_batch(
        session,
        village_kode=village.kode,
        count=1,
        valid_days=7,
        now=NOW,
        master_key=master_key,
        daily_mb=100,
        total_mb=150,
    )
    voucher = vouchers.find_voucher(
        session, code=codes[0], master_key=master_key, now=NOW, village_kode=village.kode
    )
    voucher.used_bytes = 120_000_000
    state = allowance.compute(
        policies.BUILT_IN, allowance.DayUsage(20_000_000, 0), voucher, now=NOW, timezone="WITA"
    )
    assert state.bytes_left == 30_000_000  # total allows 30 MB, the day 80 MB
    assert state.seconds_left is None  # the voucher lifts the daily time limit
    assert (state.bytes_limit, state.source) == (150_000_000, "voucher")


def test_usage_is_counted_per_device_and_day(session, make_village, master_key):
    village = make_village()
    world = World(session, now=NOW, master_key=master_key)
    policy = policies.EffectivePolicy(daily_mb=100, daily_minutes=60)
    for _ in range(2):
        phone = world.use(village, "02:00:00:00:00:0a", bytes_=50_000_000, seconds=600)
    state = allowance.allowance(
        session, village_kode=village.kode, timezone="WITA", device=phone.pseudonym, now=NOW,
        policy=policy,
    )  # fmt: skip
    assert state.exhausted
    assert (state.bytes_left, state.seconds_left) == (0, 2400)
    other = world.device(village, "02:00:00:00:00:0b")
    assert not allowance.allowance(
        session, village_kode=village.kode, timezone="WITA", device=other.pseudonym, now=NOW,
        policy=policy,
    ).exhausted  # fmt: skip


@pytest.mark.parametrize(("zone", "reset_utc"), [("WITA", 16), ("WIB", 17), ("WIT", 15)])
def test_exhausted_message_names_local_midnight(zone, reset_utc):
    now = datetime(2026, 11, 22, 3, 0)
    state = allowance.compute(
        policies.EffectivePolicy(daily_mb=1), allowance.DayUsage(5_000_000, 0), None, now=now,
        timezone=zone,
    )  # fmt: skip
    assert state.resets_at == datetime(2026, 11, 22, reset_utc, 0)
    message = reply_message("quota", timezone=zone, resets_at=state.resets_at)
    assert message == f"Kuota harian Anda sudah habis. Coba lagi besok pukul 00.00 {zone}."


def test_quota_resets_at_the_local_day_boundary(session, make_village, master_key):
    village = make_village()
    policy = policies.EffectivePolicy(daily_mb=1)
    before = datetime(2026, 11, 22, 15, 59)  # 23.59 WITA
    world = World(session, now=before, master_key=master_key)
    phone = world.use(village, "02:00:00:00:00:0c", bytes_=10**7, seconds=1)
    spent = allowance.allowance(
        session, village_kode=village.kode, timezone="WITA", device=phone.pseudonym, now=before,
        policy=policy,
    )  # fmt: skip
    after = before + timedelta(minutes=1)  # 00.00 WITA on the 23rd: a new window
    tomorrow = world.device(village, "02:00:00:00:00:0c", now=after)
    fresh = allowance.allowance(
        session, village_kode=village.kode, timezone="WITA", device=tomorrow.pseudonym,
        now=after, policy=policy,
    )  # fmt: skip
    assert spent.exhausted and not fresh.exhausted
