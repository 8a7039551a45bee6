"""Indonesian number formats: what Babel's id_ID locale writes, at a fraction of the cost."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from portal.web import formatting


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 2))
def test_numbers_match_babel_id_locale(value, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    expected = format_decimal(round(value, decimals), format=pattern, locale="id_ID")
    assert formatting.number(round(value, decimals), decimals) == expected


def test_sizes_times_and_durations():
    assert formatting.data_size(1_234_500_000_000) == "1.234,5 GB"
    assert formatting.data_size(312_000_000_000, 0) == "312 GB"
    assert formatting.data_size(999) == "999 B"
    assert formatting.clock_time(datetime(2026, 1, 1, 8, 0)) == "08.00"
    assert formatting.hour_label(0) == "00.00"
    assert formatting.percent(None) == "–" and formatting.percent(99.53) == "99,5%"
    assert formatting.local_moment(datetime(2026, 11, 21, 5, 5), "WITA") == "21/11 13.05 WITA"
