"""Device pseudonyms: unlinkable across windows, gone with their keys."""

import hmac
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.domain import keyring, pseudonyms
from portal.models import PseudonymKey
from tests.domain.conftest import NOW

MAC = "BC:24:11:EB:56:4D"


@pytest.mark.parametrize(
    "raw", ["bc:24:11:eb:56:4d", "BC-24-11-EB-56-4D", "bc24.11eb.564d", "BC2411EB564D"]
)
def test_every_common_notation_normalises_to_colons(raw):
    assert pseudonyms.normalize_mac(raw) == MAC


@pytest.mark.parametrize("raw", ["", "BC:24:11:EB:56", "ZZ:24:11:EB:56:4D", "<script>"])
def test_invalid_mac_is_refused_without_echoing_it(raw):
    with pytest.raises(pseudonyms.InvalidMac) as caught:
        pseudonyms.normalize_mac(raw)
    assert raw not in str(caught.value) or raw == ""


def test_same_device_same_day_same_pseudonym_other_day_unlinkable(session, make_village):
    village = make_village()
    ring = pseudonyms.KeyRing()
    day1, first = ring.device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW
    )
    _, again = ring.device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW + timedelta(hours=1)
    )
    day2, next_day = ring.device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW + timedelta(days=1)
    )
    assert day1 == date(2026, 11, 22) and day2 == date(2026, 11, 23)
    assert first == again
    assert first != next_day
    assert MAC.replace(":", "").lower() not in first
    assert len(first) == pseudonyms.PSEUDONYM_LENGTH


def test_another_process_reads_the_same_key(session, make_village):
    village = make_village()
    _, mine = pseudonyms.KeyRing().device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW
    )
    _, theirs = pseudonyms.KeyRing().device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW
    )
    assert mine == theirs
    assert session.scalar(sa.select(sa.func.count()).select_from(PseudonymKey)) == 1


def test_keys_are_destroyed_after_window_and_grace(session, make_village):
    village = make_village()
    ring = pseudonyms.KeyRing(grace=timedelta(days=2))
    ring.device_for_day(session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW)
    key = session.scalars(sa.select(PseudonymKey)).one()
    # The WITA day 2026-11-22 ends 16:00 UTC; the key lives two days longer.
    assert key.destroy_after == NOW.replace(hour=16) + timedelta(days=2)
    assert pseudonyms.destroy_expired_keys(session, key.destroy_after - timedelta(seconds=1)) == 0
    assert pseudonyms.destroy_expired_keys(session, key.destroy_after) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(PseudonymKey)) == 0


def test_a_destroyed_key_is_not_served_from_the_cache(session, make_village):
    village = make_village()
    ring = pseudonyms.KeyRing(grace=timedelta(0))
    _, before = ring.device_for_day(
        session, village_kode=village.kode, timezone="WITA", mac=MAC, now=NOW
    )
    later = NOW.replace(hour=16)  # the window has ended and the key is due
    pseudonyms.destroy_expired_keys(session, later)
    key = ring.key(session, "quota", f"{village.kode}/2026-11-22", window_end=later, now=later)
    assert pseudonyms.pseudonym(key, MAC) != before


@pytest.mark.parametrize("digest", ["md5", "sha256"])
@pytest.mark.parametrize("key_length", [0, 13, 32, 64, 65, 200])
def test_prepared_hmac_gives_the_standard_digest(digest, key_length):
    # The pads are hashed once per key; a key longer than the hash's block is hashed first.
    key = bytes(range(256))[:key_length]
    for message in (b"", b"BC:24:11:EB:56:4D", bytes(300)):
        assert keyring.PreparedHmac(key, digest).digest(message) == hmac.digest(
            key, message, digest
        )
    assert pseudonyms.pseudonym(key, MAC) == hmac.new(key, MAC.encode(), "sha256").hexdigest()[:32]
