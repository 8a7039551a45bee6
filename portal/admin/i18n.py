"""Translation markers for admin templates that work with or without Flask-Babel.

Admin texts are written in Bahasa Indonesia and wrapped in ``_()``. When Flask-Babel
is set up (the resident pages do that), they go through its gettext, so an English
catalogue applies; without it they are shown as written.
"""

from __future__ import annotations

from flask import Flask, current_app


def gettext(text: str, **values: object) -> str:
    """``text`` translated to the request's language when a catalogue exists."""
    if "babel" in current_app.extensions:
        from flask_babel import gettext as babel_gettext

        return babel_gettext(text, **values)
    return text % values if values else text


def init_app(app: Flask) -> None:
    app.jinja_env.globals.setdefault("_", gettext)
