"""Test databases: a SQLite file, or a fresh PostgreSQL schema, migrated to head.

Every database test runs on SQLite, and on PostgreSQL when WIFIDESA_TEST_DATABASE_URL
names a server (CI sets it). Each PostgreSQL test gets its own schema, dropped after.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.config import Settings
from portal.migrations import upgrade_database
from tests.privacy import session as privacy_scan

ENV_URL = "WIFIDESA_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]
TEST_SECRET_KEY = "test-secret-key-" + "0" * 48


def postgres_url() -> str | None:
    return os.environ.get(ENV_URL) or None


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A WIFIDESA_DATABASE_URL for an empty database of the backend, cleaned up after.

    Skips the test when PostgreSQL is asked for but WIFIDESA_TEST_DATABASE_URL is unset.
    """
    if backend == "sqlite":
        yield ""  # the default: SQLite in the test's data folder
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"{ENV_URL} is not set")
    schema = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    # application_name tags every connection of this test, so that connections a
    # failed test left open (in a server thread, say) can be ended before the drop.
    options = f"options={quote(f'-csearch_path={schema}')}&application_name={schema}"
    try:
        yield f"{base}{separator}{options}"
    finally:
        with admin.begin() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            privacy_scan.scan_schema(conn, schema)  # what the test left, before it goes
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def make_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    """Settings for a test: its own data folder, the given database, a fixed key."""
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": url,
        "secret_key": TEST_SECRET_KEY,
        "testing": True,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def migrated_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    """Settings whose database has been migrated to the newest revision."""
    settings = make_settings(tmp_path, url, **overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    upgrade_database(app)
    with app.app_context():
        from portal.database import db

        db.engine.dispose()
    return settings
