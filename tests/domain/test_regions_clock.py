"""Region codes and the local calendar: pure functions, no database."""

from datetime import date, datetime

import pytest

from portal.domain import clock
from portal.domain.network import regions


def test_dotted_and_plain_digit_codes_name_the_same_village():
    dotted = regions.lookup("64.01.01.2009")
    plain = regions.lookup("6401012009")
    assert dotted == plain
    assert dotted.nama == "Samurangau"
    assert dotted.kecamatan == "Batu Sopang"
    assert dotted.kabupaten == "Kabupaten Paser"
    assert dotted.provinsi == "Kalimantan Timur"
    assert dotted.level == "desa"


@pytest.mark.parametrize("raw", ["", "64.01.01.9999", "99.99.99.9999", "64-01-01-2009", "640101"])
def test_unknown_or_malformed_codes_are_refused(raw):
    with pytest.raises(regions.UnknownRegion):
        regions.lookup_village(raw)


def test_a_district_is_not_a_village():
    with pytest.raises(regions.UnknownRegion, match="kecamatan"):
        regions.lookup_village("64.01.01")


@pytest.mark.parametrize(
    ("kode", "zone"),
    [("64.01.01.2009", "WITA"), ("15.01.01.2001", "WIB"), ("91.01", "WIT"), ("51", "WITA")],
)
def test_default_timezone_follows_the_province(kode, zone):
    assert regions.default_timezone(kode) == zone


def test_covers_matches_whole_segments_only():
    assert regions.covers("64.01", "64.01.01.2009")
    assert regions.covers("64.01.01.2009", "64.01.01.2009")
    assert not regions.covers("64.01", "64.010.01")
    assert not regions.covers("64.01.01.2009", "64.01.01.2010")


def test_villages_under_a_regency_are_all_its_desa_and_kelurahan():
    paser = regions.villages_under("64.01")
    assert len(paser) > 100
    assert all(v.kode.startswith("64.01.") and v.level == "desa" for v in paser)


def test_local_day_changes_at_local_midnight_not_utc_midnight():
    # 15:59 UTC is 23:59 WITA; 16:00 UTC is 00:00 WITA the next day, still 23:00 WIB.
    assert clock.local_day(datetime(2026, 11, 22, 15, 59), "WITA") == date(2026, 11, 22)
    assert clock.local_day(datetime(2026, 11, 22, 16, 0), "WITA") == date(2026, 11, 23)
    assert clock.local_day(datetime(2026, 11, 22, 16, 0), "WIB") == date(2026, 11, 22)
    assert clock.local_day(datetime(2026, 11, 22, 15, 0), "WIT") == date(2026, 11, 23)


def test_day_end_and_seconds_to_midnight():
    assert clock.day_end(date(2026, 11, 22), "WIB") == datetime(2026, 11, 22, 17, 0)
    assert clock.day_end(date(2026, 11, 22), "WITA") == datetime(2026, 11, 22, 16, 0)
    assert clock.seconds_to_midnight(datetime(2026, 11, 22, 15, 59, 30), "WITA") == 30
    assert clock.seconds_to_midnight(datetime(2026, 11, 22, 16, 0), "WITA") == 86400
