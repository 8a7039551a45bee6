"""Admin accounts: password hashing, login throttling, TOTP and region scope.

Passwords are hashed with Argon2id (argon2-cffi) at no less than OWASP's minimum.
Failed logins are counted per account and per address (an HMAC of it, never the raw
IP); ten failures within fifteen minutes lock either for the rest of the window.
Regency and province admins must use a TOTP second factor; village admins may.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from portal.domain import keyring, regions
from portal.models import AdminUser, LoginAttempt

ROLE_RANK = {"village": 1, "regency": 2, "province": 3}
TOTP_REQUIRED_ROLES = frozenset({"regency", "province"})
MAX_FAILURES = 10
THROTTLE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10


# OWASP Password Storage Cheat Sheet asks for at least m=19 MiB, t=2, p=1 with
# Argon2id; these are RFC 9106's low-memory profile, comfortably above that.
def make_hasher() -> PasswordHasher:
    """The production password hasher."""
    return PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)


HASHER = make_hasher()
# Verifying an unknown username against this keeps its timing close to a real account's.
_DUMMY_HASH = HASHER.hash("wifidesa-no-such-user")


class InvalidCredentials(Exception):
    """Username or password (or TOTP code) is wrong; the message never says which."""


class LoginLocked(Exception):
    """Too many failures for this account or address; ``until`` is when it lifts (UTC)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class WeakPassword(ValueError):
    """A new password is too short, too long or too common."""


class InvalidRole(ValueError):
    """A role or its scope code does not fit."""


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


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``. Raises WeakPassword when it is unacceptable."""
    check_password_strength(password)
    return HASHER.hash(password)


def check_password_strength(password: str) -> None:
    """Raise WeakPassword unless ``password`` has 10–128 characters and is not trivial."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 128:
        raise WeakPassword("at most 128 characters")
    if len(set(password)) < 4 or password.lower() in _COMMON:
        raise WeakPassword("too easy to guess")


_COMMON = frozenset(
    {"1234567890", "password123", "qwertyuiop", "passwordku", "wifidesa123", "admin12345"}
)


def address_hash(master_key: str, address: str) -> str:
    """HMAC of a client address for throttling: comparable, never reversible."""
    return keyring.keyed_hash(keyring.derive(master_key, "login-address"), address or "-")


def lock_until(session: Session, *, username: str, address: str, now: datetime) -> datetime | None:
    """When the lock on this account or address lifts, or None when not locked."""
    since = now - THROTTLE_WINDOW
    for column, value in ((LoginAttempt.username, username), (LoginAttempt.address_hash, address)):
        times = session.scalars(
            sa.select(LoginAttempt.at)
            .where(column == value, LoginAttempt.at > since)
            .order_by(LoginAttempt.at.desc())
            .limit(MAX_FAILURES)
        ).all()
        if len(times) >= MAX_FAILURES:
            return times[-1] + THROTTLE_WINDOW
    return None


def record_failure(session: Session, *, username: str, address: str, now: datetime) -> None:
    """Count one failed attempt and forget attempts older than the window."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at <= now - THROTTLE_WINDOW))
    session.add(LoginAttempt(username=username[:64], address_hash=address, at=now))
    session.flush()


def authenticate(
    session: Session, *, username: str, password: str, address: str, now: datetime
) -> AdminUser:
    """The active account for these credentials (first factor only).

    ``address`` is the `address_hash` of the client. Upgrades an outdated hash.
    Raises LoginLocked when throttled (checked before the password) and
    InvalidCredentials (after recording the failure) when anything is wrong.
    """
    username = username.strip()[:64]
    until = lock_until(session, username=username, address=address, now=now)
    if until is not None:
        raise LoginLocked(until)
    user = session.scalar(sa.select(AdminUser).where(AdminUser.username == username))
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not user.active:
            raise InvalidCredentials
    except (VerificationError, InvalidHashError, InvalidCredentials):
        record_failure(session, username=username, address=address, now=now)
        raise InvalidCredentials from None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def totp_required(user: AdminUser) -> bool:
    """True when the account must pass a TOTP check (or enrol one) to log in."""
    return user.role in TOTP_REQUIRED_ROLES or user.totp_secret is not None


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Wifi Desa")


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step at which ``code`` is valid for ``secret`` (±1 step for clock
    drift), or None when it is not valid."""
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) != 6:
        return None
    moment = now.timestamp() if now.tzinfo else (now - datetime(1970, 1, 1)).total_seconds()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.fromtimestamp(moment, UTC))
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), digits):
            return candidate
    return None


def verify_totp(secret: str, code: str, now: datetime) -> bool:
    """True when ``code`` is valid for ``secret`` at ``now`` (±30 s for clock drift)."""
    return totp_step(secret, code, now) is not None


def check_second_factor(
    session: Session, user: AdminUser, *, secret: str, code: str, address: str, now: datetime
) -> None:
    """Check a TOTP code for ``user`` against ``secret``; failures count like passwords.

    A code (its time step) is accepted once: a replayed or older one is refused.

    Raises LoginLocked when throttled and InvalidCredentials when the code is wrong.
    """
    until = lock_until(session, username=user.username, address=address, now=now)
    if until is not None:
        raise LoginLocked(until)
    step = totp_step(secret, code, now)
    replayed = step is not None and user.totp_last_step is not None and step <= user.totp_last_step
    if step is None or replayed:
        record_failure(session, username=user.username, address=address, now=now)
        raise InvalidCredentials
    user.totp_last_step = step


def disable_totp(user: AdminUser) -> None:
    """Turn the optional second factor off. Raises InvalidRole where it is required."""
    if user.role in TOTP_REQUIRED_ROLES:
        raise InvalidRole(f"{user.role} admins must use TOTP")
    user.totp_secret = None
    user.totp_last_step = None


def complete_login(session: Session, user: AdminUser, *, now: datetime) -> None:
    """Mark a successful login: forget the account's failures, stamp the time."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == user.username))
    user.last_login_at = now
    session.flush()


def end_sessions(user: AdminUser) -> None:
    """Invalidate every session of ``user`` (they carry the old session_version)."""
    user.session_version += 1


def change_password(user: AdminUser, *, current: str, new: str) -> None:
    """Replace the password and end every session of the account.

    Raises InvalidCredentials when ``current`` is wrong and WeakPassword for a bad ``new``.
    """
    try:
        HASHER.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise InvalidCredentials from None
    user.password_hash = hash_password(new)
    end_sessions(user)


def can_manage(actor: Principal, user: AdminUser) -> bool:
    """True when ``actor`` outranks ``user`` and ``user``'s region lies in actor's scope."""
    return ROLE_RANK[actor.role] > ROLE_RANK[user.role] and actor.covers(user.scope_kode)


def manageable_roles(actor: Principal) -> list[str]:
    """The roles ``actor`` may create (those strictly below their own)."""
    return [role for role, rank in ROLE_RANK.items() if rank < ROLE_RANK[actor.role]]


def new_temporary_password() -> str:
    """A random 16-character password to hand over once (to be changed at first use)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def reset_password(user: AdminUser) -> str:
    """Give ``user`` a new temporary password (returned once) and end their sessions."""
    password = new_temporary_password()
    user.password_hash = HASHER.hash(password)
    end_sessions(user)
    return password


def reset_totp(user: AdminUser) -> None:
    """Forget ``user``'s TOTP device (a lost phone); regency admins enrol again at login."""
    user.totp_secret = None
    user.totp_last_step = None
    end_sessions(user)


def set_active(user: AdminUser, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions at once."""
    user.active = active
    end_sessions(user)
