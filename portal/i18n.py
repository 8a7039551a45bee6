"""Languages: Bahasa Indonesia by default, English one tap away (Flask-Babel).

Templates are written in Indonesian (the msgids are Indonesian), so a page renders in
Indonesian even without any catalog; ``portal/translations/en`` holds the English one.
The compiled ``.mo`` files are committed so an installed wheel needs no build step;
after changing a template's strings, update and recompile with::

    pybabel extract -F portal/translations/babel.cfg -k _ -k gettext -k ngettext:1,2 \
        -k _l -k lazy_gettext --no-location --sort-output -o /tmp/messages.pot .
    pybabel update -N -i /tmp/messages.pot -d portal/translations
    # translate the new entries in portal/translations/en/LC_MESSAGES/messages.po, then
    pybabel compile -d portal/translations

The admin console, the reports, the residents' pages and the RADIUS server's replies
(`portal.messages`, read without Flask) share this catalog and the ``lang`` cookie.
tests/test_translations.py fails when a string lacks a translation or the .mo is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import Babel, get_locale
from werkzeug.exceptions import HTTPException

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
COOKIE = "lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def chosen_language() -> str:
    """The language asked for by ``?lang=``, a form field, or the cookie; else Indonesian
    (also outside a request, e.g. a voucher sheet printed from the command line)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    for source in (request.args, _form(), request.cookies):
        value = source.get(COOKIE)
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


def _form() -> Mapping[str, str]:
    """The posted form, or nothing when it cannot be read (the error page of a 413 or
    a malformed body asks for the language too)."""
    try:
        return request.form
    except HTTPException:
        return {}


def current_language() -> str:
    """The language of the page being rendered ("id" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=chosen_language)

    @app.after_request
    def _remember_language(response: Response) -> Response:
        # A ?lang= link sets the cookie, so following pages keep the choice.
        asked = request.args.get(COOKIE)
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            remember_language(response, asked)
        return response

    app.jinja_env.globals["current_language"] = current_language


def remember_language(response: Response, language: str) -> Response:
    """Set the ``lang`` cookie on ``response`` (Indonesian for anything not offered)."""
    response.set_cookie(
        COOKIE,
        language if language in LANGUAGES else DEFAULT_LANGUAGE,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
