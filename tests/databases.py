"""Test databases: a SQLite file, or a fresh PostgreSQL schema, migrated to head.

Every database test runs on SQLite, and on PostgreSQL when WIFIDESA_TEST_DATABASE_URL
names a server (CI sets it). Each PostgreSQL test gets its own schema, dropped after.

Alembic takes a few tenths of a second to migrate an empty database, and some two
thousand tests need one, so each test gets a copy of a database migrated once per run
(`migrate`): the SQLite file copied byte for byte, or, on PostgreSQL, the statements
Alembic sent to build the template schema sent again in the test's schema.
tests/test_migrations.py runs Alembic itself and checks that a copy equals its result.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
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
#: Test connections commit without waiting for the WAL to reach the disk (8 ms a commit
#: on the test machine's disk, 0.8 ms without): a committed row is visible to every other
#: connection at once all the same; only a crash of the PostgreSQL server could lose it.
NOT_DURABLE = "-csynchronous_commit=off"


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
    admin = _admin_engine()
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    # application_name tags every connection of this test, so that connections a
    # failed test left open (in a server thread, say) can be ended before the drop.
    settings = f"-csearch_path={schema} {NOT_DURABLE}"
    options = f"options={quote(settings)}&application_name={schema}"
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
    migrate(settings)
    return settings


def alembic_upgrade(settings: Settings) -> None:
    """Migrate the settings' database with Alembic itself, as ``wifidesa init-db`` does."""
    app = create_app(settings)
    upgrade_database(app)
    with app.app_context():
        from portal.database import db

        db.engine.dispose()


# --- copies of a database migrated once per run -------------------------------------------


def migrate(settings: Settings) -> None:
    """Bring the settings' empty database (from `database_url`) to the newest revision:
    a copy of the template this process migrated with Alembic. Any other PostgreSQL
    database is migrated by Alembic itself."""
    url = sa.make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(), target)
        return
    schema = schema_of(settings.database_url)
    if schema is None:  # a server of the test's own (tests/faults): no template there
        alembic_upgrade(settings)
        return
    with _admin_engine().begin() as conn:
        conn.exec_driver_sql(f"SET LOCAL search_path TO {schema}")
        for statement, parameters in _postgres_template():
            conn.exec_driver_sql(statement, parameters)


def schema_of(url: str) -> str | None:
    """The schema a `database_url` URL selects through its search_path option, if any."""
    options = sa.make_url(url).query.get("options", "")
    found = re.search(r"-csearch_path=(\w+)", str(options))
    return found.group(1) if found else None


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite file migrated by Alembic (built on first use, removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="wifidesa-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    settings = make_settings(folder, "")
    settings.data_dir.mkdir()
    alembic_upgrade(settings)
    files = sorted(p.name for p in settings.data_dir.iterdir())
    # Closing the last connection checkpoints the WAL into the file and removes it.
    assert files == ["wifidesa.sqlite3"], files
    return settings.data_dir / "wifidesa.sqlite3"


@functools.cache
def _admin_engine() -> sa.Engine:
    base = postgres_url()
    assert base is not None
    engine = sa.create_engine(
        base.replace("postgresql://", "postgresql+psycopg://", 1),
        connect_args={"options": NOT_DURABLE},
    )
    atexit.register(engine.dispose)
    return engine


@functools.cache
def _postgres_template() -> list[tuple[str, Any]]:
    """The statements, with their parameters, that change a schema when Alembic
    migrates it (recorded while migrating a template schema, which is then dropped).

    Alembic's SELECTs (is there an alembic_version table? which revision?) change
    nothing and are left out; a statement naming the template schema would build in
    the wrong place, so there must be none.
    """
    recorded: list[tuple[str, Any]] = []
    folder = Path(tempfile.mkdtemp(prefix="wifidesa-template-"))
    try:
        with database_url("postgresql", folder) as url:
            settings = make_settings(folder, url)
            app = create_app(settings)
            with app.app_context():
                from portal.database import db

                engine = db.engine

            def record(_conn: Any, _cursor: Any, statement: str, parameters: Any,
                       _context: Any, _many: bool) -> None:  # fmt: skip
                if not statement.lstrip().upper().startswith("SELECT"):
                    recorded.append((statement, parameters))

            sa.event.listen(engine, "before_cursor_execute", record)
            try:
                upgrade_database(app)
            finally:
                sa.event.remove(engine, "before_cursor_execute", record)
                engine.dispose()
            schema = str(schema_of(url))
            assert not any(schema in statement for statement, _ in recorded), schema
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return recorded
