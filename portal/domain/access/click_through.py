"""A click-through from the router's own page: **Setuju & Sambungkan** with no portal.

The router serves its page from its own flash; the button logs in with the user name
``wd-t<terms version>`` (`portal.domain.credentials`) and a password derived for that
gateway and version. `portal.domain.access.authorize` checks it with `password` and lets
`accept` record the acceptance.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain import keyring
from portal.domain.access.acceptance import note_on_day
from portal.domain.content import terms
from portal.domain.network.gateways import AccessPoint
from portal.domain.usage.allowance import NO_USAGE, DayUsage
from portal.domain.usage.rollups import ensure_device_day
from portal.models import Village


def password(master_key: str, gateway_id: int, terms_version_id: int) -> str:
    """The password of a click-through at one gateway for one terms version (20 hex).

    The router's own page carries it in the clear: it proves only that the page came from
    this gateway's set, which RADIUS, talking to registered gateways alone, needs no more.
    """
    key = keyring.derive(master_key, "click-through")
    return keyring.keyed_hash(key, f"{gateway_id}/{terms_version_id}")[:20]


def accept(
    session: Session,
    point: AccessPoint,
    key: tuple[str, date, str],
    version_id: int,
    usage: dict[tuple[str, date, str], DayUsage],
    now: datetime,
) -> str | None:
    """Take a click-through of terms version ``version_id`` from the router's own page:
    the version must still be shown at the village (current, or replaced less than a day
    ago); the acceptance is recorded once per device and day (version, village, local
    day: nothing personal; counted with the device's first session), and noted in
    ``usage`` (the batch's counters of the device's day, keyed like ``key``). Returns the
    reason code of a refusal, or None."""
    village = session.get(Village, point.village_kode)
    if village is None or terms.shown_version(session, village, version_id, now) is None:
        return "terms-outdated"
    row = usage.get(key)
    if row is not None and row.terms_version_id == version_id:
        return None  # a second tap, or the router asking again: counted already
    village_kode, day, device = key
    ensure_device_day(session, village_kode=village_kode, day=day, device=device)
    note_on_day(session, village_kode=village_kode, day=day, device=device,
                terms_version_id=version_id)  # fmt: skip
    usage[key] = (row or NO_USAGE)._replace(terms_version_id=version_id)
    return None
