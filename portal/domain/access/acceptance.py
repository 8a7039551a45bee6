"""Terms acceptance: noting on the device's day which version it accepted.

Acceptances are counted per village, local day and version, never per person, and only
once the device was online: RADIUS let it on (its one-time grant, a voucher login after
the splash, a click-through from the router's own page, which note the version on the
device's day) and accounting recorded its first session of the day
(`portal.domain.usage.rollups.UsageBatch`). The splash's accept alone counts nothing, so
made-up devices posting accepts cannot inflate the figures. The device's day row
(`DeviceDay`, keyed by its pseudonym) remembers the version, so the RADIUS server can let
the same device back in (MAC re-login) without asking again that day.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.usage import rollups
from portal.models import DeviceDay


def record_acceptance(
    session: Session,
    *,
    village_kode: str,
    day: date,
    version_id: int | None,
    device: str,
) -> None:
    """Note that the device accepted ``version_id`` at the village on ``day``: stored on
    its day row (created if missing), which a MAC login checks. Nothing is counted
    here: the acceptance and the device count with the device's first session
    (`portal.domain.usage.rollups.UsageBatch`). Nothing identifying is written."""
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
