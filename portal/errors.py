"""Error pages: short, in the resident's language, and never echoing personal data."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.database import db


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        response = make_response(render_template("errors/error.html", error=error))
        response.status_code = error.code or 500
        # Keep what the exception says beside its page: a 405's Allow (RFC 9110 requires
        # it), a 401's WWW-Authenticate, a 413's Retry-After.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> tuple[str, int]:
        # Also what Flask hands over when the commit after the view fails (a full disk):
        # the resident gets the same short page as for any unexpected error, not
        # werkzeug's English explanation. Flask has logged the cause already.
        db.session.rollback()
        return render_template("errors/error.html", error=None), 500

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # The session may hold half a unit of work; nothing of it may be committed.
        db.session.rollback()
        app.logger.exception("unhandled error: %s", type(error).__name__)
        return render_template("errors/error.html", error=None), 500
