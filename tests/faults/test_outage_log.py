"""The database-failure log: one line when failures start, a reminder at most once a
minute, one line when writes succeed again; the cause without SQL or values."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from radius.outages import DatabaseOutages


@pytest.fixture
def lines() -> Iterator[list[str]]:
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(f"{record.levelname} {record.getMessage()}")

    logger = logging.getLogger("radius.outages")
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield kept
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_an_outage_is_logged_once_with_reminders_and_its_end(lines):
    clock = [100.0]
    outages = DatabaseOutages(remind_after=60.0, monotonic=lambda: clock[0])
    refused = ConnectionError('connection to server at "db", port 5432 failed: refused\nIs it up?')
    outages.working()
    for _ in range(500):  # a burst of retransmissions, all failing
        outages.failed(refused)
        clock[0] += 0.1  # 50 s in all
    assert lines == [
        "ERROR database error, requests go unanswered until it clears: "
        'ConnectionError: connection to server at "db", port 5432 failed: refused'
    ]
    clock[0] += 10.1
    outages.failed(refused)
    outages.failed(refused)
    assert len(lines) == 2 and lines[1].startswith("ERROR database still failing after 60 s")
    outages.working()
    outages.working()
    assert lines[2:] == [
        "WARNING database writes succeed again after 60.1 s (502 failures in between)"
    ]
    assert not outages.failing


def test_the_cause_is_the_first_line_only(lines):
    detail = "duplicate key value violates unique constraint\nDETAIL: Key (framed_ip)=(10.5.88.2)"
    DatabaseOutages().failed(ValueError(detail))
    assert lines == [
        "ERROR database error, requests go unanswered until it clears: "
        "ValueError: duplicate key value violates unique constraint"
    ]
