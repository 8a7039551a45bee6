"""Bearer tokens of the reports API: checking a presented token against its stored hash.

Tokens are created by ``wifidesa token create --scope CODE``, which stores only the
SHA-256 (hex) of the token. A token sees only the area of its scope code.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.regions import covers
from portal.models import ApiToken


class TokenRejected(Exception):
    """The presented token is missing, unknown or revoked."""


class OutsideTokenScope(Exception):
    """The token is valid but the requested area lies outside its scope."""


def token_hash(token: str) -> str:
    """The stored form of a token: SHA-256 of its UTF-8 text, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(session: Session, presented: str | None, now: datetime) -> ApiToken:
    """The live token row matching ``presented``; records when it was used.

    Looking the hash up by equality leaks nothing useful through timing: the hash of a
    guess says nothing about the hashes it is near. Raises TokenRejected.
    """
    if not presented:
        raise TokenRejected("missing")
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_hash(presented)))
    if row is None or row.revoked_at is not None:
        raise TokenRejected("unknown or revoked")
    row.last_used_at = now
    session.flush()
    return row


def check_scope(token: ApiToken, kode: str) -> None:
    """Raise OutsideTokenScope unless ``kode`` lies inside the token's scope."""
    if not covers(token.scope_kode, kode):
        raise OutsideTokenScope(kode)
