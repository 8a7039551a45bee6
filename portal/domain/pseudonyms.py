"""Device pseudonyms: a MAC address becomes an unlinkable label at the edge.

A pseudonym is HMAC-SHA256 of the normalised MAC under a random key that belongs to
one purpose and one window: the village's local day for quotas, a voucher batch for
voucher binding. Keys are destroyed after their window plus a grace period; from then
on no stored row can be tied to a device or to another window's rows. The MAC itself
is never stored or logged.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.batching import dialect_of
from portal.domain.keyring import prepared_hmac
from portal.models import PseudonymKey

_MAC_HEX = re.compile(r"[0-9A-Fa-f]{12}")
PSEUDONYM_LENGTH = 32  # hex characters: 128 bits


class InvalidMac(ValueError):
    """The text is not a MAC address in any common notation."""


def normalize_mac(raw: str) -> str:
    """Return ``AA:BB:CC:DD:EE:FF`` for a MAC in colon, dash, dot or bare-hex notation.

    Raises InvalidMac (whose message never repeats the input) otherwise.
    """
    compact = re.sub(r"[\s:.\-]", "", raw or "")
    if not _MAC_HEX.fullmatch(compact):
        raise InvalidMac("not a MAC address")
    compact = compact.upper()
    return ":".join(compact[i : i + 2] for i in range(0, 12, 2))


def pseudonym(key: bytes, mac: str) -> str:
    """The pseudonym of an already normalised MAC under ``key``."""
    return prepared_hmac(key, "sha256").digest(mac.encode()).hex()[:PSEUDONYM_LENGTH]


def quota_window(village_kode: str, day: date) -> str:
    return f"{village_kode}/{day.isoformat()}"


@dataclass
class KeyRing:
    """Fetches (or creates) window keys, caching them for a long-running process.

    ``grace`` is how long a key outlives its window before `destroy_expired_keys`
    removes it.
    """

    grace: timedelta = timedelta(days=2)

    def __post_init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[bytes, datetime]] = {}

    def key(
        self, session: Session, purpose: str, window: str, *, window_end: datetime, now: datetime
    ) -> bytes:
        """The key of ``purpose``/``window``, created at random when it does not exist.

        Two processes creating the same key at once is resolved by the unique
        constraint without an error (insert-or-nothing): the loser reads the winner's
        key. (An error would reach the RADIUS server's outage log.)
        """
        cached = self._cache.get((purpose, window))
        if cached is not None and cached[1] > now:
            return cached[0]
        chosen = sa.select(PseudonymKey).where(
            PseudonymKey.purpose == purpose, PseudonymKey.window == window
        )
        row = session.scalar(chosen)
        if row is None:
            module = postgresql if dialect_of(session) == "postgresql" else sqlite
            session.execute(
                module.insert(PseudonymKey)
                .values(
                    purpose=purpose,
                    window=window,
                    key=secrets.token_bytes(32),
                    created_at=now,
                    destroy_after=window_end + self.grace,
                )
                .on_conflict_do_nothing(index_elements=["purpose", "window"])
            )
            row = session.scalars(chosen).one()
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[(purpose, window)] = (row.key, row.destroy_after)
        return row.key

    def device_for_day(
        self, session: Session, *, village_kode: str, timezone: str, mac: str, now: datetime
    ) -> tuple[date, str]:
        """The local quota day at ``now`` and the device's pseudonym for it.

        ``mac`` must be normalised (see `normalize_mac`).
        """
        day = clock.local_day(now, timezone)
        key = self.key(
            session,
            "quota",
            quota_window(village_kode, day),
            window_end=clock.day_end(day, timezone),
            now=now,
        )
        return day, pseudonym(key, mac)

    def device_for_batch(
        self,
        session: Session,
        *,
        batch_id: int,
        batch_expires_at: datetime,
        mac: str,
        now: datetime,
    ) -> str:
        """The device's pseudonym for binding vouchers of one batch."""
        key = self.key(
            session, "voucher", f"batch/{batch_id}", window_end=batch_expires_at, now=now
        )
        return pseudonym(key, mac)


def destroy_expired_keys(session: Session, now: datetime) -> int:
    """Delete every key whose window ended more than the grace period ago.

    Returns how many keys were destroyed.
    """
    result = session.execute(sa.delete(PseudonymKey).where(PseudonymKey.destroy_after <= now))
    return result.rowcount or 0
