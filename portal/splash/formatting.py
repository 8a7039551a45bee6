"""Numbers, sizes, durations and times the way residents read them.

Indonesian uses a decimal comma and a dot between hours and minutes (1,5 GB; 00.00
WITA); English gets 1.5 GB and 00:00.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date

from portal.domain import clock
from portal.i18n import current_language
from portal.messages import local_time
from portal.web.words import duration as duration  # the templates' fmt.duration


def _decimal(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if current_language() == "id" else text


def data_size(octets: int) -> str:
    """``350 MB``, ``1,5 GB`` (decimal units, as operators and phones count)."""
    if octets >= 1_000_000_000:
        return f"{_decimal(octets / 1_000_000_000)} GB"
    if octets >= 1_000_000:
        return f"{round(octets / 1_000_000)} MB"
    return f"{max(0, round(octets / 1_000))} kB"


def clock_time(instant: datetime, timezone: str) -> str:
    """A naive UTC instant as local ``00.00 WITA`` (or ``00:00 WITA`` in English), as the
    RADIUS server's Reply-Message writes it."""
    return f"{local_time(instant, timezone, current_language())} {timezone}"


def long_date(instant: datetime, timezone: str) -> str:
    """A naive UTC instant as the local day, e.g. ``Minggu, 22 November 2026``."""
    return format_date(clock.to_local(instant, timezone).date(), "EEEE, d MMMM y")


_RATE_UNITS = {"": 1, "k": 1_000, "M": 1_000_000, "G": 1_000_000_000}


def speed(rate_limit: str) -> str:
    """The download speed of a Mikrotik-Rate-Limit (``"rx/tx …"``, the router's view:
    tx is what the phone receives): ``"512k/1M"`` → ``1 Mbit/s``, ``"256k"`` → ``256 kbit/s``."""
    first = rate_limit.split()[0] if rate_limit.strip() else ""
    value = first.split("/")[-1]
    unit = value[-1:] if value[-1:] in _RATE_UNITS else ""
    try:
        bits = float(value.removesuffix(unit)) * _RATE_UNITS[unit]
    except ValueError:
        return rate_limit
    if bits >= 1_000_000:
        return f"{_decimal(bits / 1_000_000)} Mbit/s"
    return f"{round(bits / 1_000)} kbit/s"
