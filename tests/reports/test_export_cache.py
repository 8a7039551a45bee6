"""Finished months of a CSV export are cached as files; the text is the same either way."""

from __future__ import annotations

from datetime import date, datetime

from portal.adapters import export_files
from portal.domain.reporting import exports
from portal.maintenance import warm_exports
from portal.models import Village
from tests.reports import scenario

NOW = datetime(2027, 1, 10, 5, 0)


def export(session, cache_dir, **options):
    options = {"group": "day", **options}
    months = export_files.MonthFiles(cache_dir) if cache_dir is not None else None
    chunks = exports.export_csv(session, "64", date(2026, 10, 1), date(2027, 1, 10),
                                months=months, now=NOW, **options)  # fmt: skip
    return "".join(chunks)


def test_month_segments_cut_at_month_ends():
    assert exports.month_segments(date(2026, 11, 20), date(2027, 1, 2)) == [
        (date(2026, 11, 20), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 1, 2)),
    ]


def test_finished_months_are_cached_and_read_back_unchanged(
    session, make_village, make_gateway, tmp_path
):
    scenario.load(session, make_village, make_gateway)
    folder = tmp_path / "cache"
    for options in ({}, {"variant": "open"}, {"totals": True}, {"variant": "open", "threshold": 2}):
        plain = export(session, None, **options)
        first = export(session, folder, **options)
        again = export(session, folder, **options)
        assert plain == first == again
    # Oct, Nov and Dec are final (4 variants each); January is still open.
    assert len(list(folder.glob("*.csv"))) == 12


def test_a_renamed_village_is_not_served_from_an_old_file(
    session, make_village, make_gateway, tmp_path
):
    scenario.load(session, make_village, make_gateway)
    folder = tmp_path / "cache"
    export(session, folder)
    session.get(Village, scenario.WITA_VILLAGE).name = "Samurangau Baru"
    session.flush()
    assert "Samurangau Baru" in export(session, folder)


def test_prune_removes_unused_files(tmp_path):
    (tmp_path / "old.csv").write_text("x")
    assert export_files.prune(tmp_path, now=NOW.timestamp() + 31 * 86400) == 1


def test_warming_fills_the_cache_for_provinces_and_regencies(
    session, make_village, make_gateway, tmp_path
):
    scenario.load(session, make_village, make_gateway)
    folder = tmp_path / "cache"
    assert warm_exports(session, export_files.MonthFiles(folder), NOW) == 4  # 15, 15.01, 64, 64.01
    files = set(folder.glob("*.csv"))
    assert files
    end = date(2027, 1, 10)
    "".join(exports.export_csv(session, "64.01", date(2026, 1, 11), end, group="day",
                               months=export_files.MonthFiles(folder), now=NOW))  # fmt: skip
    assert set(folder.glob("*.csv")) == files  # everything final was already there
