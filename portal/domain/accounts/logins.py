"""Logging in to the console: the password check, throttling, and the TOTP second factor.

Failed logins are counted per account and per address (an HMAC of it, never the raw
IP); ten failures within fifteen minutes lock either for the rest of the window.
Regency and province admins must use a TOTP second factor; village admins may.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from portal.domain import keyring
from portal.domain.accounts import admins
from portal.domain.accounts.admins import AccountError, InvalidAdmin
from portal.models import AdminUser, LoginAttempt

TOTP_REQUIRED_ROLES = frozenset({"regency", "province"})
MAX_FAILURES = 10
THROTTLE_WINDOW = timedelta(minutes=15)
# Verifying an unknown username against this keeps its timing close to a real account's.
_DUMMY_HASH = admins.HASHER.hash("wifidesa-no-such-user")


class InvalidCredentials(AccountError):
    """Username or password (or TOTP code) is wrong; the message never says which."""


class LoginLocked(AccountError):
    """Too many failures for this account or address; ``until`` is when it lifts (UTC)."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class SecondFactorRequired(InvalidAdmin):
    """The role must keep its TOTP second factor."""


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
    hasher = admins.HASHER
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not user.active:
            raise InvalidCredentials
    except (VerificationError, InvalidHashError, InvalidCredentials):
        record_failure(session, username=username, address=address, now=now)
        raise InvalidCredentials from None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user


def change_password(user: AdminUser, *, current: str, new: str) -> None:
    """The admin's own change: replace the password and end every session of the account.

    Raises InvalidCredentials when ``current`` is wrong and WeakPassword for a bad ``new``.
    """
    if not admins.password_matches(user.password_hash, current):
        raise InvalidCredentials
    user.password_hash = admins.hash_password(new)
    admins.end_sessions(user)


def complete_login(session: Session, user: AdminUser, *, now: datetime) -> None:
    """Mark a successful login: forget the account's failures, stamp the time."""
    session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == user.username))
    user.last_login_at = now
    session.flush()


def totp_required(user: AdminUser) -> bool:
    """True when the account must pass a TOTP check (or enrol one) to log in."""
    return user.role in TOTP_REQUIRED_ROLES or user.totp_secret is not None


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Wifi Desa")


def _totp_step(secret: str, code: str, now: datetime) -> int | None:
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
    step = _totp_step(secret, code, now)
    replayed = step is not None and user.totp_last_step is not None and step <= user.totp_last_step
    if step is None or replayed:
        record_failure(session, username=user.username, address=address, now=now)
        raise InvalidCredentials
    user.totp_last_step = step


def disable_totp(user: AdminUser) -> None:
    """Turn the optional second factor off. Raises SecondFactorRequired where it is required."""
    if user.role in TOTP_REQUIRED_ROLES:
        raise SecondFactorRequired(f"{user.role} admins must use TOTP")
    user.totp_secret = None
    user.totp_last_step = None


def reset_totp(user: AdminUser) -> None:
    """Forget ``user``'s TOTP device (a lost phone); regency admins enrol again at login."""
    user.totp_secret = None
    user.totp_last_step = None
    admins.end_sessions(user)
