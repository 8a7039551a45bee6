"""Migrations build the whole schema on SQLite and PostgreSQL alike.

Other tests get a copy of a database Alembic migrated once per run
(`tests.databases.migrate`); here Alembic migrates each test's database itself, and
`test_the_copy_other_tests_get_equals_the_migration` holds the copy to its result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import Result
from flask import Flask

from portal import create_app
from portal.config import Settings
from portal.database import db
from portal.migrations import upgrade_database
from tests import databases


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The portal with its database migrated by Alembic (not copied from a template)."""
    application = create_app(settings)
    upgrade_database(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def describe(engine: sa.Engine) -> dict[str, Any]:
    """Everything a schema holds, as the inspector sees it (in an order of its own: the
    catalogue's may differ), and its Alembic revision."""
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        tables = {
            name: {
                "columns": repr(inspector.get_columns(name)),  # in the table's order
                "primary key": repr(inspector.get_pk_constraint(name)),
                "foreign keys": sorted(map(repr, inspector.get_foreign_keys(name))),
                "indexes": sorted(map(repr, inspector.get_indexes(name))),
                "unique": sorted(map(repr, inspector.get_unique_constraints(name))),
                "checks": sorted(map(repr, inspector.get_check_constraints(name))),
            }
            for name in sorted(inspector.get_table_names())
        }
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return {"tables": tables, "revision": revision}


def test_the_copy_other_tests_get_equals_the_migration(
    app: Flask, settings: Settings, tmp_path: Path
) -> None:
    with app.app_context():
        migrated = describe(db.engine)
    backend = "sqlite" if settings.is_sqlite else "postgresql"
    with databases.database_url(backend, tmp_path / "copy") as url:
        settings = databases.migrated_settings(tmp_path / "copy", url)
        copy = create_app(settings)
        with copy.app_context():
            copied = describe(db.engine)
            db.engine.dispose()

    assert migrated["revision"] is not None
    assert "admin_user" in migrated["tables"]
    assert copied == migrated


def test_upgrade_creates_every_table(app: Flask) -> None:
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())

    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrated_schema_matches_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)

    assert differences == []


def test_upgrade_twice_is_harmless(app: Flask) -> None:
    upgrade_database(app)

    with app.app_context():
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert revision is not None


def test_init_db_twice(settings: Settings, cli: Callable[..., Result]) -> None:
    first = cli("init-db")
    second = cli("init-db")

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "Database ready" in second.stdout
    app = create_app(settings)
    with app.app_context():
        assert "village" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_commands_before_init_db_say_what_to_do(cli: Callable[..., Result]) -> None:
    result = cli("village", "add", "64.01.01.2009")

    assert result.exit_code == 1
    assert "wifidesa init-db" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
