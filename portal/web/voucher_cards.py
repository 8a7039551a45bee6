"""Printable voucher cards: the code, the address its QR opens, and the allowance in words.

The plain codes exist only in `portal.domain.access.vouchers.create_batch`'s return
value, so a printable sheet can be made only at creation.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from portal.domain.access import vouchers
from portal.models import VoucherBatch
from portal.web import qr

CARD_MASK = 2  # any fixed mask reads fine; choosing the best per code is 5x slower


@dataclass(frozen=True)
class Card:
    """One printable voucher card."""

    serial: int
    code: str  # formatted ABCDE-FGH23
    url: str
    qr: Markup


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
