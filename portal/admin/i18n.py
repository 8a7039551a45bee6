"""The admin console's language switch: one catalog and one cookie with the residents' pages.

Texts are written in Indonesian and marked with Flask-Babel's ``_`` / ``lazy_gettext``;
English comes from ``portal/translations/en`` like every other page (see `portal.i18n`).
"""

from __future__ import annotations

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from portal.admin import bp
from portal.i18n import COOKIE, DEFAULT_LANGUAGE, remember_language


@bp.post("/language")
def language() -> Response:
    """Remember the admin's language in the shared cookie (public: the login page has it too)."""
    choice = request.form.get(COOKIE, DEFAULT_LANGUAGE)
    return remember_language(redirect(url_for("admin.dashboard")), choice)
