"""The words around the report pages' figures in the officer's language (Bahasa
Indonesia, or English from the shared ``lang`` cookie): durations (`portal.web.words`),
weekday names, the session-length bins and the chart titles.

Numbers keep the console's Indonesian grouping (``portal.web.formatting``) in both
languages, so the figures read the same whichever language an officer chose; the Indonesian
words here are exactly those of ``portal.web.formatting`` (the daily summary text keeps those).
"""

from __future__ import annotations

from flask_babel import gettext

from portal.web.words import duration

__all__ = ["duration", "length_labels", "weekdays"]


def weekdays() -> tuple[str, ...]:
    """Monday first, as ``portal.web.formatting.WEEKDAYS``."""
    return (
        gettext("Senin"), gettext("Selasa"), gettext("Rabu"), gettext("Kamis"),
        gettext("Jumat"), gettext("Sabtu"), gettext("Minggu"),
    )  # fmt: skip


def length_labels() -> tuple[str, ...]:
    """The bins of ``village_report.LENGTH_BINS``, as ``portal.web.formatting.LENGTH_LABELS``."""
    return (
        gettext("< 5 menit"), gettext("5–15 menit"), gettext("15–30 menit"),
        gettext("30–60 menit"), gettext("1–2 jam"), gettext("> 2 jam"),
    )  # fmt: skip


def highest() -> str:
    """The word before a chart's highest value in its description ("tertinggi")."""
    return gettext("tertinggi")
