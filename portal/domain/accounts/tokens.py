"""Bearer tokens of the reports API: created for an area, shown once, stored as a hash.

A token is ``wd_`` plus 256 random bits; only its SHA-256 is stored, so the database
alone cannot be used to call the API. A token sees only the area of its scope code, and
records when it was last used.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import DomainError
from portal.domain.network import regions
from portal.models import ApiToken

TOKEN_PREFIX = "wd_"  # noqa: S105 (a recognisable prefix, not a secret)
MAX_LABEL_LENGTH = 80


class TokenError(DomainError):
    """A token request the domain refuses."""


class InvalidToken(TokenError):
    """A token's scope or label is not acceptable."""


class TokenRejected(TokenError):
    """The presented token is missing, unknown or revoked."""


class OutsideTokenScope(TokenError):
    """The token is valid but the requested area lies outside its scope."""


@dataclass(frozen=True)
class NewToken:
    """A token just created; ``token`` is the only copy of the bearer value."""

    record: ApiToken
    token: str


def token_hash(token: str) -> str:
    """The SHA-256 hex digest under which a bearer token is stored and looked up.

    A plain hash is enough: the token has 256 random bits, so it can't be guessed
    from its hash, and a fast hash keeps every API request cheap.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    *,
    scope: str,
    now: datetime,
    label: str = "",
    actor: str = "system",
    actor_id: int | None = None,
) -> NewToken:
    """Create a bearer token for a province, regency or village code and return it.

    Only flushes. Raises UnknownRegion (code not in the list) or InvalidToken
    (a district code, or a label over 80 characters).
    """
    region = regions.lookup(scope)
    if region.level == "kecamatan":
        raise InvalidToken(f"{region.kode} is a district; use a province, regency or village")
    label = " ".join(label.split())
    if len(label) > MAX_LABEL_LENGTH or not label.isprintable():
        raise InvalidToken(f"the label must be at most {MAX_LABEL_LENGTH} printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        token_hash=token_hash(token), scope_kode=region.kode, label=label, created_at=now
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        action="token.create",
        object_type="api_token",
        object_id=record.id,
        scope_kode=region.kode,
        detail=label,
    )
    return NewToken(record=record, token=token)


def find_token(session: Session, token: str) -> ApiToken | None:
    """The unrevoked token record for a bearer value, or None.

    Looking the hash up by equality leaks nothing useful through timing: the hash of a
    guess says nothing about the hashes it is near.
    """
    return session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )


def authenticate(session: Session, presented: str | None, now: datetime) -> ApiToken:
    """The live token row matching ``presented``; records when it was used.

    Raises TokenRejected when it is missing, unknown or revoked.
    """
    row = find_token(session, presented) if presented else None
    if row is None:
        raise TokenRejected("missing, unknown or revoked")
    row.last_used_at = now
    session.flush()
    return row


def check_scope(token: ApiToken, kode: str) -> None:
    """Raise OutsideTokenScope unless ``kode`` lies inside the token's scope."""
    if not regions.covers(token.scope_kode, kode):
        raise OutsideTokenScope(kode)


def tokens_within(session: Session, scope: str) -> list[ApiToken]:
    """Every token (live or revoked) whose area lies inside ``scope`` ("" for all),
    newest first."""
    query = sa.select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if scope:
        area = ApiToken.scope_kode  # a region code, nothing secret
        query = query.where(sa.or_(area == scope, area.like(scope + ".%")))
    return list(session.scalars(query))


def revoke_token(
    session: Session,
    token: ApiToken,
    *,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> ApiToken:
    """Revoke a token from now on (the API refuses it at once); revoking twice keeps the
    first time. Only flushes, audits as ``actor``."""
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
        audit.record(
            session, now=now, actor=actor, actor_id=actor_id, action="token.revoke",
            object_type="api_token", object_id=token.id, scope_kode=token.scope_kode,
            detail=token.label,
        )  # fmt: skip
    return token
