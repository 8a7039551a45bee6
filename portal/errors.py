"""Error pages: short, in the reader's language, and never echoing personal data.

Werkzeug's own titles and descriptions are English; every status the portal answers
with gets its words from the catalog instead (`templates/errors/error.html`). A
description our own code gave (``abort(400, "Tanggal harus …")``) is shown as given.
"""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.database import db


def _own_description(error: HTTPException | None) -> str | None:
    """The description our code passed to ``abort``; None for werkzeug's default text."""
    if error is None or not error.description:
        return None
    return None if error.description == type(error).description else str(error.description)


def _page(code: int, error: HTTPException | None) -> Response:
    response = make_response(
        render_template("errors/error.html", code=code, description=_own_description(error))
    )
    response.status_code = code
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        response = _page(error.code or 500, error)
        # Keep what the exception says beside its page: a 405's Allow (RFC 9110 requires
        # it), a 401's WWW-Authenticate, a 413's Retry-After.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> Response:
        # Also what Flask hands over when the commit after the view fails (a full disk):
        # the resident gets the same short page as for any unexpected error, not
        # werkzeug's English explanation. Flask has logged the cause already.
        db.session.rollback()
        return _page(500, None)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The session may hold half a unit of work; nothing of it may be committed.
        db.session.rollback()
        app.logger.exception("unhandled error: %s", type(error).__name__)
        return _page(500, None)
