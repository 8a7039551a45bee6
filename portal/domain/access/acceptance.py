"""Terms acceptance: counting how often a version was accepted, and noting it on the device's day.

Acceptances are counted per village, local day and version, never per person, and only
once RADIUS let the device on with them (its one-time grant's first use, a voucher login
after the splash, a click-through from the router's own page): the splash's accept alone
counts nothing, so made-up devices posting accepts cannot inflate the figures. The
device's own day row (`DeviceDay`, keyed by its pseudonym) remembers which version it
accepted, so the RADIUS server can let the same device back in (MAC re-login) without
asking again that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.transactions import savepoint
from portal.domain.usage import rollups
from portal.models import DeviceDay, TermsAcceptance


def _increment(session: Session, model: type, keys: dict[str, Any], column: str) -> None:
    """Add one to ``model.column`` in the row with primary key ``keys``, creating it.

    An UPDATE first (the common case once a day has started), an INSERT when the row
    is missing; if another worker inserted it meanwhile, the UPDATE is retried. Both
    are single statements, so concurrent acceptances are never lost.
    """
    table = model.__table__
    where = [table.c[name] == value for name, value in keys.items()]
    update = sa.update(table).where(*where).values({column: table.c[column] + 1})
    if session.execute(update).rowcount:
        return
    try:
        with savepoint(session):
            session.execute(sa.insert(table).values({**keys, column: 1}))
    except IntegrityError:
        session.execute(update)


def count_acceptance(
    session: Session, *, village_kode: str, day: date, hour: int, version_id: int | None
) -> None:
    """Count one acceptance of ``version_id`` at the village on ``day`` (local hour
    ``hour``): `TermsAcceptance` (when there is a version) and the ``terms_accepted``
    counters of `UsageDaily` and `UsageHourly`. Called when RADIUS lets the device on
    with it, never for a page accepted without a login: an accept that leads nowhere
    leaves nothing in the figures."""
    if version_id is not None:
        _increment(
            session,
            TermsAcceptance,
            {"village_kode": village_kode, "local_date": day, "terms_version_id": version_id},
            "count",
        )
    rollups.add_village_counts(
        session, village_kode=village_kode, day=day, hour=hour, terms_accepted=1
    )


def record_acceptance(
    session: Session,
    *,
    village_kode: str,
    day: date,
    hour: int,
    version_id: int | None,
    device: str,
) -> None:
    """Count one acceptance (`count_acceptance`) and store the version on the device's
    day row (created if missing). Nothing identifying is written; the device becomes
    one of the village's users that day only once accounting sees it online
    (`portal.domain.usage.rollups.UsageBatch`)."""
    count_acceptance(session, village_kode=village_kode, day=day, hour=hour, version_id=version_id)
    rollups.ensure_device_day(session, village_kode=village_kode, day=day, device=device)
    note_on_day(
        session, village_kode=village_kode, day=day, device=device, terms_version_id=version_id
    )


def note_on_day(
    session: Session, *, village_kode: str, day: date, device: str, **values: int | None
) -> None:
    """Write ``values`` (``terms_version_id``, ``voucher_id``) on a device's day row: what a
    MAC login checks and what the device's allowance reads. The row must exist
    (`rollups.ensure_device_day`)."""
    session.execute(
        sa.update(DeviceDay)
        .where(
            DeviceDay.village_kode == village_kode,
            DeviceDay.local_date == day,
            DeviceDay.device == device,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
