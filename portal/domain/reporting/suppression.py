"""Small-count suppression with complementary suppression over area totals.

A cell (a village, district, regency or province in one period) that describes fewer
than ``threshold`` devices is hidden — all of its indicators, since bytes or minutes of
two people describe those two people. Hiding one cell is not enough when totals are
published (in the export itself, or anywhere else): total minus the visible cells gives
the hidden one back. So, in every relation "area = sum of its sub-areas", whenever
exactly one member is hidden a second is hidden too: the smallest visible sub-area with
any devices, or else the area's total. This repeats until no relation has a single
hidden member, which leaves every hidden value underdetermined by subtraction.

Relations are per period (one day or hour, or the whole range for group "village").
What this does not cover: differencing two exports of different periods, e.g. a
village's 2-day total minus a published day. The open variant should therefore be
published for fixed periods (one file per day or month), not for arbitrary ranges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

#: Code length of each level and the level above it.
PARENT_WIDTH = {13: 8, 8: 5, 5: 2}


def parent_of(kode: str) -> str | None:
    """The code one level up (village → district → regency → province), None above."""
    width = PARENT_WIDTH.get(len(kode))
    return kode[:width] if width else None


@dataclass(frozen=True, slots=True)
class Suppressed:
    """Which (period, kode) cells are hidden, and why (primary or complementary)."""

    primary: frozenset[tuple[Hashable, str]]
    complementary: frozenset[tuple[Hashable, str]]

    def __contains__(self, cell: object) -> bool:
        return cell in self.primary or cell in self.complementary


def suppress(
    devices: dict[tuple[Hashable, str], int], threshold: int, top_width: int
) -> Suppressed:
    """Decide which cells to hide.

    ``devices`` maps (period, kode) to the cell's device count for villages and for every
    area total published down from ``top_width`` (2 province, 5 regency, 8 district; 13
    when only villages are published). Returns the primary cells (0 < devices <
    threshold) and the complementary ones chosen to protect them.
    """
    primary = {cell for cell, count in devices.items() if 0 < count < threshold}
    hidden = set(primary)
    groups: dict[tuple[Hashable, str], list[str]] = defaultdict(list)
    for period, kode in devices:
        parent = parent_of(kode)
        if parent is not None and len(parent) >= top_width and (period, parent) in devices:
            groups[(period, parent)].append(kode)
    changed = True
    while changed:
        changed = False
        for (period, parent), children in groups.items():
            extra = _complement(period, parent, children, devices, hidden)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return Suppressed(frozenset(primary), frozenset(hidden - primary))


def _complement(
    period: Hashable,
    parent: str,
    children: Iterable[str],
    devices: dict[tuple[Hashable, str], int],
    hidden: set[tuple[Hashable, str]],
) -> tuple[Hashable, str] | None:
    """The cell to hide so that the relation parent = Σ children has 0 or ≥ 2 hidden."""
    members = [(period, kode) for kode in children]
    hidden_children = [cell for cell in members if cell in hidden]
    parent_hidden = (period, parent) in hidden
    if len(hidden_children) + parent_hidden != 1:
        return None
    visible = [cell for cell in members if cell not in hidden and devices[cell] > 0]
    if visible:
        return min(visible, key=lambda cell: (devices[cell], cell[1]))
    if parent_hidden:
        # Every child is visible and zero, so the hidden total is zero and reveals nothing.
        return None
    return (period, parent)
