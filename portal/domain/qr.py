"""QR codes as inline SVG, and the one place that decides what a voucher QR opens."""

from __future__ import annotations

import re
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from markupsafe import Markup

_SIZE_ATTRIBUTES = re.compile(rb' (width|height)="[^"]*mm"')


def voucher_url(public_url: str, code: str) -> str:
    """The address a voucher card's QR opens: the portal with the code filled in."""
    return f"{public_url.rstrip('/')}/hotspot/voucher?code={quote(code)}"


def wifi_join_text(ssid: str) -> str:
    """The ``WIFI:`` text phones understand for joining an open network."""
    escaped = re.sub(r'([\\;,:"])', r"\\\1", ssid)
    return f"WIFI:T:nopass;S:{escaped};;"


def qr_svg(data: str, *, label: str = "QR") -> Markup:
    """An inline ``<svg>`` QR code of ``data`` that scales with its CSS box.

    The SVG is generated from the QR matrix only (no user text inside it), so it is
    safe to insert into a page unescaped.
    """
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = _SIZE_ATTRIBUTES.sub(b"", image.to_string())
    safe_label = Markup.escape(label)
    svg = svg.replace(
        b"<svg ", f'<svg class="qr" role="img" aria-label="{safe_label}" '.encode(), 1
    )
    return Markup(svg.decode())  # noqa: S704 (built from the QR matrix and an escaped label)
