"""Cached CSV text of finished months, kept as files in the data folder.

A year's export reads these instead of 365,000 rows (see `portal.domain.reporting.satudata`,
which decides which months are final and what their key is). Files hold aggregates only
(no personal data). `prune` deletes files unused for `KEEP_UNUSED`; the daily upkeep
calls it. A rollup corrected long after the fact is seen once the month's file is
pruned or deleted by hand.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

FOLDER = "export-cache"
KEEP_UNUSED = timedelta(days=30)
READ_CHUNK = 1 << 20


def folder_of(data_dir: Path) -> Path:
    """Where an installation keeps its export cache: a folder inside its data folder."""
    return data_dir / FOLDER


class MonthFiles:
    """The month cache of `portal.domain.reporting.satudata.export_csv`, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: tuple) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()
        return self.folder / f"{digest}.csv"

    def cached(self, key: tuple, produce: Callable[[], Iterator[str]]) -> Iterator[str]:
        """The text for ``key``: read from its file, or produced, yielded and saved.

        A file is written under a temporary name and renamed when complete, so a reader
        never sees half a file and an interrupted download leaves nothing behind.
        Raises OSError when the folder cannot be written.
        """
        path = self.path(key)
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
        self.folder.mkdir(parents=True, exist_ok=True)
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
