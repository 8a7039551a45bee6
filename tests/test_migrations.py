"""Migrations build the whole schema on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import Result
from flask import Flask

from portal import create_app
from portal.config import Settings
from portal.database import db
from portal.migrations import upgrade_database


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
