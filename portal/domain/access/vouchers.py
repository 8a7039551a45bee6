"""Voucher codes: generation, keyed hashing, lookup, binding to one device, status.

Codes use an alphabet without look-alikes (no 0/O, no 1/I/L) and are printed as two
groups of five (``ABCDE-FGH23``). Residents may type them in any case, with spaces or
hyphens. Only an HMAC of the code is stored: like a password hash it cannot be
reversed, but unlike one it can be looked up, because the code is both the username
and the password.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit, keyring
from portal.domain.errors import DomainError
from portal.domain.usage.allowance import voucher_used_up
from portal.models import Voucher, VoucherBatch

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_BATCH = 500
STATUSES = ("unused", "in-use", "used-up", "expired", "voided")


class VoucherRefused(DomainError):
    """A code cannot be used: ``reason`` is unknown, expired, voided, used-up or taken."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidBatch(DomainError):
    """A batch request is out of range."""


def normalize_code(text: str) -> str | None:
    """The canonical code (upper case, no separators), or None if it cannot be one."""
    compact = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    if len(compact) != CODE_LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def format_code(code: str) -> str:
    """``ABCDEFGH23`` → ``ABCDE-FGH23`` for printing."""
    return f"{code[:5]}-{code[5:]}"


def code_hash(master_key: str, code: str) -> str:
    return keyring.keyed_hash(keyring.derive(master_key, "voucher-code"), code)


def create_batch(
    session: Session,
    *,
    village_kode: str,
    count: int,
    valid_days: int,
    now: datetime,
    master_key: str,
    daily_mb: int | None = None,
    daily_minutes: int | None = None,
    total_mb: int | None = None,
    total_minutes: int | None = None,
    label: str = "",
    created_by_id: int | None = None,
    actor: str = "system",
) -> tuple[VoucherBatch, list[str]]:
    """Create a batch of ``count`` vouchers and return it with the plain codes.

    The plain codes exist only in the return value: print them now. Only flushes, and
    audits as ``actor``. Raises InvalidBatch when count, validity or an allowance is
    out of range.
    """
    if not 1 <= count <= MAX_BATCH:
        raise InvalidBatch(f"a batch holds 1 to {MAX_BATCH} vouchers")
    if not 1 <= valid_days <= 366:
        raise InvalidBatch("validity must be 1 to 366 days")
    for name, value in (
        ("daily_mb", daily_mb),
        ("daily_minutes", daily_minutes),
        ("total_mb", total_mb),
        ("total_minutes", total_minutes),
    ):
        if value is not None and value < 0:
            raise InvalidBatch(f"{name} cannot be negative")
    batch = VoucherBatch(
        village_kode=village_kode,
        label=label[:80],
        valid_days=valid_days,
        daily_mb=daily_mb,
        daily_minutes=daily_minutes,
        total_mb=total_mb,
        total_minutes=total_minutes,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(batch)
    session.flush()
    codes: list[str] = []
    for serial in range(1, count + 1):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        codes.append(code)
        session.add(
            Voucher(batch_id=batch.id, serial=serial, code_hash=code_hash(master_key, code))
        )
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=created_by_id, action="voucher_batch.create",
        object_type="voucher_batch", object_id=batch.id, scope_kode=village_kode,
        detail=str(count),
    )  # fmt: skip
    return batch, codes


def find_voucher(
    session: Session, *, code: str, master_key: str, now: datetime, village_kode: str
) -> Voucher:
    """The usable voucher for a typed code (any case, separators ignored) at a gateway
    of ``village_kode``: a voucher is valid only in the village that printed it.

    Raises VoucherRefused("unknown" | "voided" | "expired" | "used-up").
    """
    canonical = normalize_code(code)
    if canonical is None:
        raise VoucherRefused("unknown")
    voucher = session.scalar(
        sa.select(Voucher).where(Voucher.code_hash == code_hash(master_key, canonical))
    )
    if voucher is None or voucher.batch.village_kode != village_kode:
        raise VoucherRefused("unknown")
    state = status(voucher, now)
    if state in ("voided", "expired", "used-up"):
        raise VoucherRefused(state)
    return voucher


def bind_voucher(voucher: Voucher, *, device: str, now: datetime) -> Voucher:
    """Bind an unused voucher to ``device`` (its batch pseudonym) or check the binding.

    Raises VoucherRefused("taken") when another device already holds it.
    """
    if voucher.bound_device is None:
        voucher.bound_device = device
        voucher.first_used_at = now
    elif voucher.bound_device != device:
        raise VoucherRefused("taken")
    voucher.last_used_at = now
    return voucher


def status(voucher: Voucher, now: datetime) -> str:
    """One of unused, in-use, used-up, expired, voided (no device details)."""
    batch = voucher.batch
    if batch.voided_at is not None:
        return "voided"
    if now >= batch.expires_at:
        return "expired"
    if voucher_used_up(voucher):
        return "used-up"
    return "unused" if voucher.bound_device is None else "in-use"


def void_batch(
    session: Session,
    batch: VoucherBatch,
    *,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> VoucherBatch:
    """Make every code of the batch unusable from ``now`` on; audits as ``actor``."""
    if batch.voided_at is None:
        batch.voided_at = now
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="voucher_batch.void",
        object_type="voucher_batch", object_id=batch.id, scope_kode=batch.village_kode,
    )  # fmt: skip
    return batch


@dataclass(frozen=True)
class VoucherRow:
    """One voucher of a batch as admins see it: serial and status, never code or device."""

    serial: int
    status: str
    first_used_at: datetime | None


def voucher_rows(batch: VoucherBatch, now: datetime) -> list[VoucherRow]:
    """Every voucher's status by serial (no code, no device)."""
    return [
        VoucherRow(v.serial, status(v, now), v.first_used_at)
        for v in sorted(batch.vouchers, key=lambda v: v.serial)
    ]


def status_counts(batch: VoucherBatch, now: datetime) -> dict[str, int]:
    """How many vouchers of the batch are in each of `STATUSES`."""
    counted = Counter(status(v, now) for v in batch.vouchers)
    return {name: counted.get(name, 0) for name in STATUSES}
