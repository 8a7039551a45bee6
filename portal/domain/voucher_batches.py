"""Voucher batches as admins see them: printable cards, status counts, voiding.

The plain codes exist only in `vouchers.create_batch`'s return value, so a printable
sheet can be made only at creation (`cards`); afterwards the batch shows each
voucher's status by serial number, never a code and never a device.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from portal.domain import qr, vouchers
from portal.models import VoucherBatch

STATUSES = ("unused", "in-use", "used-up", "expired", "voided")
CARD_MASK = 2  # any fixed mask reads fine; choosing the best per code is 5x slower


@dataclass(frozen=True)
class Card:
    """One printable voucher card."""

    serial: int
    code: str  # formatted ABCDE-FGH23
    url: str
    qr: Markup


@dataclass(frozen=True)
class VoucherRow:
    serial: int
    status: str
    first_used_at: datetime | None


def cards(batch: VoucherBatch, codes: list[str], public_url: str) -> list[Card]:
    """Cards for the plain ``codes`` of a just-created batch, in serial order."""
    result = []
    for serial, code in enumerate(codes, start=1):
        printed = vouchers.format_code(code)
        url = qr.voucher_url(public_url, printed)
        card_qr = qr.qr_svg(url, label=printed, mask_pattern=CARD_MASK)
        result.append(Card(serial, printed, url, card_qr))
    return result


def allowance_text(batch: VoucherBatch) -> str:
    """The allowance in a short Indonesian phrase for cards and lists."""
    parts = []
    if batch.daily_mb:
        parts.append(f"{batch.daily_mb} MB/hari")
    if batch.daily_minutes:
        parts.append(f"{batch.daily_minutes} menit/hari")
    if batch.total_mb:
        parts.append(f"total {batch.total_mb} MB")
    if batch.total_minutes:
        parts.append(f"total {batch.total_minutes} menit")
    return ", ".join(parts) or "tanpa batas kuota"


def voucher_rows(batch: VoucherBatch, now: datetime) -> list[VoucherRow]:
    """Every voucher's status by serial (no code, no device)."""
    return [
        VoucherRow(v.serial, vouchers.status(v, now), v.first_used_at)
        for v in sorted(batch.vouchers, key=lambda v: v.serial)
    ]


def status_counts(batch: VoucherBatch, now: datetime) -> dict[str, int]:
    """How many vouchers of the batch are in each status."""
    counted = Counter(vouchers.status(v, now) for v in batch.vouchers)
    return {status: counted.get(status, 0) for status in STATUSES}
