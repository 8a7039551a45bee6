"""Numbers, sizes and times written the Indonesian way: 1.234,5 GB; pukul 08.00.

Used by the report pages and the daily summary text; the API and CSV exports carry
plain counts, bytes and seconds instead.
"""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal

LOCALE = "id_ID"
_UNITS = (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("KB", 10**3))


def number(value: float | int, decimals: int = 0) -> str:
    """``4210`` → ``"4.210"``; ``1234.5, 1`` → ``"1.234,5"``."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def data_size(octets: int) -> str:
    """Bytes in decimal units: ``312_000_000_000`` → ``"312 GB"``, 1.5 GB → ``"1,5 GB"``.

    Values of 100 or more in their unit are whole numbers; smaller ones keep one decimal.
    """
    for unit, size in _UNITS:
        if octets >= size:
            value = octets / size
            return f"{number(value, 0 if value >= 100 else 1)} {unit}"
    return f"{number(octets)} B"


def percent(value: float | None) -> str:
    """``99.53`` → ``"99,5%"``; None (nothing to measure) → ``"–"``."""
    return "–" if value is None else f"{number(value, 1)}%"


def clock_time(moment: datetime) -> str:
    """The time of day with a dot: ``"08.00"``."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def hour_label(hour: int) -> str:
    """An hour of the day as ``"08.00"``."""
    return f"{hour:02d}.00"


def duration(seconds: int) -> str:
    """``5400`` → ``"1 jam 30 menit"``; under an hour → ``"12 menit"``."""
    minutes = seconds // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{number(hours)} jam {minutes} menit" if minutes else f"{number(hours)} jam"
    return f"{minutes} menit"
