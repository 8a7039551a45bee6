"""The privacy scan's state for one pytest session, and the two calls tests make into it.

Kept apart from the plugin module so that conftest and `tests.databases` can import it
before pytest loads the plugin (pytest rewrites asserts only in modules it imports).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

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
    server_logs: dict[Path, int] = field(default_factory=dict)


STATE: State | None = None


def record_datagram(data: object) -> None:
    """Record the identifiers of a RADIUS request a test sends (no-op when disabled)."""
    if STATE is not None and isinstance(data, (bytes, bytearray, memoryview)):
        add_datagram(STATE.ids, bytes(data))


def scan_schema(connection: sa.Connection, schema: str) -> None:
    """Scan a test's PostgreSQL schema before it is dropped (no-op when disabled)."""
    if STATE is None:
        return
    started = time.perf_counter()
    STATE.findings += stores.scan_postgres(connection, schema, STATE.ids)
    STATE.schemas += 1
    STATE.seconds += time.perf_counter() - started


def start() -> State:
    """A fresh state, the one the calls below record into."""
    global STATE
    STATE = State()
    return STATE


def stop() -> None:
    """Stop recording (returns None, for ``STATE = stop()``)."""
    global STATE
    STATE = None
