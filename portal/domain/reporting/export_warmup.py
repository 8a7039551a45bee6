"""Prepare the export cache once a day, so the first download of a year is fast too.

A year's CSV of a thousand villages takes seconds to build from the rollups and a
fraction of a second from the cached months (see `portal.domain.reporting.export_cache`). After
the daily purge the server builds the exact daily export of the last `DAYS` days for
every province and regency that has villages; the months that became final are written
to the cache, and a later download for the same area only computes the current month.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.reporting.satudata import export_csv
from portal.models import Village

DAYS = 365


def warm_exports(session: Session, cache_dir: Path, now: datetime) -> int:
    """Build the last year's exact daily export per province and regency; returns how many.

    Raises OSError when the cache folder cannot be written.
    """
    codes = session.scalars(sa.select(sa.func.substr(Village.kode, 1, 5)).distinct()).all()
    scopes = sorted({code[:2] for code in codes} | set(codes))
    # The latest local day anywhere in Indonesia (WIT) ends every export.
    end = clock.local_day(now, "WIT")
    start = end - timedelta(days=DAYS - 1)
    for scope in scopes:
        for _ in export_csv(session, scope, start, end, group="day", cache_dir=cache_dir, now=now):
            pass
    return len(scopes)
