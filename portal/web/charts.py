"""Charts drawn on the server as inline SVG: bar charts and an hour × weekday heatmap.

No JavaScript and nothing from outside. The page's Content-Security-Policy forbids style
attributes, so colours come from classes in ``static/reports.css`` (``bar``, ``heat-0`` …
``heat-5``, ``axis``). Every chart has a <title> and <desc>; the page shows the same
figures in a table next to it for screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

HEAT_LEVELS = 6
_LEFT, _BOTTOM, _TOP = 56, 28, 12


def _text(x: float, y: float, content: str, anchor: str = "middle", css: str = "label") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">'
        f"{escape(content)}</text>"
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    describe: Callable[[float], str] = str,
    width: int = 640,
    height: int = 220,
    every: int | None = None,
    highest: str = "tertinggi",
) -> Markup:
    """A vertical bar chart; ``describe`` formats a value for the axis and tooltips,
    ``highest`` is the word before the top value in the chart's description.

    ``every`` labels one bar in that many (default: about 12 labels). Returns SVG markup.
    """
    count = max(len(values), 1)
    top = max(values, default=0) or 1
    plot_w, plot_h = width - _LEFT - 8, height - _BOTTOM - _TOP
    step = plot_w / count
    every = every or max(1, round(count / 12))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"'
        f' class="chart" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(title)}: {escape(highest)}"
        f" {escape(describe(max(values, default=0)))}</desc>",
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{width - 8}"'
        f' y2="{_TOP + plot_h}"/>',
        f'<line class="grid" x1="{_LEFT}" y1="{_TOP}" x2="{width - 8}" y2="{_TOP}"/>',
        _text(_LEFT - 4, _TOP + 4, describe(top), "end"),
        _text(_LEFT - 4, _TOP + plot_h, describe(0), "end"),
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * value / top
        x = _LEFT + index * step
        parts.append(
            f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{_TOP + plot_h - bar_h:.1f}"'
            f' width="{max(step * 0.8, 1):.1f}" height="{bar_h:.1f}">'
            f"<title>{escape(label)}: {escape(describe(value))}</title></rect>"
        )
        if index % every == 0:
            parts.append(_text(x + step / 2, height - 10, label))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every piece of text above is escaped)


def heat_level(value: float, maximum: float) -> int:
    """The colour class (0 … HEAT_LEVELS - 1) of a value; 0 only for zero."""
    if value <= 0 or maximum <= 0:
        return 0
    return max(1, min(HEAT_LEVELS - 1, round(value / maximum * (HEAT_LEVELS - 1))))


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[float]],
    *,
    describe: Callable[[float], str] = str,
    cell: int = 22,
) -> Markup:
    """A grid of ``rows`` × ``columns`` squares shaded by value (classes heat-0 … heat-5)."""
    maximum = max((value for row in cells for value in row), default=0)
    left, top = 64, 20
    width, height = left + cell * len(columns) + 4, top + cell * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img"'
        f' class="chart heatmap" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for column, label in enumerate(columns):
        if column % 3 == 0:
            parts.append(_text(left + column * cell + cell / 2, top - 6, label))
    for row, label in enumerate(rows):
        y = top + row * cell
        parts.append(_text(left - 6, y + cell * 0.7, label, "end"))
        for column, value in enumerate(cells[row]):
            parts.append(
                f'<rect class="heat-{heat_level(value, maximum)}" x="{left + column * cell}"'
                f' y="{y}" width="{cell - 2}" height="{cell - 2}">'
                f"<title>{escape(label)} {escape(columns[column])}: {escape(describe(value))}"
                "</title></rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every piece of text above is escaped)
