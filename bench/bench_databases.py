"""The databases a bench runs on: a SQLite file, or a PostgreSQL schema of its own."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

#: The PostgreSQL server benches use (loopback by default).
PG_URL = os.environ.get("WIFIDESA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def database(backend: str, folder: Path, name: str) -> Iterator[str]:
    """A URL for an empty database: ``folder/bench.sqlite3``, or a PostgreSQL schema
    ``bench_<name>_<random>`` dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    schema = f"bench_{name}_" + secrets.token_hex(4)
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
