"""Schema migrations (Alembic through Flask-Migrate), shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate, upgrade

from portal.database import db

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

migrate = Migrate(directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)


def init_app(app: Flask) -> None:
    migrate.init_app(app, db)


def upgrade_database(app: Flask) -> None:
    """Create or upgrade the schema to the newest revision.

    Raises sqlalchemy.exc.OperationalError when the database cannot be reached.
    """
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            Path(engine.url.database or "").parent.mkdir(parents=True, exist_ok=True)
        upgrade(directory=str(MIGRATIONS_DIR))


__all__ = ["MIGRATIONS_DIR", "migrate", "upgrade_database"]
