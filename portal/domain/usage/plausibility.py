"""What an accounting update may add: counters that cannot be true are bounded.

A router's counters are believed as far as they could be true, never further:

- a session cannot have lasted longer than the wall time since it started (plus
  ``SLACK`` for a Start sent late, clock steps and interim jitter): Acct-Session-Time
  beyond that is cut to it (``session-too-long``);
- no hotspot client moves more than ``MAX_RATE`` bytes a second, in either direction,
  over the time the session could have lasted (``octets-too-fast``);
- counters only grow within a session. Octet counters are 64 bits once Acct-*-Gigawords
  are combined (`portal.domain.usage.updates.combine_gigawords`), so a newer report
  (longer session time) whose octets are lower went backwards past a wrap: its octets
  are refused, the stored ones stand (``counter-backwards``). An older report (a late
  retransmission, the other server's copy) simply adds nothing and is not a finding;
- an Interim-Update or Stop for a session this installation never heard of (its Start
  lost) says how long the session ran; more than ``LONGEST_UNKNOWN`` (a day: every
  Access-Accept's Session-Timeout ends by then) cannot be one of ours, so the session
  is recorded as starting at that report and that report's counters are refused; later
  reports are bounded from there (``unknown-too-long``).

Each finding is a reason code (no personal data); the caller logs and counts it. The
``factor`` lets a benchmark that compresses a day into minutes run its own clock
(`portal.config.Settings.session_time_factor`; 1 everywhere else).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

SLACK_SECONDS = 600
MAX_RATE = 125_000_000  # bytes a second: 1 Gbit/s, more than any hotspot client gets
LONGEST_UNKNOWN = 86_400

SESSION_TOO_LONG = "session-too-long"
OCTETS_TOO_FAST = "octets-too-fast"
COUNTER_BACKWARDS = "counter-backwards"
UNKNOWN_TOO_LONG = "unknown-too-long"
REASONS = (SESSION_TOO_LONG, OCTETS_TOO_FAST, COUNTER_BACKWARDS, UNKNOWN_TOO_LONG)


class Counters(NamedTuple):
    """A session's session seconds, input and output octets."""

    seconds: int
    input_octets: int
    output_octets: int


def plausible_unknown(reported_seconds: int) -> bool:
    """Whether a session first heard of by an Interim-Update or Stop can have run as
    long as it reports."""
    return 0 <= reported_seconds <= LONGEST_UNKNOWN


def start_of_unknown(reported_seconds: int, event_time: datetime) -> datetime:
    """When a session first heard of by an Interim-Update or Stop started: its reported
    time before ``event_time``, or ``event_time`` itself when that cannot be true."""
    if not plausible_unknown(reported_seconds):
        return event_time
    return event_time - timedelta(seconds=reported_seconds)


def bounded(
    stored: Counters,
    reported: Counters,
    *,
    started_at: datetime,
    event_time: datetime,
    factor: float,
    findings: list[str],
) -> Counters:
    """The counters a session holds after ``reported``: each at least what is ``stored``,
    at most what could be true by ``event_time``. Appends a reason to ``findings`` for
    each counter that was cut or refused."""
    elapsed = max(0.0, (event_time - started_at).total_seconds()) * factor
    longest = int(elapsed) + SLACK_SECONDS
    seconds = reported.seconds
    if seconds > max(stored.seconds, longest):
        findings.append(SESSION_TOO_LONG)
        seconds = max(stored.seconds, longest)
    newer = reported.seconds > stored.seconds
    most_octets = (longest) * MAX_RATE
    octets = []
    for before, now in zip(stored[1:], reported[1:], strict=True):
        if now < before:
            if newer:
                findings.append(COUNTER_BACKWARDS)
            now = before
        elif now > max(before, most_octets):
            findings.append(OCTETS_TOO_FAST)
            now = max(before, most_octets)
        octets.append(now)
    return Counters(max(seconds, stored.seconds), octets[0], octets[1])
