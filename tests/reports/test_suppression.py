"""Open-data suppression: small cells are hidden and can't be recovered by subtraction.

No database here: the suppression works on an in-memory usage table.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.reporting.reports import INDICATORS, UsageTable
from portal.domain.reporting.satudata import build_export
from portal.domain.reporting.suppression import parent_of, suppress

DAY = date(2026, 11, 21)
DEVICES = INDICATORS.index("devices")


def table(devices: dict[str, int], days: int = 1) -> UsageTable:
    rows = []
    for kode, count in sorted(devices.items()):
        for offset in range(days):
            values = [count * 2, count, count * 1000, count * 100, count * 60, count, 0, 0, 0]
            rows.append((kode, DAY.replace(day=DAY.day + offset), *values))
    return UsageTable("day", DAY, DAY, rows, {})


def rank(rows: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over the rationals."""
    matrix = [row[:] for row in rows]
    rank_found, columns = 0, len(matrix[0]) if matrix else 0
    for column in range(columns):
        pivot = next((r for r in range(rank_found, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[rank_found], matrix[pivot] = matrix[pivot], matrix[rank_found]
        for r in range(len(matrix)):
            if r != rank_found and matrix[r][column]:
                factor = matrix[r][column] / matrix[rank_found][column]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[rank_found], strict=True)
                ]
        rank_found += 1
    return rank_found


def recoverable(export, scope: str) -> set[str]:
    """Hidden primary cells an attacker can compute from the published rows.

    The attacker knows every published value, the relation "area = sum of its
    sub-areas" for every published or hidden area row, and also the exact total of the
    whole scope (as if it had been published elsewhere, e.g. in a daily summary) unless
    that total is itself small enough to be hidden everywhere.
    """
    rows = list(export.rows())
    codes = [row[7] or row[5] or row[3] or row[1] for row in rows]
    value_at = export.columns.index("devices")
    values = {kode: row[value_at] for kode, row in zip(codes, rows, strict=True)}
    totals = dict(export.totals) | {}
    scope_is_small = any(k == scope for _, k in export.hidden.primary)
    if scope in {k for _, k in totals} and not scope_is_small:
        values[scope] = next(v[DEVICES] for (_, k), v in totals.items() if k == scope)
    unknown = sorted(k for k, v in values.items() if v is None)
    index = {k: i for i, k in enumerate(unknown)}
    equations = []
    for area in {k for _, k in export.totals}:
        coefficients = [Fraction(0)] * len(unknown)
        members = [(area, -1)] + [(k, 1) for k in values if parent_of(k) == area]
        if not any(k in index for k, _ in members):
            continue
        for kode, sign in members:
            if kode in index:
                coefficients[index[kode]] += sign
        equations.append(coefficients)
    base = rank(equations) if equations else 0
    found = set()
    for kode in export.hidden.primary:
        if kode[1] not in index:
            continue
        unit = [Fraction(int(i == index[kode[1]])) for i in range(len(unknown))]
        if rank([*equations, unit]) == base:
            found.add(kode[1])
    return found


def test_a_single_small_village_is_protected_by_a_second_hidden_cell():
    devices = {"64.01.01.2001": 3, "64.01.01.2002": 40, "64.01.01.2003": 25}
    export = build_export(table(devices), "64.01", variant="open", threshold=5)
    by_code = {row[7]: row for row in export.rows() if row[0] == "desa_kelurahan"}
    assert by_code["64.01.01.2001"][-9:] == [None] * 9
    assert by_code["64.01.01.2003"][-9:] == [None] * 9  # the next smallest, complementary
    assert by_code["64.01.01.2002"][-9 + DEVICES] == 40
    assert recoverable(export, "64.01") == set()


def test_internal_variant_shows_exact_small_figures():
    export = build_export(table({"64.01.01.2001": 3}), "64.01", variant="internal", totals=True)
    assert [row[-9 + DEVICES] for row in export.rows()] == [3, 3, 3]


def test_zero_devices_are_not_hidden_and_threshold_is_configurable():
    devices = {"64.01.01.2001": 0, "64.01.01.2002": 7, "64.01.01.2003": 9}
    export = build_export(table(devices), "64.01.01", variant="open", threshold=8)
    shown = {row[7]: row[-9 + DEVICES] for row in export.rows() if row[7]}
    assert shown["64.01.01.2001"] == 0
    assert shown["64.01.01.2002"] is None and shown["64.01.01.2003"] is None
    assert recoverable(export, "64.01.01") == set()


def test_the_scope_total_is_hidden_when_it_is_itself_small():
    devices = {"64.01.01.2001": 2, "64.01.02.2001": 1}
    export = build_export(table(devices), "64.01", variant="open")
    assert all(row[-9 + DEVICES] is None for row in export.rows())


areas = st.dictionaries(
    keys=st.tuples(st.integers(1, 4), st.integers(1, 4)).map(lambda t: f"64.01.0{t[0]}.200{t[1]}"),
    values=st.one_of(st.integers(0, 6), st.integers(0, 60)),
    min_size=1,
    max_size=16,
)


@settings(max_examples=150, deadline=None)
@given(devices=areas, threshold=st.integers(2, 10), scope=st.sampled_from(["64", "64.01"]))
def test_no_hidden_cell_can_be_derived_from_published_values_and_totals(devices, threshold, scope):
    export = build_export(table(devices), scope, variant="open", threshold=threshold)
    for row in export.rows():
        value = row[-9 + DEVICES]
        assert value is None or value == 0 or value >= threshold
    assert recoverable(export, scope) == set()


@settings(max_examples=50, deadline=None)
@given(devices=areas)
def test_suppression_is_the_same_for_every_indicator_of_a_row(devices):
    export = build_export(table(devices), "64", variant="open")
    for row in export.rows():
        indicators = row[-9:]
        assert all(v is None for v in indicators) or all(v is not None for v in indicators[:5])


def test_suppress_reports_primary_and_complementary_cells():
    counts = {(DAY, "64.01.01.2001"): 1, (DAY, "64.01.01.2002"): 9, (DAY, "64.01.01"): 10}
    hidden = suppress(counts, 5, top_width=8)
    assert hidden.primary == {(DAY, "64.01.01.2001")}
    assert hidden.complementary == {(DAY, "64.01.01.2002")}
