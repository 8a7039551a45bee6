"""Administrators: creating accounts scoped to a region, and their passwords (argon2id)."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from portal.domain import accounts, audit, regions
from portal.domain.accounts import hash_password
from portal.domain.errors import AlreadyExists, DomainError
from portal.domain.villages import get_village
from portal.models import AdminUser

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
#: The scope length each role needs: a province, a regency or a village code.
ROLE_SCOPE_LENGTH = {"province": 2, "regency": 5, "village": 13}
SCOPE_EXAMPLES = {"province": "64", "regency": "64.01", "village": "64.01.01.2009"}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class InvalidAdmin(DomainError):
    """A username, role, scope or password is not acceptable."""


class InvalidUsername(InvalidAdmin):
    """The username breaks the naming rule (3-64 of a-z, 0-9, '.', '_' or '-')."""


class AdminExists(AlreadyExists):
    """The username is taken."""


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash; never raises for a wrong or broken hash.

    Hashes come from `accounts.hash_password`, the one argon2id profile of the product.
    """
    try:
        return accounts.HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_password(password: str) -> str:
    """Return the password; raises InvalidAdmin when shorter than 10 or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAdmin(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidAdmin(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def validate_scope(session: Session, role: str, raw_scope: str) -> str:
    """Return the dotted scope code for a role.

    Raises InvalidAdmin when the role is unknown or the code is of another level,
    UnknownRegion when it is not in the official list, VillageNotFound when a village
    scope was never set up.
    """
    if role not in ROLE_SCOPE_LENGTH:
        raise InvalidAdmin(f"role must be province, regency or village, not {role!r}")
    scope = regions.normalize_code(raw_scope)
    if len(scope) != ROLE_SCOPE_LENGTH[role]:
        raise InvalidAdmin(
            f"a {role} admin needs a {role} code like {SCOPE_EXAMPLES[role]}, not {scope}"
        )
    if role == "village":
        return get_village(session, scope).kode
    return regions.lookup(scope).kode


def create_admin(
    session: Session,
    username: str,
    *,
    role: str,
    scope: str,
    password: str,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> AdminUser:
    """Create an administrator with an argon2id password hash and return it.

    Used by the command line and the console alike. Only flushes (and audits as ``actor``).
    Raises InvalidUsername, InvalidAdmin (role, scope level or password), AdminExists,
    UnknownRegion or VillageNotFound.
    """
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidUsername("username must be 3-64 of a-z, 0-9, '.', '_' or '-'")
    scope_kode = validate_scope(session, role, scope)
    validate_password(password)
    if session.scalar(sa.select(AdminUser.id).where(AdminUser.username == name)):
        raise AdminExists(f"an admin named {name!r} already exists")
    admin = AdminUser(
        username=name,
        password_hash=hash_password(password),
        role=role,
        scope_kode=scope_kode,
        created_at=now,
    )
    session.add(admin)
    session.flush()
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        action="admin.create",
        object_type="admin_user",
        object_id=admin.id,
        scope_kode=scope_kode,
        detail=f"{name} as {role}",
    )
    return admin


def set_password(
    session: Session, admin: AdminUser, password: str, *, now: datetime, actor: str = "system"
) -> None:
    """Replace an admin's password and end their other sessions. Raises InvalidAdmin."""
    admin.password_hash = hash_password(validate_password(password))
    admin.session_version += 1
    session.flush()
    audit.record(
        session,
        now=now,
        actor=actor,
        action="admin.password",
        object_type="admin_user",
        object_id=admin.id,
        scope_kode=admin.scope_kode,
    )
