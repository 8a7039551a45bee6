"""A device is one of the day's users once it is online, once, however it returns."""

import sqlalchemy as sa

from portal.domain.access import acceptance
from portal.domain.usage import rollups
from portal.models import DeviceDay, UsageDaily, UsageHourly
from tests.domain.conftest import NOW


def test_acceptance_counts_nothing_and_the_first_session_counts_the_device(session, make_village):
    village = make_village()
    day = NOW.date()
    for _ in range(2):  # the same phone accepts twice
        acceptance.record_acceptance(
            session, village_kode=village.kode, day=day, version_id=None, device="dev-a"
        )
    acceptance.record_acceptance(
        session, village_kode=village.kode, day=day, version_id=None, device="dev-b"
    )
    assert session.scalar(sa.select(sa.func.count()).select_from(UsageDaily)) == 0
    # Accounting: dev-a's two sessions in two batches, dev-b never online.
    for _ in range(2):
        usage = rollups.UsageBatch()
        usage.device_usage(village.kode, day, "dev-a", bytes_=10, seconds=5, sessions=1)
        usage.flush(session, {village.kode: "WITA"}, NOW)
    session.expire_all()
    daily = session.scalars(sa.select(UsageDaily)).one()
    hourly = session.scalars(sa.select(UsageHourly).where(UsageHourly.devices > 0)).one()
    assert (daily.devices, daily.terms_accepted) == (1, 0)  # no terms version was shown
    assert hourly.devices == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(DeviceDay)) == 2
    used = session.get(DeviceDay, (village.kode, day, "dev-a"))
    assert (used.bytes_total, used.seconds_total, used.sessions) == (20, 10, 2)
