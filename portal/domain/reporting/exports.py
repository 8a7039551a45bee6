"""Usage exports as Satu Data CSV: written in chunks, finished months from a cache.

A year's CSV of a thousand villages is 365,000 rows; exports are cut into calendar
months, and a month whose last day is more than `FINAL_AFTER` in the past is final
(accounting for it has long arrived), so its text can be kept and reused by whatever
`MonthCache` the caller hands in (`portal.adapters.export_files.MonthFiles` keeps it in
files). The current month is always computed. The key of a month holds everything its
text depends on, including the labels of the scope's villages (a renamed or added
village makes new text). Suppression and area totals are per day or hour, so a month's
text is the same whichever range it is part of.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from functools import partial
from typing import Protocol

from sqlalchemy.orm import Session

from portal.domain.reporting.reports import (
    INDICATORS,
    check_range,
    usage,
    usage_text,
    village_labels,
)
from portal.domain.reporting.satudata import (
    LEVELS,
    VARIANTS,
    Export,
    build_export,
    columns,
    location_cells,
    period_cells,
)

#: Bumped whenever the CSV layout changes, so cached months are written anew.
CSV_FORMAT = 1


#: A month of an export is final (its accounting has long arrived) this long after its
#: last day, so its text can be kept and reused.
FINAL_AFTER = timedelta(days=3)


class MonthCache(Protocol):
    """Where the text of finished months is kept, by a key that holds everything the text
    depends on (scope, segment, grouping, variant, totals, threshold, village labels)."""

    def cached(self, key: tuple, produce: Callable[[], Iterator[str]]) -> Iterator[str]: ...


def month_segments(start: date, end: date) -> list[tuple[date, date]]:
    """The range cut at month boundaries: [(start, end of its month), …, (1st, end)]."""
    segments = []
    first = start
    while first <= end:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, next_month - timedelta(days=1))
        segments.append((first, last))
        first = last + timedelta(days=1)
    return segments


def is_final(last_day: date, now: datetime) -> bool:
    """True when a segment ending on ``last_day`` (local) can no longer change."""
    return last_day < now.date() - FINAL_AFTER


def write_csv(export: Export, chunk_rows: int = 5000, header: bool = True) -> Iterator[str]:
    """The export as UTF-8 CSV text in chunks, header first; hidden values are empty.

    Village rows are written by joining text: each village's quoted codes and names are
    prepared once, and a row adds its period and numbers (which need no quoting). A year
    of a thousand villages is 365,000 rows, and a csv.writer call per row costs seconds.
    """
    labels, blank = export.table.villages, "," * (len(INDICATORS) - 1)
    prefixes: dict[str, str] = {}
    chunk = [_csv_text([export.columns])] if header else []
    for row in export.table.rows:
        kode, period = row[0], row[1]
        prefix = prefixes.get(kode)
        if prefix is None:
            prefix = prefixes[kode] = _csv_text([[LEVELS[13], *location_cells(kode, labels)]])[:-1]
        when = period if isinstance(period, str) else ",".join(period_cells(period))
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


def export_csv(
    session: Session,
    scope: str,
    start: date,
    end: date,
    *,
    group: str,
    variant: str = "internal",
    totals: bool = False,
    threshold: int = 5,
    months: MonthCache | None = None,
    now: datetime | None = None,
) -> Iterator[str]:
    """The CSV export of ``scope`` over start..end, as chunks of text.

    Rows come month by month: the villages' rows in code and period order, then that
    month's area totals. With a ``months`` cache and ``now``, the text of finished months
    comes from the cache (`portal.adapters.export_files.MonthFiles` keeps it in files).
    Exact daily or hourly rows without totals are formatted by the database and streamed.
    Checks its arguments before returning (so a caller can still answer 400): raises
    InvalidReportRequest for a bad range or group, ValueError for an unknown variant.
    """
    check_range(start, end, group)
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}")
    options = (scope, group, variant, totals, threshold)
    return _export_csv(session, start, end, options, months, now)


def _export_csv(
    session: Session,
    start: date,
    end: date,
    options: tuple,
    months: MonthCache | None,
    now: datetime | None,
) -> Iterator[str]:
    scope, group = options[0], options[1]
    yield _csv_text([columns(group)])
    if group == "village":
        yield from _segment_csv(session, start, end, options)
        return
    labels = repr(sorted(village_labels(session, scope).items()))
    fingerprint = hashlib.sha256(labels.encode()).hexdigest()
    for first, last in month_segments(start, end):
        produce = partial(_segment_csv, session, first, last, options)
        if months is None or now is None or not is_final(last, now):
            yield from produce()
        else:
            key = (CSV_FORMAT, *options, first.isoformat(), last.isoformat(), fingerprint)
            yield from months.cached(key, produce)


def _segment_csv(session: Session, start: date, end: date, options: tuple) -> Iterator[str]:
    """One segment's rows without the header."""
    scope, group, variant, totals, threshold = options
    if variant == "internal" and not totals and group != "village":
        yield from _streamed_rows(session, scope, start, end, group)
        return
    table = usage(session, scope, start, end, group)
    export = build_export(table, scope, variant=variant, totals=totals, threshold=threshold)
    yield from write_csv(export, header=False)


def _streamed_rows(
    session: Session, scope: str, start: date, end: date, group: str
) -> Iterator[str]:
    labels = village_labels(session, scope)
    prefixes: dict[str, str] = {}
    for batch in usage_text(session, scope, start, end, group):
        parts = []
        for kode, text in batch:
            prefix = prefixes.get(kode)
            if prefix is None:
                cells = [LEVELS[13], *location_cells(kode, labels)]
                prefix = prefixes[kode] = _csv_text([cells])[:-1]
            parts.append(f"{prefix},{text}\n")
        yield "".join(parts)
