"""Usage exports in the Satu Data Indonesia shape: tidy rows keyed by Kemendagri codes.

One row per area per period, lower snake_case columns, codes plus official names, one
column per indicator holding plain counts, bytes and seconds, UTF-8 CSV, and a JSON
metadata file that describes each indicator, its unit, the source, the period and the
licence (CC-BY-4.0).

Two variants: "internal" (Diskominfo; exact figures) and "open" (publishable; cells of
fewer than ``threshold`` devices are empty and protected by complementary suppression,
see `portal.domain.reporting.suppression`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy.orm import Session

from portal.domain.reporting.reports import (
    INDICATORS,
    InvalidReportRequest,
    UsageTable,
    VillageLabel,
    usage,
)
from portal.domain.reporting.suppression import Suppressed, parent_of, suppress

VARIANTS = ("internal", "open")
#: JSON answers are built in memory; bigger exports are CSV, which streams.
MAX_RECORDS = 100_000
LICENCE = "CC-BY-4.0"
REGION_EDITION = "Kepmendagri 300.2.2-2138/2025"
LOCATION_COLUMNS = (
    "kode_provinsi",
    "nama_provinsi",
    "kode_kabupaten_kota",
    "nama_kabupaten_kota",
    "kode_kecamatan",
    "nama_kecamatan",
    "kode_desa_kelurahan",
    "nama_desa_kelurahan",
)
PERIOD_COLUMNS = {
    "day": ("tanggal",),
    "hour": ("tanggal", "jam"),
    "village": ("tanggal_awal", "tanggal_akhir"),
}
LEVELS = {13: "desa_kelurahan", 8: "kecamatan", 5: "kabupaten_kota", 2: "provinsi"}
#: Indicators that cannot be added up across areas (left empty in area totals).
NOT_ADDITIVE = frozenset({"peak_concurrent"})


def columns(group: str) -> tuple[str, ...]:
    """The header of an export grouped by ``group``."""
    return ("tingkat", *LOCATION_COLUMNS, *PERIOD_COLUMNS[group], *INDICATORS)


def top_width(scope: str) -> int:
    """The widest area total an export of ``scope`` carries: the scope itself."""
    return len(scope)


class Export:
    """The rows of one export, with area totals and (for "open") suppression applied.

    ``totals`` adds a row per district, regency and province down from the scope.
    Build it with `build_export`; iterate `rows()` for lists of values in `columns`
    order, where a hidden or not-applicable value is None.
    """

    def __init__(self, table: UsageTable, scope: str, variant: str, totals: bool, threshold: int):
        self.table, self.scope, self.variant = table, scope, variant
        self.columns = columns(table.group)
        self.totals: dict[tuple, list[int]] = {}
        if totals or variant == "open":
            self.totals = _area_totals(table, len(scope))
        self.hidden: Suppressed | None = None
        if variant == "open":
            devices_at = INDICATORS.index("devices") + 2
            counts = {(row[1], row[0]): row[devices_at] for row in table.rows}
            counts.update({key: values[1] for key, values in self.totals.items()})
            self.hidden = suppress(counts, threshold, top_width(scope))
        self.show_totals = totals or variant == "open"

    def rows(self) -> Iterator[list]:
        """Village rows in code and period order, then area totals (deepest level first)."""
        labels = self.table.villages
        for row in self.table.rows:
            kode, period = row[0], row[1]
            values = [None] * len(INDICATORS) if self.is_hidden(period, kode) else list(row[2:])
            yield [LEVELS[13], *location_cells(kode, labels), *period_cells(period), *values]
        yield from self.total_rows()

    def total_rows(self) -> Iterator[list]:
        """The area-total rows, when the export carries them."""
        if not self.show_totals:
            return
        names = _area_names(self.table.villages)
        for (period, kode), totals in sorted(self.totals.items(), key=_total_order):
            values: list = [None] * len(INDICATORS)
            if not self.is_hidden(period, kode):
                values = [
                    None if name in NOT_ADDITIVE else value
                    for name, value in zip(INDICATORS, totals, strict=True)
                ]
            yield [LEVELS[len(kode)], *_area_location(kode, names), *period_cells(period), *values]

    def is_hidden(self, period: object, kode: str) -> bool:
        return self.hidden is not None and (period, kode) in self.hidden


def build_export(
    table: UsageTable,
    scope: str,
    *,
    variant: str = "internal",
    totals: bool = False,
    threshold: int = 5,
) -> Export:
    """Prepare an export of ``table``. Raises ValueError for an unknown variant."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
    return Export(table, scope, variant, totals, threshold)


def _area_totals(table: UsageTable, top: int) -> dict[tuple, list[int]]:
    """Sums per (period, area code) for every area level from district up to ``top``."""
    totals: dict[tuple, list[int]] = {}
    peak = INDICATORS.index("peak_concurrent")
    for row in table.rows:
        area = parent_of(row[0])
        while area is not None and len(area) >= top:
            key = (row[1], area)
            current = totals.get(key)
            if current is None:
                totals[key] = list(row[2:])
            else:
                for index, value in enumerate(row[2:]):
                    current[index] = (
                        max(current[index], value) if index == peak else current[index] + value
                    )
            area = parent_of(area)
    return totals


def _total_order(item: tuple) -> tuple:
    (period, kode), _ = item
    return (-len(kode), kode, period_cells(period))


def location_cells(kode: str, labels: dict[str, VillageLabel]) -> list[str]:
    label = labels.get(kode)
    if label is None:
        return [kode[:2], "", kode[:5], "", kode[:8], "", kode, ""]
    return [
        kode[:2], label.province_name, kode[:5], label.regency_name,
        kode[:8], label.district_name, kode, label.name,
    ]  # fmt: skip


def _area_names(labels: dict[str, VillageLabel]) -> dict[str, str]:
    names: dict[str, str] = {}
    for kode, label in labels.items():
        names[kode[:2]], names[kode[:5]], names[kode[:8]] = (
            label.province_name, label.regency_name, label.district_name,
        )  # fmt: skip
    return names


def _area_location(kode: str, names: dict[str, str]) -> list[str]:
    cells: list[str] = []
    for width in (2, 5, 8):
        cells += [kode[:width], names.get(kode[:width], "")] if len(kode) >= width else ["", ""]
    return [*cells, "", ""]


def _iso(value: object) -> str:
    return value if isinstance(value, str) else value.isoformat()  # type: ignore[attr-defined]


def period_cells(period: object) -> list[str]:
    if isinstance(period, str | date):
        return [_iso(period)]
    first, second = period  # type: ignore[misc]
    return [_iso(first), f"{second:02d}.00" if isinstance(second, int) else _iso(second)]


def export_records(
    session: Session,
    scope: str,
    start: date,
    end: date,
    *,
    group: str,
    variant: str = "internal",
    totals: bool = False,
    threshold: int = 5,
) -> list[dict[str, object]]:
    """The export as dicts keyed by column (for JSON); hidden values are None.

    Raises InvalidReportRequest or ValueError as `export_csv` does, and
    InvalidReportRequest when there are more than `MAX_RECORDS` rows (CSV streams them).
    """
    table = usage(session, scope, start, end, group)
    if len(table.rows) > MAX_RECORDS:
        raise InvalidReportRequest(
            f"{len(table.rows)} rows is more than JSON serves ({MAX_RECORDS}); use format=csv",
            code="too-many-rows",
            max=MAX_RECORDS,
        )
    export = build_export(table, scope, variant=variant, totals=totals, threshold=threshold)
    return as_records(export)


def as_records(export: Export) -> list[dict[str, object]]:
    """An export as a list of dicts keyed by column; hidden values are None."""
    keys = export.columns
    return [dict(zip(keys, row, strict=True)) for row in export.rows()]
