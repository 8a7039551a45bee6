"""The portal's database session: Flask-SQLAlchemy over the models' `Base`, one commit a request.

Views and domain code only flush; the request boundary commits once (a response below
400) or rolls back (anything else), so a refused form changes nothing. Code without a
Flask app uses `portal.storage` instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response
from flask_sqlalchemy import SQLAlchemy

from portal.storage import Base, set_sqlite_pragmas

db = SQLAlchemy(model_class=Base)


def init_app(app: Flask) -> None:
    """Attach the database to the app and apply the SQLite pragmas to its engine."""
    db.init_app(app)
    with app.app_context():
        sa.event.listen(db.engine, "connect", set_sqlite_pragmas)

    @app.after_request
    def _end_unit_of_work(response: Response) -> Response:
        # One commit per request (views and domain code only flush): a response below
        # 400 commits, anything else rolls back, so a refused form changes nothing.
        commit_or_rollback(response.status_code < 400)
        return response


def commit_or_rollback(response_ok: bool) -> None:
    """End the request's unit of work: commit once when it succeeded, else roll back."""
    if response_ok:
        db.session.commit()
    else:
        db.session.rollback()
