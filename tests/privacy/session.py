"""The privacy scan's state for one pytest session, and the calls tests make into it.

Tests record the identifiers they hand to other processes (`record_datagram`,
`record_mac`) and have what they are about to delete scanned first: a PostgreSQL schema
before it is dropped (`scan_schema`), and a folder or a whole PostgreSQL server that
pytest's temporary folder does not hold, or that is gone by the end of the session
(`scan_now`: a tmpfs before it is unmounted, a private cluster before it is deleted).

Kept apart from the plugin module so that conftest and `tests.databases` can import it
before pytest loads the plugin (pytest rewrites asserts only in modules it imports).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.privacy import stores
from tests.privacy.identifiers import Identifiers, add_datagram


@dataclass
class State:
    """Identifiers looked for, findings so far, and where the session's logs go."""

    ids: Identifiers = field(default_factory=Identifiers)
    findings: list[stores.Finding] = field(default_factory=list)
    folder: Path | None = None
    handler: logging.Handler | None = None
    root_level: int = logging.WARNING
    schemas: int = 0
    seconds: float = 0.0
    files: int = 0
    #: Of ``files``, those scanned by `scan_now` (gone, or elsewhere, by the end).
    files_now: int = 0
    server_logs: dict[Path, int] = field(default_factory=dict)
    #: The test running (its setup, call or teardown), which names what `scan_now` finds.
    test: str = ""


STATE: State | None = None


def record_datagram(data: object) -> None:
    """Record the identifiers of a RADIUS request a test sends (no-op when disabled)."""
    if STATE is not None and isinstance(data, (bytes, bytearray, memoryview)):
        add_datagram(STATE.ids, bytes(data))


def record_mac(value: str) -> None:
    """Record a MAC a test gave another process some other way (no-op when disabled)."""
    if STATE is not None:
        STATE.ids.add_mac(value)


def scan_schema(connection: sa.Connection, schema: str) -> None:
    """Scan a test's PostgreSQL schema before it is dropped (no-op when disabled)."""
    if STATE is None:
        return
    started = time.perf_counter()
    STATE.findings += stores.scan_postgres(connection, schema, STATE.ids)
    STATE.schemas += 1
    STATE.seconds += time.perf_counter() - started


def scan_now(
    label: str,
    *,
    folder: Path | None = None,
    database_url: str | None = None,
    skip: Iterable[Path] = (),
) -> list[stores.Finding]:
    """Scan now, against the identifiers recorded so far, what the end-of-session scan
    will not see: every file under ``folder`` (SQLite databases row by row and byte by
    byte, all else as bytes) and every schema holding the app's tables in each database
    of the PostgreSQL server at ``database_url``. Call it before deleting them. ``skip``
    names files a test wrote itself to list its own identifiers (never the app's).

    Records the findings into the session's report, each named ``<label> of <test>``,
    and returns them (none when disabled). The framed IPs of a server's open sessions
    are allowed in ``folder`` too (its data files).
    """
    if STATE is None:
        return []
    started = time.perf_counter()
    where = f"{label} of {STATE.test}" if STATE.test else label
    findings: list[stores.Finding] = []
    allowed: set[str] = set()
    if database_url is not None:
        findings += _scan_server(database_url, where, allowed)
    if folder is not None:
        skipped = {p.resolve() for p in skip}
        findings += [
            replace(f, where=f"{where}: {f.where}")
            for f in stores.scan_tree(folder, STATE.ids, skipped)
            if f.identifier not in allowed
        ]
        count = sum(1 for p in stores.files_under(folder) if p.resolve() not in skipped)
        STATE.files += count
        STATE.files_now += count
    STATE.findings += findings
    STATE.seconds += time.perf_counter() - started
    return findings


def _scan_server(url: str, where: str, allowed: set[str]) -> list[stores.Finding]:
    """Every app schema of every database that accepts connections; adds the framed IPs
    of open sessions to ``allowed``."""
    assert STATE is not None
    base = sa.make_url(url).set(drivername="postgresql+psycopg")
    findings: list[stores.Finding] = []
    server = sa.create_engine(base, poolclass=NullPool)
    with server.connect() as connection:
        names = connection.scalars(
            sa.text("SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname")
        ).all()
    server.dispose()
    for name in names:
        engine = sa.create_engine(base.set(database=name), poolclass=NullPool)
        with engine.connect() as connection:
            for schema in stores.app_schemas(connection):
                findings += stores.scan_postgres(
                    connection, schema, STATE.ids, f"{where}: {name}.{schema}"
                )
                allowed |= stores.open_framed_ips(connection, schema)
                STATE.schemas += 1
        engine.dispose()
    return findings


def start() -> State:
    """A fresh state, the one the calls below record into."""
    global STATE
    STATE = State()
    return STATE


def stop() -> None:
    """Stop recording (returns None, for ``STATE = stop()``)."""
    global STATE
    STATE = None
