"""One-time login grants: what the portal hands the router after the terms are accepted.

The portal issues a grant bound to one gateway and one device pseudonym; the router
logs in with it moments later. The password is derived from the username with a key
of the installation (see `grant_password`), so nothing secret is stored and the
RADIUS server can still check CHAP, which needs the cleartext.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import keyring
from portal.domain.batching import dialect_of, one_of, values_for
from portal.domain.credentials import USERNAME_PREFIX, is_grant_username
from portal.domain.errors import DomainError
from portal.models import Gateway, LoginGrant

GRANT_LIFETIME = timedelta(minutes=5)
#: Routers resend Access-Requests and phones double-tap: the same device may use a
#: grant again this long after its first use.
REPEAT_WINDOW = timedelta(minutes=1)


#: Why a grant can be refused (`GrantRefused.reason`).
REFUSALS = ("unknown", "expired", "wrong-gateway", "wrong-device", "used")


class GrantRefused(DomainError):
    """A grant cannot be used; ``reason`` is one of `REFUSALS`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedGrant:
    username: str
    password: str
    expires_at: datetime


def grant_password(master_key: str, username: str) -> str:
    """The one-time password of a grant username (20 hex characters)."""
    return keyring.keyed_hash(keyring.derive(master_key, "grant-password"), username)[:20]


def issue_grant(
    session: Session,
    *,
    gateway: Gateway,
    device: str,
    local_date: date,
    now: datetime,
    master_key: str,
    terms_version_id: int | None = None,
    voucher_id: int | None = None,
    username: str | None = None,
) -> IssuedGrant:
    """Create a grant for ``device`` (a pseudonym) at ``gateway``, valid 5 minutes.

    ``username`` defaults to a random one; a caller may derive it from a one-time
    value instead (the portal derives it from its accept ticket's nonce, so the unique
    constraint refuses a replayed ticket). It must satisfy `is_grant_username`.
    Raises sqlalchemy's IntegrityError (at flush) when the username already exists.
    """
    username = username or USERNAME_PREFIX + secrets.token_hex(8)
    if not is_grant_username(username):
        raise ValueError("not a grant username")
    grant = LoginGrant(
        username=username,
        gateway_id=gateway.id,
        village_kode=gateway.village_kode,
        device=device,
        local_date=local_date,
        voucher_id=voucher_id,
        terms_version_id=terms_version_id,
        created_at=now,
        expires_at=now + GRANT_LIFETIME,
    )
    session.add(grant)
    session.flush()
    return IssuedGrant(username, grant_password(master_key, username), grant.expires_at)


@dataclass
class GrantRow:
    """A grant read without the ORM, for the RADIUS batch path (see `load_grants`)."""

    id: int
    username: str
    gateway_id: int
    device: str
    expires_at: datetime
    used_at: datetime | None
    voucher_id: int | None
    terms_version_id: int | None
    first_use: bool = False


@lru_cache(maxsize=4)
def _grants_statement(dialect: str) -> sa.Select:
    table = LoginGrant.__table__
    return (
        sa.select(
            table.c.id,
            table.c.username,
            table.c.gateway_id,
            table.c.device,
            table.c.expires_at,
            table.c.used_at,
            table.c.voucher_id,
            table.c.terms_version_id,
        )
        .where(one_of(dialect, table.c.username, "usernames"))
        .order_by(table.c.id)
        .with_for_update()
    )


@lru_cache(maxsize=4)
def _first_use_statement(dialect: str) -> sa.Update:
    table = LoginGrant.__table__
    return (
        sa.update(table)
        .where(one_of(dialect, table.c.id, "ids"), table.c.used_at.is_(None))
        .values(used_at=sa.bindparam("used_at", type_=table.c.used_at.type))
    )


def load_grants(session: Session, usernames: list[str]) -> dict[str, GrantRow]:
    """The grants with these usernames, in one query (for a batch of Access-Requests),
    locked for update on PostgreSQL (two RADIUS servers asked for the same grant at once
    see its first use once).

    `use_grant` marks them used in memory; `save_first_uses` writes that back.
    """
    if not usernames:
        return {}
    dialect = dialect_of(session)
    rows = session.execute(
        _grants_statement(dialect), {"usernames": values_for(dialect, usernames)}
    )
    return {row.username: GrantRow(*row) for row in rows}


def save_first_uses(session: Session, rows: list[GrantRow]) -> None:
    """Write the use time of grants first used in this batch (one UPDATE per use time)."""
    by_time: dict[datetime, list[int]] = {}
    for row in rows:
        if row.first_use and row.used_at is not None:
            by_time.setdefault(row.used_at, []).append(row.id)
    dialect = dialect_of(session)
    for used_at, ids in by_time.items():
        session.execute(
            _first_use_statement(dialect), {"ids": values_for(dialect, ids), "used_at": used_at}
        )
    for row in rows:
        row.first_use = False


def use_grant(
    session: Session,
    *,
    username: str,
    gateway_id: int,
    device: str,
    now: datetime,
    preloaded: dict[str, GrantRow] | None = None,
) -> LoginGrant | GrantRow:
    """Mark a grant used by ``device`` at ``gateway_id`` and return it.

    A grant is single-use, except that the same device at the same gateway may use it
    again within `REPEAT_WINDOW` of the first use (a retransmitted Access-Request with
    a new identifier, or a second tap on the button).
    Raises GrantRefused with reason "unknown", "expired", "wrong-gateway",
    "wrong-device" or "used". ``preloaded`` (from `load_grants`) saves the query.
    """
    if preloaded is not None:
        grant = preloaded.get(username)
    else:
        grant = session.scalar(sa.select(LoginGrant).where(LoginGrant.username == username))
    if grant is None:
        raise GrantRefused("unknown")
    if grant.gateway_id != gateway_id:
        raise GrantRefused("wrong-gateway")
    if not hmac.compare_digest(grant.device, device):
        raise GrantRefused("wrong-device")
    if grant.used_at is not None:
        if now - grant.used_at <= REPEAT_WINDOW:
            return grant
        raise GrantRefused("used")
    if now >= grant.expires_at:
        raise GrantRefused("expired")
    grant.used_at = now  # flushed with the unit of work, or by save_first_uses for rows
    if isinstance(grant, GrantRow):
        grant.first_use = True
    return grant


def take_voucher_grant(
    session: Session, *, device: str, voucher_id: int, local_date: date, now: datetime
) -> LoginGrant | None:
    """The unused grant the splash issued to ``device`` today with the voucher, marked
    used (the router logs in with the voucher code, not the grant), or None."""
    grant = session.scalar(
        sa.select(LoginGrant)
        .where(
            LoginGrant.device == device,
            LoginGrant.voucher_id == voucher_id,
            LoginGrant.local_date == local_date,
            LoginGrant.used_at.is_(None),
            LoginGrant.expires_at > now,
        )
        .order_by(LoginGrant.id)
        .limit(1)
        .with_for_update()
    )
    if grant is not None:
        grant.used_at = now
    return grant
