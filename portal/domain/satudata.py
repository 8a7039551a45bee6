"""Usage exports in the Satu Data Indonesia shape: tidy rows keyed by Kemendagri codes.

One row per area per period, lower snake_case columns, codes plus official names, one
column per indicator holding plain counts, bytes and seconds, UTF-8 CSV, and a JSON
metadata file that describes each indicator, its unit, the source, the period and the
licence (CC-BY-4.0).

Two variants: "internal" (Diskominfo; exact figures) and "open" (publishable; cells of
fewer than ``threshold`` devices are empty and protected by complementary suppression,
see `portal.domain.suppression`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from portal.domain.reports import INDICATORS, UsageTable, VillageLabel
from portal.domain.suppression import Suppressed, parent_of, suppress

VARIANTS = ("internal", "open")
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
            yield [LEVELS[13], *_location(kode, labels), *_period(period), *values]
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
            yield [LEVELS[len(kode)], *_area_location(kode, names), *_period(period), *values]

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
    return (-len(kode), kode, _period(period))


def _location(kode: str, labels: dict[str, VillageLabel]) -> list[str]:
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


def _period(period: object) -> list[str]:
    if isinstance(period, str | date):
        return [_iso(period)]
    first, second = period  # type: ignore[misc]
    return [_iso(first), f"{second:02d}.00" if isinstance(second, int) else _iso(second)]


def write_csv(export: Export, chunk_rows: int = 5000) -> Iterator[str]:
    """The export as UTF-8 CSV text in chunks, header first; hidden values are empty.

    Village rows are written by joining text: each village's quoted codes and names are
    prepared once, and a row adds its period and numbers (which need no quoting). A year
    of a thousand villages is 365,000 rows, and a csv.writer call per row costs seconds.
    """
    labels, blank = export.table.villages, "," * (len(INDICATORS) - 1)
    prefixes: dict[str, str] = {}
    chunk = [_csv_text([export.columns])]
    for row in export.table.rows:
        kode, period = row[0], row[1]
        prefix = prefixes.get(kode)
        if prefix is None:
            prefix = prefixes[kode] = _csv_text([[LEVELS[13], *_location(kode, labels)]])[:-1]
        when = period if isinstance(period, str) else ",".join(_period(period))
        values = blank if export.is_hidden(period, kode) else ",".join(map(str, row[2:]))
        chunk.append(f"{prefix},{when},{values}\n")
        if len(chunk) >= chunk_rows:
            yield "".join(chunk)
            chunk.clear()
    totals = list(export.total_rows())
    chunk.append(_csv_text(totals) if totals else "")
    yield "".join(chunk)


def _csv_text(rows: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def as_records(export: Export) -> list[dict[str, object]]:
    """The export as a list of dicts keyed by column (JSON); hidden values are None."""
    keys = export.columns
    return [dict(zip(keys, row, strict=True)) for row in export.rows()]


#: (unit, definition) of every indicator, in Bahasa Indonesia as Satu Data portals show them.
INDICATOR_DEFINITIONS = {
    "sessions": ("sesi", "Jumlah sesi hotspot yang dimulai dalam periode."),
    "devices": (
        "perangkat",
        "Jumlah perangkat berbeda per hari (pseudonim harian). Untuk periode lebih dari satu"
        " hari dan untuk total wilayah: jumlah perangkat-hari, bukan jumlah orang.",
    ),
    "bytes_down": ("byte", "Data yang diunduh perangkat (dari internet ke perangkat)."),
    "bytes_up": ("byte", "Data yang diunggah perangkat (dari perangkat ke internet)."),
    "seconds_online": (
        "detik",
        "Jumlah lama sesi. Rata-rata lama sesi = seconds_online / sessions.",
    ),
    "peak_concurrent": (
        "perangkat",
        "Jumlah perangkat tersambung bersamaan tertinggi. Kosong pada total wilayah"
        " (tidak dapat dijumlahkan).",
    ),
    "terms_accepted": ("kali", "Berapa kali syarat penggunaan disetujui."),
    "vouchers_redeemed": ("voucher", "Jumlah voucher yang dipakai pertama kali."),
    "quota_refusals": ("kali", "Berapa kali perangkat ditolak karena kuota harian habis."),
}
_COLUMN_DEFINITIONS = {
    "tingkat": "Tingkat wilayah baris: desa_kelurahan, kecamatan, kabupaten_kota atau provinsi.",
    "tanggal": "Tanggal lokal desa (WIB/WITA/WIT), format YYYY-MM-DD.",
    "jam": "Jam lokal desa, format HH.00 (awal jam).",
    "tanggal_awal": "Tanggal lokal pertama periode, format YYYY-MM-DD.",
    "tanggal_akhir": "Tanggal lokal terakhir periode (termasuk), format YYYY-MM-DD.",
}


def metadata(
    group: str, start: date, end: date, *, variant: str, threshold: int, producer: str
) -> dict[str, object]:
    """The metadata document (JSON-ready) of an export with these parameters."""
    columns_meta: list[dict[str, object]] = []
    for name in columns(group):
        if name in INDICATOR_DEFINITIONS:
            unit, definition = INDICATOR_DEFINITIONS[name]
            columns_meta.append(
                {"nama": name, "jenis": "indikator", "tipe": "integer", "satuan": unit,
                 "definisi": definition}
            )  # fmt: skip
        elif name.startswith(("kode_", "nama_")):
            level = name.split("_", 1)[1].replace("_", " ")
            kind = "Kode" if name.startswith("kode_") else "Nama resmi"
            columns_meta.append(
                {"nama": name, "jenis": "dimensi", "tipe": "string",
                 "definisi": f"{kind} {level} menurut {REGION_EDITION} (Permendagri 58/2021)."}
            )  # fmt: skip
        else:
            columns_meta.append(
                {"nama": name, "jenis": "dimensi", "tipe": "string",
                 "definisi": _COLUMN_DEFINITIONS[name]}
            )  # fmt: skip
    suppression = (
        f"Sel yang menggambarkan kurang dari {threshold} perangkat dikosongkan, beserta sel"
        " pelengkap (supresi komplementer) agar nilai yang dikosongkan tidak dapat dihitung"
        " dari total."
        if variant == "open"
        else "Angka tepat untuk keperluan internal Diskominfo; jangan dipublikasikan."
    )
    return {
        "judul": "Penggunaan Wi-Fi publik desa",
        "deskripsi": (
            "Rekap penggunaan hotspot Wi-Fi gratis di kantor desa per wilayah dan periode."
        ),
        "sumber": (
            "Accounting RADIUS gateway hotspot MikroTik (Wifi Desa), direkap per jam dan per hari."
        ),
        "produsen_data": producer,
        "lisensi": LICENCE,
        "lisensi_url": "https://creativecommons.org/licenses/by/4.0/",
        "periode": {
            "awal": start.isoformat(),
            "akhir": end.isoformat(),
            "satuan_waktu": {"day": "harian", "hour": "per jam", "village": "seluruh periode"}[
                group
            ],
        },
        "zona_waktu": "Waktu lokal desa (WIB, WITA atau WIT)",
        "kode_referensi": REGION_EDITION,
        "varian": variant,
        "ambang_supresi_perangkat": threshold if variant == "open" else None,
        "supresi": suppression,
        "format": {
            "encoding": "UTF-8",
            "pemisah": ",",
            "nilai_kosong": "tersembunyi atau tidak berlaku",
        },
        "kolom": columns_meta,
    }
