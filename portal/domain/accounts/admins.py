"""Administrator accounts: one rule set for usernames, roles, scopes and passwords.

Village operators and Diskominfo officers are created by the command line, the console
and the demo alike, through `create_admin`. Passwords are hashed with Argon2id
(argon2-cffi) at no less than OWASP's minimum; every rule about them lives in
`check_password`, whoever sets one. Logging in (throttling, TOTP) is
`portal.domain.accounts.logins`.

Every refusal is an `AccountError` (a `DomainError`), so a form, a command or a test
catches one family.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import AlreadyExists, DomainError
from portal.domain.network import regions
from portal.domain.network.villages import get_village
from portal.models import AdminUser

ROLE_RANK = {"village": 1, "regency": 2, "province": 3}
#: The scope length each role needs: a province, a regency or a village code.
ROLE_SCOPE_LENGTH = {"province": 2, "regency": 5, "village": 13}
SCOPE_EXAMPLES = {"province": "64", "regency": "64.01", "village": "64.01.01.2009"}
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_COMMON = frozenset(
    {"1234567890", "password123", "qwertyuiop", "passwordku", "wifidesa123", "admin12345"}
)


class AccountError(DomainError):
    """An account request the domain refuses; ``str(error)`` says why, in one line."""


class InvalidAdmin(AccountError):
    """A username, role, scope or password is not acceptable."""


class InvalidUsername(InvalidAdmin):
    """The username breaks the naming rule (3-64 of a-z, 0-9, '.', '_' or '-')."""


class WeakPassword(InvalidAdmin):
    """A new password is too short, too long or too easy to guess."""


class AdminExists(AccountError, AlreadyExists):
    """The username is taken."""


# OWASP Password Storage Cheat Sheet asks for at least m=19 MiB, t=2, p=1 with
# Argon2id; these are RFC 9106's low-memory profile, comfortably above that.
def make_hasher() -> PasswordHasher:
    """The production password hasher."""
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)


HASHER = make_hasher()


@dataclass(frozen=True)
class Principal:
    """What the authorization checks need to know about the acting admin."""

    id: int
    username: str
    role: str
    scope_kode: str

    def covers(self, kode: str) -> bool:
        """True when the village (or region) ``kode`` lies inside this admin's scope."""
        return regions.covers(self.scope_kode, kode)

    def at_least(self, role: str) -> bool:
        """True when this admin's role is ``role`` or above (village < regency < province)."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def principal(user: AdminUser) -> Principal:
    return Principal(id=user.id, username=user.username, role=user.role, scope_kode=user.scope_kode)


def check_password(password: str) -> str:
    """Return ``password`` when it may be set; raises WeakPassword when it has fewer than
    10 or more than 128 characters, or is trivial (few distinct characters, common)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4 or password.lower() in _COMMON:
        raise WeakPassword("the password is too easy to guess")
    return password


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``. Raises WeakPassword when it is unacceptable."""
    return HASHER.hash(check_password(password))


def password_matches(password_hash: str, password: str) -> bool:
    """True when ``password`` matches the stored hash; False for a broken hash."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def validate_scope(session: Session, role: str, raw_scope: str) -> str:
    """Return the dotted scope code for a role.

    Raises InvalidAdmin when the role is unknown or the code is of another level,
    UnknownRegion when it is not in the official list, VillageNotFound when a village
    scope was never set up.
    """
    if role not in ROLE_SCOPE_LENGTH:
        raise InvalidAdmin(
            f"role must be province, regency or village, not {role!r}", code="role-unknown"
        )
    scope = regions.normalize_code(raw_scope)
    if len(scope) != ROLE_SCOPE_LENGTH[role]:
        raise InvalidAdmin(
            f"a {role} admin needs a {role} code like {SCOPE_EXAMPLES[role]}, not {scope}",
            code="scope-level",
            example=SCOPE_EXAMPLES[role],
            value=scope,
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
    """Create an administrator and return it (the command line, the console, the demo).

    Only flushes, and audits as ``actor``. Raises InvalidUsername, InvalidAdmin (role
    or scope level), WeakPassword, AdminExists, UnknownRegion or VillageNotFound.
    """
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidUsername(
            "username must be 3-64 of a-z, 0-9, '.', '_' or '-'", code="username-invalid"
        )
    scope_kode = validate_scope(session, role, scope)
    password_hash = hash_password(password)
    if session.scalar(sa.select(AdminUser.id).where(AdminUser.username == name)):
        raise AdminExists(f"an admin named {name!r} already exists")
    admin = AdminUser(
        username=name,
        password_hash=password_hash,
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


def end_sessions(user: AdminUser) -> None:
    """Invalidate every session of ``user`` (they carry the old session_version)."""
    user.session_version += 1


def set_password(
    session: Session, admin: AdminUser, password: str, *, now: datetime, actor: str = "system"
) -> None:
    """Replace an admin's password and end their sessions. Raises WeakPassword."""
    admin.password_hash = hash_password(password)
    end_sessions(admin)
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


def new_temporary_password() -> str:
    """A random 19-character password to hand over once (to be changed at first use)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def reset_password(user: AdminUser) -> str:
    """Give ``user`` a new temporary password (returned once) and end their sessions."""
    password = new_temporary_password()
    user.password_hash = hash_password(password)
    end_sessions(user)
    return password


def set_active(user: AdminUser, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    user.active = active
    end_sessions(user)


def can_manage(actor: Principal, user: AdminUser) -> bool:
    """True when ``actor`` outranks ``user`` and ``user``'s region lies in actor's scope."""
    return ROLE_RANK[actor.role] > ROLE_RANK[user.role] and actor.covers(user.scope_kode)


def manageable_roles(actor: Principal) -> list[str]:
    """The roles ``actor`` may create (those strictly below their own)."""
    return [role for role, rank in ROLE_RANK.items() if rank < ROLE_RANK[actor.role]]
