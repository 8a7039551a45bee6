"""Sizes, durations and times as residents read them, in both languages."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask

from portal import create_app
from portal.config import Settings
from portal.splash import formatting


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    data = tmp_path_factory.mktemp("fmt")
    return create_app(Settings(data_dir=data, secret_key="k" * 32, database_url="sqlite://"))


@pytest.mark.parametrize(
    ("lang", "octets", "seconds", "size", "time_left", "reset"),
    [
        ("id", 1_500_000_000, 3 * 3600 + 20 * 60, "1,5 GB", "3 jam 20 menit", "00.00 WITA"),
        ("en", 1_500_000_000, 3 * 3600 + 20 * 60, "1.5 GB", "3 h 20 min", "00:00 WITA"),
        ("id", 350_400_000, 45 * 60, "350 MB", "45 menit", "00.00 WITA"),
        ("en", 999, 3600, "1 kB", "1 h", "00:00 WITA"),
        ("en", 0, 60, "0 kB", "1 min", "00:00 WITA"),
        ("id", 0, -30, "0 kB", "0 menit", "00.00 WITA"),
        ("id", 0, 1000 * 3600, "0 kB", "1.000 jam", "00.00 WITA"),
    ],
)
def test_formats(
    bare_app: Flask,
    lang: str,
    octets: int,
    seconds: int,
    size: str,
    time_left: str,
    reset: str,
) -> None:
    with bare_app.test_request_context(f"/?lang={lang}"):
        assert formatting.data_size(octets) == size
        assert formatting.duration(seconds) == time_left
        # 16:00 UTC is local midnight in WITA (UTC+8).
        assert formatting.clock_time(datetime(2026, 11, 22, 16, 0), "WITA") == reset


def test_long_date_in_indonesian(bare_app: Flask) -> None:
    with bare_app.test_request_context("/"):
        assert (
            formatting.long_date(datetime(2026, 11, 22, 3, 0), "WITA") == "Minggu, 22 November 2026"
        )
    with bare_app.test_request_context("/?lang=en"):
        assert (
            formatting.long_date(datetime(2026, 11, 22, 3, 0), "WIB") == "Sunday, 22 November 2026"
        )
