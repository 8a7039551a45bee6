"""The database-failure log: one line when failures start, a reminder at most once a
minute, one line when writes succeed again (for a second at least); the cause without
SQL or values."""

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
    clock[0] += 1.0
    outages.working()
    outages.working()
    assert lines[2:] == [
        "WARNING database writes succeed again after 61.1 s (502 failures in between)"
    ]
    assert not outages.failing


def test_a_flapping_database_ends_its_outage_only_after_a_quiet_second(lines):
    """A nearly full disk: small commits fit between failing ones (seen in the full-disk
    test, which logged the outage's end and start again within a millisecond)."""
    clock = [0.0]
    outages = DatabaseOutages(settle=1.0, monotonic=lambda: clock[0])
    full = OSError("database or disk is full")
    for _ in range(20):
        outages.failed(full)
        clock[0] += 0.05
        outages.working()
        clock[0] += 0.05
    assert len(lines) == 1 and outages.failing
    clock[0] += 0.8
    outages.working()  # 0.9 s after the last failure: not yet
    assert len(lines) == 1
    clock[0] += 0.2
    outages.working()
    assert lines[1:] == [
        "WARNING database writes succeed again after 3.0 s (20 failures in between)"
    ]
    assert not outages.failing


def test_the_cause_is_the_first_line_only(lines):
    detail = "duplicate key value violates unique constraint\nDETAIL: Key (framed_ip)=(10.5.88.2)"
    DatabaseOutages().failed(ValueError(detail))
    assert lines == [
        "ERROR database error, requests go unanswered until it clears: "
        "ValueError: duplicate key value violates unique constraint"
    ]


def test_the_end_of_an_outage_is_logged_by_the_upkeep_tick_when_traffic_stops(lines):
    """The router's retransmissions are all answered by the first good batch, a moment
    after the last failure; no commit follows to end the outage, the upkeep's tick does."""
    clock = [0.0]
    outages = DatabaseOutages(settle=1.0, monotonic=lambda: clock[0])
    outages.tick()
    outages.failed(ConnectionError("refused"))
    clock[0] += 0.2
    outages.tick()  # failing, no success yet
    outages.working()
    outages.tick()
    assert len(lines) == 1
    clock[0] += 1.0
    outages.tick()
    assert lines[1:] == [
        "WARNING database writes succeed again after 1.2 s (1 failures in between)"
    ]
    clock[0] += 5.0
    outages.tick()
    outages.failed(ConnectionError("refused"))
    clock[0] += 5.0
    outages.tick()  # failing still: a tick is not a success
    assert len(lines) == 3 and outages.failing
