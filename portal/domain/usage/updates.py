"""One Start, Interim-Update or Stop applied to its session, exactly once.

Routers retransmit accounting until answered, sometimes with a new Identifier and a
larger Acct-Delay-Time, so the packet-level duplicate cache does not catch every
repeat. Idempotency lives here instead: a session is keyed by gateway and
Acct-Session-Id, its counters only grow (a stored value is replaced by a reported one
only when that is larger, and only as far as it could be true:
`portal.domain.usage.plausibility`), and only the growth is added to the device's day
and the village's rollups. A repeat therefore changes nothing. Whether the stored
values are the latest when several servers share the database is the caller's part
(`portal.domain.usage.accounting.record_batch`).

Octet counters are 32 bits on the wire; a session that moves more than 4 GiB wraps
them and reports the wraps in Acct-*-Gigawords, so the two are always combined.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from portal.domain.usage import plausibility
from portal.domain.usage.closing import close
from portal.domain.usage.rollups import UsageBatch
from portal.domain.usage.sessions import SessionRow

START, INTERIM, STOP = "start", "interim", "stop"


def combine_gigawords(octets: int, gigawords: int) -> int:
    """The full 64-bit count from a 32-bit octet counter and its wrap count."""
    return (max(0, gigawords) << 32) + max(0, octets)


class AccountingUpdate(NamedTuple):
    """One Start, Interim-Update or Stop, already free of personal data.

    ``device`` is the pseudonym under the village's quota key of ``local_date`` (the
    local day of ``event_time``). ``input_octets`` counts from the client (upload),
    ``output_octets`` to the client (download), gigawords combined.
    """

    status: str
    gateway_id: int
    village_kode: str
    timezone: str
    acct_session_id: str
    event_time: datetime
    local_date: date
    device: str | None = None
    session_seconds: int = 0
    input_octets: int = 0
    output_octets: int = 0
    framed_ip: str | None = None
    terminate_cause: str | None = None
    #: The grant username, never a voucher code or MAC.
    user_name: str | None = None
    credential_kind: str = "grant"
    grant_id: int | None = None
    voucher_id: int | None = None


def new_row(update: AccountingUpdate) -> SessionRow:
    """The session row an update for an unknown session creates (not stored yet).

    Its start is the update's event time less the session time it reports, unless that
    cannot be true (`plausibility.start_of_unknown`); its counters start at zero and
    the update is then applied to it like to any other (`record`)."""
    started_at = update.event_time
    if update.status != START:
        started_at = plausibility.start_of_unknown(update.session_seconds, update.event_time)
    return SessionRow(
        gateway_id=update.gateway_id,
        acct_session_id=update.acct_session_id,
        village_kode=update.village_kode,
        device=update.device,
        local_date=update.local_date,
        credential_kind=update.credential_kind,
        grant_id=update.grant_id,
        voucher_id=update.voucher_id,
        user_name=update.user_name,
        started_at=started_at,
        updated_at=update.event_time,
    )


def record(
    update: AccountingUpdate,
    *,
    usage: UsageBatch,
    known: dict[tuple[int, str], SessionRow],
    fresh: set[tuple[int, str]] | None = None,
    factor: float = 1.0,
    findings: list[str] | None = None,
) -> SessionRow:
    """Apply one Start/Interim/Stop idempotently to ``known`` and return the session row.

    ``known`` holds the rows already loaded (`load_sessions`) and gains new ones; write
    them with `save_sessions`. ``fresh`` names rows this unit of work created
    (`claim_sessions`) that no update has counted yet: the first update counts the
    session. A Stop or Interim for an unknown session creates it (the Start was lost);
    a Start for a known one only fills in what is missing. Only growth that could be
    true (`portal.domain.usage.plausibility`, ``factor`` for a compressed clock) goes into
    ``usage``; what was cut is appended to ``findings`` as reason codes.
    """
    findings = [] if findings is None else findings
    key = (update.gateway_id, update.acct_session_id)
    row = known.get(key)
    created = row is None or (fresh is not None and key in fresh)
    if row is None:
        row = known[key] = new_row(update)
    elif fresh is not None:
        fresh.discard(key)
    stored = plausibility.Counters(row.session_seconds, row.input_octets, row.output_octets)
    after = stored
    unknown = created and update.status != START
    if unknown and not plausibility.plausible_unknown(update.session_seconds):
        # nothing it says can be believed: the session is recorded, its counters not
        findings.append(plausibility.UNKNOWN_TOO_LONG)
    elif update.status != START:
        reported = plausibility.Counters(
            update.session_seconds, update.input_octets, update.output_octets
        )
        after = plausibility.bounded(
            stored, reported, started_at=row.started_at, event_time=update.event_time,
            factor=factor, findings=findings,
        )  # fmt: skip
    grown_seconds, grown_in, grown_out = (a - b for a, b in zip(after, stored, strict=True))
    row.session_seconds, row.input_octets, row.output_octets = after
    if update.event_time > row.updated_at:
        row.updated_at = update.event_time
    if update.status == INTERIM and (grown_in or grown_out or grown_seconds):
        row.interim_count += 1
    if row.stopped_at is None:
        if update.status == STOP:
            close(row, at=update.event_time, cause=update.terminate_cause or "Unknown")
        elif update.framed_ip:
            row.framed_ip = update.framed_ip
    row.changed = True
    _count(update, usage, created=created, grown=(grown_in, grown_out, grown_seconds))
    return row


def _count(
    update: AccountingUpdate, usage: UsageBatch, *, created: bool, grown: tuple[int, int, int]
) -> None:
    grown_in, grown_out, grown_seconds = grown
    usage.gateway_seen(update.gateway_id, update.event_time)
    usage.village(
        update.village_kode,
        update.timezone,
        update.event_time,
        sessions=1 if created else 0,
        bytes_up=grown_in,
        bytes_down=grown_out,
        seconds_online=grown_seconds,
    )
    if update.device is not None:
        usage.device_usage(
            update.village_kode,
            update.local_date,
            update.device,
            bytes_=grown_in + grown_out,
            seconds=grown_seconds,
            sessions=1 if created else 0,
        )
    if update.voucher_id is not None:
        usage.voucher_usage(update.voucher_id, bytes_=grown_in + grown_out, seconds=grown_seconds)
