"""Accepting the terms makes a device one of the day's users, once, however it returns."""

import sqlalchemy as sa

from portal.domain.access import acceptance
from portal.domain.usage import rollups
from portal.models import DeviceDay, UsageDaily, UsageHourly
from tests.domain.conftest import NOW


def test_acceptance_counts_the_device_once_and_accounting_does_not_recount(session, make_village):
    village = make_village()
    day = NOW.date()
    for _ in range(2):  # the same phone accepts twice
        acceptance.record_acceptance(
            session, village_kode=village.kode, day=day, hour=11, version_id=None, device="dev-a"
        )
    acceptance.record_acceptance(
        session, village_kode=village.kode, day=day, hour=11, version_id=None, device="dev-b"
    )
    # Accounting for dev-a later finds its row already there: no second count.
    assert not rollups.ensure_device_day(
        session, village_kode=village.kode, day=day, device="dev-a"
    )
    daily = session.scalars(sa.select(UsageDaily)).one()
    hourly = session.scalars(sa.select(UsageHourly)).one()
    assert (daily.devices, daily.terms_accepted) == (2, 3)
    assert (hourly.local_hour, hourly.devices, hourly.terms_accepted) == (11, 2, 3)
    assert session.scalar(sa.select(sa.func.count()).select_from(DeviceDay)) == 2
    usage = session.get(DeviceDay, (village.kode, day, "dev-a"))
    assert usage is not None and usage.bytes_total == 0
