"""Cached CSV text of finished months, so a year's export reads files instead of 365,000 rows.

An export over a range is cut into calendar-month segments. A segment whose last day is
more than `FINAL_AFTER` in the past is final: accounting for it has long arrived, so its
CSV text is kept in a file under the data folder and reused. The current month is always
computed. The cache key holds everything the text depends on: scope, segment, grouping,
variant, totals, threshold and the labels of the scope's villages (so a renamed or added
village makes new files). Suppression and area totals are per day or hour, so a month's
text is the same whichever range it is part of.

Files hold aggregates only (no personal data). `prune` deletes files unused for
`KEEP_UNUSED`; ``wifidesa purge`` calls it. A rollup corrected long after the fact is
seen once the month's file is pruned or deleted by hand.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

FOLDER = "export-cache"
FINAL_AFTER = timedelta(days=3)
KEEP_UNUSED = timedelta(days=30)
READ_CHUNK = 1 << 20


def folder_of(data_dir: Path) -> Path:
    """Where an installation keeps its export cache: a folder inside its data folder."""
    return data_dir / FOLDER


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


def cache_path(folder: Path, key: tuple) -> Path:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    return folder / f"{digest}.csv"


def cached(folder: Path, key: tuple, produce: Callable[[], Iterator[str]]) -> Iterator[str]:
    """The text for ``key``: read from its file, or produced, yielded and saved.

    A file is written under a temporary name and renamed when complete, so a reader
    never sees half a file and an interrupted download leaves nothing behind.
    Raises OSError when the folder cannot be written.
    """
    path = cache_path(folder, key)
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        pass
    else:
        with handle:
            os.utime(path)  # marks the file used, for `prune`
            while block := handle.read(READ_CHUNK):
                yield block
        return
    folder.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    complete = False
    try:
        with temporary.open("w", encoding="utf-8") as output:
            for text in produce():
                output.write(text)
                yield text
        temporary.replace(path)
        complete = True
    finally:
        if not complete:
            temporary.unlink(missing_ok=True)


def prune(folder: Path, now: float | None = None) -> int:
    """Delete cache files not used for `KEEP_UNUSED`; returns how many."""
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - KEEP_UNUSED.total_seconds()
    removed = 0
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
