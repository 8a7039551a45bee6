"""QR codes as inline SVG, and the one place that decides what a voucher QR opens."""

from __future__ import annotations

import re
from urllib.parse import quote

import qrcode
from markupsafe import Markup


def voucher_url(public_url: str, code: str) -> str:
    """The address a voucher card's QR opens: the portal with the code filled in."""
    return f"{public_url.rstrip('/')}/hotspot/voucher?code={quote(code)}"


def wifi_join_text(ssid: str) -> str:
    """The ``WIFI:`` text phones understand for joining an open network."""
    escaped = re.sub(r'([\\;,:"])', r"\\\1", ssid)
    return f"WIFI:T:nopass;S:{escaped};;"


def qr_svg(data: str, *, label: str = "QR", mask_pattern: int | None = None) -> Markup:
    """An inline ``<svg>`` QR code of ``data`` that scales with its CSS box.

    The path is drawn from the QR matrix (one rectangle per run of dark modules, to
    keep a sheet of 500 cards small); no user text goes inside except the escaped
    label, so the result is safe to insert into a page. A fixed ``mask_pattern``
    skips trying all eight masks, which makes a sheet of 500 codes five times faster.
    """
    code = qrcode.QRCode(
        border=2, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=mask_pattern
    )
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            parts.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
    safe_label = Markup.escape(label)
    svg = (
        f'<svg class="qr" role="img" aria-label="{safe_label}" viewBox="0 0 {size} {size}" '
        f'xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )
    return Markup(svg)  # noqa: S704 (built from the QR matrix and an escaped label)
