"""Decode the QR codes our SVGs draw: rasterise the path, read it with zxing-cpp."""

from __future__ import annotations

import re

import zxingcpp
from PIL import Image, ImageDraw

_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_RUN = re.compile(r"M(\d+),(\d+)h(\d+)v1h-\d+z")
_SVG = re.compile(r'<svg class="qr".*?</svg>', re.DOTALL)
SCALE = 8


def decode_svg(svg: str) -> str:
    """The text encoded by one of our QR ``<svg>`` elements."""
    size = int(_VIEWBOX.search(svg).group(1))
    image = Image.new("L", (size * SCALE, size * SCALE), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in _RUN.findall(svg):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle(
            [x * SCALE, y * SCALE, (x + length) * SCALE - 1, (y + 1) * SCALE - 1], fill=0
        )
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "expected exactly one QR code"
    return results[0].text


def svgs_in(html: str) -> list[str]:
    return _SVG.findall(html)
