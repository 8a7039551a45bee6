"""Numbers, sizes and times written the Indonesian way: 1.234,5 GB; pukul 08.00.

Used by the report pages and the daily summary text; the API and CSV exports carry
plain counts, bytes and seconds instead.
"""

from __future__ import annotations

from datetime import datetime

from portal.domain import clock

# Python's own grouping with the separators swapped gives what Babel's id_ID locale gives
# (1.234,5), at a fraction of the cost: the overview formats thousands of cells.
_SWAP = str.maketrans(",.", ".,")
#: Decimal units up to GB only: offices compare "1.234,5 GB" more easily than mixed units.
_UNITS = (("GB", 10**9), ("MB", 10**6), ("KB", 10**3))
#: Monday first, as Indonesian calendars print it.
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
#: The session-length bins of `portal.domain.reporting.village_report.LENGTH_BINS`.
LENGTH_LABELS = ("< 5 menit", "5–15 menit", "15–30 menit", "30–60 menit", "1–2 jam", "> 2 jam")


def number(value: float | int, decimals: int = 0) -> str:
    """``4210`` → ``"4.210"``; ``1234.5, 1`` → ``"1.234,5"``."""
    return f"{value:,.{decimals}f}".translate(_SWAP)


def data_size(octets: int, decimals: int = 1) -> str:
    """Bytes in decimal units: 1_234_500_000_000 → "1.234,5 GB" ("1.235 GB" with decimals=0)."""
    for unit, size in _UNITS:
        if octets >= size:
            return f"{number(octets / size, decimals)} {unit}"
    return f"{number(octets)} B"


def amount(octets: int) -> str:
    """A data figure as every officer's page writes it: one decimal below 100 of the unit,
    none from there on ("3,5 GB", "12,8 MB", "312 GB")."""
    for _unit, size in _UNITS:
        if octets >= size:
            return data_size(octets, 1 if octets < 100 * size else 0)
    return data_size(octets)


def percent(value: float | None) -> str:
    """``99.53`` → ``"99,5%"``; None (nothing to measure) → ``"–"``."""
    return "–" if value is None else f"{number(value, 1)}%"


def clock_time(moment: datetime) -> str:
    """The time of day with a dot: ``"08.00"``."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def hour_label(hour: int) -> str:
    """An hour of the day as ``"08.00"``."""
    return f"{hour:02d}.00"


def local_moment(moment: datetime | None, zone: str) -> str:
    """A naive UTC instant in a village's zone: ``"21/11 13.05 WITA"``; None → ``"–"``."""
    if moment is None:
        return "–"
    local = clock.to_local(moment, zone)
    return f"{local.day:02d}/{local.month:02d} {clock_time(local)} {zone}"


def local_datetime(moment: datetime | None, timezone: str = "WIB") -> str:
    """A naive UTC instant as the console writes it: ``22-11-2026 19.05 WITA`` ("" for None)."""
    if moment is None:
        return ""
    return clock.to_local(moment, timezone).strftime("%d-%m-%Y %H.%M ") + timezone
