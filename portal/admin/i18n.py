"""Bahasa Indonesia first, English one tap away, for the admin console.

Texts are written in Indonesian and wrapped in ``_()`` (gettext style, so they can be
extracted later). The chosen language lives in a cookie; English comes from the
catalogue in `portal.admin.translations_en`. The context processor makes ``_`` and
``gettext`` in admin templates mean this function even when Flask-Babel installs its
own for the resident pages.
"""

from __future__ import annotations

from flask import Flask, current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.admin.translations_en import EN

COOKIE = "wifidesa_lang"
LANGUAGES = ("id", "en")


def current_language() -> str:
    """``en`` when the admin chose English, else ``id``."""
    try:
        choice = request.cookies.get(COOKIE, "id")
    except RuntimeError:  # outside a request (the CLI's printable sheet)
        return "id"
    return choice if choice in LANGUAGES else "id"


def gettext(text: str, **values: object) -> str:
    """``text`` in the admin's language, with ``%(name)s`` values filled in."""
    if current_language() == "en":
        text = EN.get(text, text)
    return text % values if values else text


@bp.context_processor
def _translations() -> dict[str, object]:
    return {"_": gettext, "gettext": gettext, "lang": current_language()}


@bp.post("/language")
def language() -> Response:
    """Remember the admin's language in a cookie (public: the login page has it too)."""
    choice = request.form.get("lang", "id")
    response = redirect(url_for("admin.dashboard"))
    response.set_cookie(
        COOKIE,
        choice if choice in LANGUAGES else "id",
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals.setdefault("_", gettext)
