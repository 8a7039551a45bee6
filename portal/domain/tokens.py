"""API bearer tokens for the reports API: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit, regions
from portal.domain.errors import DomainError
from portal.models import ApiToken

TOKEN_PREFIX = "wd_"  # noqa: S105 (a recognisable prefix, not a secret)
MAX_LABEL_LENGTH = 80


class InvalidToken(DomainError):
    """A token's scope or label is not acceptable."""


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
    session: Session, *, scope: str, now: datetime, label: str = "", actor: str = "system"
) -> NewToken:
    """Create a bearer token for a province, regency or village code and return it.

    Only flushes. Raises UnknownRegion (code not in the list) or InvalidToken
    (a district code, or a label over 80 characters).
    """
    region = regions.lookup(scope)
    if region.level == "kecamatan":
        raise InvalidToken(f"{region.kode} is a district; use a province, regency or village")
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidToken(f"the label must have at most {MAX_LABEL_LENGTH} characters")
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
        action="token.create",
        object_type="api_token",
        object_id=record.id,
        scope_kode=region.kode,
        detail=label,
    )
    return NewToken(record=record, token=token)


def find_token(session: Session, token: str) -> ApiToken | None:
    """The unrevoked token record for a bearer value, or None."""
    return session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
