"""Where the scan looks: database rows, database files byte by byte, logs, any file.

Each function returns `Finding`s. The one thing allowed to hold a client IP is the
``framed_ip`` of an accounting session that is still open (a Disconnect-Request needs
it); it is skipped in rows, and in a database's raw bytes while such a session exists.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

import portal.models  # noqa: F401 (fills the metadata)
from portal.storage import Base
from tests.privacy.identifiers import Identifiers, mask

SESSIONS_TABLE = "accounting_session"
SQLITE_HEADER = b"SQLite format 3\x00"
#: The tail of a SQLite database's companion files (write-ahead log, rollback journal).
COMPANIONS = ("-wal", "-journal")


@dataclass(frozen=True)
class Finding:
    """One raw identifier where it must not be: ``where`` names the file or schema,
    ``part`` the table.column or the line."""

    where: str
    part: str
    identifier: str
    written: str

    def __str__(self) -> str:
        kind = "MAC" if len(self.identifier) == 12 and "." not in self.identifier else "IP"
        shape = _shape(self.written)
        return f"{self.where} [{self.part}]: raw {kind} {mask(self.identifier)} ({shape})"


def _shape(written: str) -> str:
    """How the identifier was written, without repeating it: ``HH:HH:…``, ``hhhh.hhhh.…``."""
    shaped = "".join(
        ("H" if c.isupper() else "h") if c in "0123456789abcdefABCDEF" and not c.isdigit() else c
        for c in written
    )
    return "".join("d" if c.isdigit() else c for c in shaped)


def _cells(where: str, part: str, value: object, ids: Identifiers) -> Iterator[Finding]:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str):
        for identifier, written in ids.find(value):
            yield Finding(where, part, identifier, written)


# --- SQLite ------------------------------------------------------------------------------


def scan_sqlite(path: Path, ids: Identifiers, where: str) -> list[Finding]:
    """Every text and blob cell of every table, then the file and its WAL byte by byte.

    Returns the findings; a file SQLite cannot open is scanned as bytes only.
    """
    findings: list[Finding] = []
    allowed: set[str] = set()
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        connection = None
    if connection is not None:
        try:
            findings += _sqlite_rows(connection, ids, where, allowed)
        except sqlite3.Error:
            pass  # not a readable database: the byte scan below still looks at it
        finally:
            connection.close()
    for suffix in ("", *COMPANIONS):
        file = path.with_name(path.name + suffix)
        if file.exists():
            findings += [
                f for f in scan_bytes(file, ids, where + suffix) if f.identifier not in allowed
            ]
    return findings


def _sqlite_rows(
    connection: sqlite3.Connection, ids: Identifiers, where: str, allowed: set[str]
) -> Iterator[Finding]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        cursor = connection.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (own names)
        columns = [d[0] for d in cursor.description]
        for row in cursor:
            record = dict(zip(columns, row, strict=True))
            if table == SESSIONS_TABLE and record.get("stopped_at") is None:
                if record.get("framed_ip"):
                    allowed.add(str(record["framed_ip"]))
                record.pop("framed_ip", None)
            for column, value in record.items():
                yield from _cells(where, f"{table}.{column}", value, ids)


# --- PostgreSQL --------------------------------------------------------------------------


def scan_postgres(
    connection: sa.Connection, schema: str, ids: Identifiers, where: str | None = None
) -> list[Finding]:
    """Every column of every table of ``schema``, each row as JSON (bytea as hex), in one
    query. Returns the findings, naming ``where`` (``postgresql:<schema>`` unless given),
    table and column.

    The tables are those of the app's models and Alembic's version table, looked up by
    name: the catalogue as a whole grows slow to scan as tests create and drop schemas.
    """
    names = [*Base.metadata.tables, "alembic_version"]
    tables = connection.scalars(
        sa.text(
            "SELECT name FROM unnest(CAST(:names AS text[])) AS name"
            " WHERE to_regclass(format('%I.%I', CAST(:schema AS text), name)) IS NOT NULL"
        ),
        {"names": names, "schema": schema},
    ).all()
    if not tables:
        return []
    parts = []
    for table in tables:
        row = "to_jsonb(r)"
        if table == SESSIONS_TABLE:
            row = (
                "CASE WHEN r.stopped_at IS NULL THEN to_jsonb(r) - 'framed_ip' ELSE to_jsonb(r) END"
            )
        # Table names come from the catalogue of the test's own schema.
        query = f'SELECT \'{table}\', ({row})::text FROM "{schema}"."{table}" r'  # noqa: S608
        parts.append(query)
    where = where or f"postgresql:{schema}"
    findings = []
    for table, text in connection.execute(sa.text(" UNION ALL ".join(parts))):
        if not any(True for _ in ids.find(text)):
            continue
        for column, value in json.loads(text).items():
            findings += _cells(where, f"{table}.{column}", str(value), ids)
    return findings


def app_schemas(connection: sa.Connection) -> list[str]:
    """The schemas of the connected database that hold any of the app's tables."""
    names = [*Base.metadata.tables, "alembic_version"]
    return connection.scalars(
        sa.text(
            "SELECT DISTINCT table_schema FROM information_schema.tables"
            " WHERE table_name = ANY(CAST(:names AS text[])) ORDER BY table_schema"
        ),
        {"names": names},
    ).all()


def open_framed_ips(connection: sa.Connection, schema: str) -> set[str]:
    """The Framed-IP-Addresses of the sessions of ``schema`` that are still open: the one
    client IP a database may hold, so its files may too."""
    exists = sa.text(
        "SELECT to_regclass(format('%I.%I', CAST(:schema AS text), CAST(:table AS text)))"
    )
    if connection.scalar(exists, {"schema": schema, "table": SESSIONS_TABLE}) is None:
        return set()
    query = (  # the schema's name comes from the catalogue
        f'SELECT framed_ip FROM "{schema}"."{SESSIONS_TABLE}"'  # noqa: S608
        " WHERE stopped_at IS NULL AND framed_ip IS NOT NULL"
    )
    return set(connection.scalars(sa.text(query)))


# --- any file ----------------------------------------------------------------------------


def scan_bytes(path: Path, ids: Identifiers, where: str) -> list[Finding]:
    """The file's bytes as Latin-1 text; each finding names its line (1-based)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    # NULs fill most of a database file's bytes and can't be part of an identifier;
    # dropping them makes the scan ten times faster (SQLite puts no NUL between values).
    # (`translate` deletes them ten times faster than `replace`.)
    text = data.translate(None, b"\x00").decode("latin-1")
    findings = []
    for identifier, written in ids.find(text):
        line = text.count("\n", 0, text.find(written)) + 1
        findings.append(Finding(where, f"line {line}", identifier, written))
    return findings


def scan_tail(path: Path, offset: int, ids: Identifiers, where: str) -> list[Finding]:
    """What was appended to a file since ``offset`` (a server log that outlives the run)."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            text = file.read().decode("latin-1")
    except OSError:
        return []
    return [Finding(where, "since the run began", i, w) for i, w in ids.find(text)]


def scan_tree(root: Path, ids: Identifiers, skip: Iterable[Path] = ()) -> list[Finding]:
    """Every file under ``root``: SQLite databases (rows, file and WAL) and all else as bytes.

    Returns the findings, each naming the file relative to ``root``.
    """
    skipped = {p.resolve() for p in skip}
    files = files_under(root)
    databases = {p for p in files if _is_sqlite(p)}
    companions = {p.with_name(p.name + s) for p in databases for s in COMPANIONS}
    findings: list[Finding] = []
    for path in files:
        # A WAL index (-shm) holds page numbers and hashes, no values.
        if path.resolve() in skipped or path in companions or path.name.endswith("-shm"):
            continue
        where = str(path.relative_to(root))
        if path in databases:
            findings += scan_sqlite(path, ids, where)
        else:
            findings += scan_bytes(path, ids, where)
    return findings


def files_under(root: Path) -> list[Path]:
    """The regular files under ``root``, sorted (neither symbolic links nor sockets)."""
    return [p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(16) == SQLITE_HEADER
    except OSError:
        return False
