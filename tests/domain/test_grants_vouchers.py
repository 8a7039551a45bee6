"""One-time grants and vouchers: single use, bound to one device, explained when refused."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.domain.access import grants, vouchers
from portal.models import Voucher
from tests.domain.conftest import NOW


@pytest.fixture
def gateway(make_village, make_gateway):
    return make_gateway(make_village())


def issue(session, gateway, master_key, device="dev-a"):
    return grants.issue_grant(
        session,
        gateway=gateway,
        device=device,
        local_date=NOW.date(),
        now=NOW,
        master_key=master_key,
    )


def test_grant_password_is_derived_not_stored(session, gateway, master_key):
    issued = issue(session, gateway, master_key)
    assert grants.is_grant_username(issued.username)
    assert issued.password == grants.grant_password(master_key, issued.username)
    assert grants.grant_password("another-key", issued.username) != issued.password
    stored = session.execute(sa.text("SELECT * FROM login_grant")).mappings().one()
    assert issued.password not in {str(value) for value in stored.values()}


def test_grant_is_single_use_but_repeats_within_a_minute(session, gateway, master_key):
    issued = issue(session, gateway, master_key)
    use = dict(username=issued.username, gateway_id=gateway.id, device="dev-a")
    first = grants.use_grant(session, now=NOW + timedelta(seconds=5), **use)
    assert first.used_at == NOW + timedelta(seconds=5)
    grants.use_grant(session, now=NOW + timedelta(seconds=60), **use)  # a router resend
    with pytest.raises(grants.GrantRefused) as refused:
        grants.use_grant(session, now=NOW + timedelta(seconds=70), **use)
    assert refused.value.reason == "used"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"device": "dev-b"}, "wrong-device"),
        ({"gateway_id": -1}, "wrong-gateway"),
        ({"username": "wd-0000000000000000"}, "unknown"),
    ],
)
def test_grant_refused_for_another_device_gateway_or_name(
    session, gateway, master_key, change, reason
):
    issued = issue(session, gateway, master_key)
    use = dict(username=issued.username, gateway_id=gateway.id, device="dev-a") | change
    with pytest.raises(grants.GrantRefused) as refused:
        grants.use_grant(session, now=NOW, **use)
    assert refused.value.reason == reason


def test_grant_expires_after_five_minutes(session, gateway, master_key):
    issued = issue(session, gateway, master_key)
    with pytest.raises(grants.GrantRefused) as refused:
        grants.use_grant(
            session,
            username=issued.username,
            gateway_id=gateway.id,
            device="dev-a",
            now=NOW + grants.GRANT_LIFETIME,
        )
    assert refused.value.reason == "expired"


@pytest.mark.parametrize("typed", ["abcde-fgh23", " ABCDE FGH23 ", "AbCdEfGh23"])
def test_voucher_codes_ignore_case_spaces_and_hyphens(typed):
    assert vouchers.normalize_code(typed) == "ABCDEFGH23"


@pytest.mark.parametrize("typed", ["ABCDE-FGH2O", "ABCDE-FGH21", "ABCDE", "ABCDE-FGH23X", ""])
def test_voucher_codes_with_lookalikes_or_wrong_length_are_not_codes(typed):
    assert vouchers.normalize_code(typed) is None


def test_batch_codes_use_the_unambiguous_alphabet_and_only_hashes_are_stored(
    session, make_village, master_key
):
    village = make_village()
    batch, codes = vouchers.create_batch(
        session, village_kode=village.kode, count=50, valid_days=7, now=NOW, master_key=master_key
    )
    assert len(set(codes)) == 50
    assert all(set(code) <= set(vouchers.ALPHABET) for code in codes)
    assert not set("01OIL") & set(vouchers.ALPHABET)
    stored = {row.code_hash for row in session.scalars(sa.select(Voucher))}
    assert not stored & set(codes)
    assert batch.expires_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("values", "message"),
    [({"count": 501}, "500"), ({"count": 0}, "500"), ({"valid_days": 0}, "366")],
)
def test_batch_limits(session, make_village, master_key, values, message):
    args = dict(count=1, valid_days=1) | values
    with pytest.raises(vouchers.InvalidBatch, match=message):
        vouchers.create_batch(
            session, village_kode=make_village().kode, now=NOW, master_key=master_key, **args
        )


def test_voucher_binds_to_its_first_device(session, make_village, master_key):
    village = make_village()
    _, codes = vouchers.create_batch(
        session,
        village_kode=village.kode,
        count=1,
        valid_days=3,
        now=NOW,
        master_key=master_key,
    )
    voucher = vouchers.find_voucher(
        session, code=codes[0].lower(), master_key=master_key, now=NOW, village_kode=village.kode
    )
    assert vouchers.status(voucher, NOW) == "unused"
    vouchers.bind_voucher(voucher, device="dev-a", now=NOW)
    vouchers.bind_voucher(voucher, device="dev-a", now=NOW + timedelta(hours=1))
    assert vouchers.status(voucher, NOW) == "in-use"
    with pytest.raises(vouchers.VoucherRefused) as refused:
        vouchers.bind_voucher(voucher, device="dev-b", now=NOW)
    assert refused.value.reason == "taken"


def test_unknown_expired_voided_and_used_up_vouchers_are_refused(session, make_village, master_key):
    village = make_village()
    batch, codes = vouchers.create_batch(
        session,
        village_kode=village.kode,
        count=2,
        valid_days=1,
        now=NOW,
        master_key=master_key,
        total_mb=10,
    )

    other = make_village("64.01.01.2010")

    def reason(code, at, village=village):
        with pytest.raises(vouchers.VoucherRefused) as refused:
            vouchers.find_voucher(
                session, code=code, master_key=master_key, now=at, village_kode=village.kode
            )
        return refused.value.reason

    assert reason("ABCDE-FGH23", NOW) == "unknown"
    # valid only in the village that printed it (found by fuzz/radius_fuzz.py)
    assert reason(codes[0], NOW, other) == "unknown"
    assert reason("not a code", NOW) == "unknown"
    assert reason(codes[0], NOW + timedelta(days=1)) == "expired"
    voucher = vouchers.find_voucher(
        session, code=codes[1], master_key=master_key, now=NOW, village_kode=village.kode
    )
    voucher.used_bytes = 10_000_000
    assert reason(codes[1], NOW) == "used-up"
    vouchers.void_batch(session, batch, now=NOW)
    assert reason(codes[0], NOW) == "voided"
