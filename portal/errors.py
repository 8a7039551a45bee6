"""Error pages: short, in the resident's language, and never echoing personal data."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from portal.database import db


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("errors/error.html", error=error), error.code or 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # The session may hold half a unit of work; nothing of it may be committed.
        db.session.rollback()
        app.logger.exception("unhandled error: %s", type(error).__name__)
        return render_template("errors/error.html", error=None), 500
