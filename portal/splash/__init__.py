"""Residents' pages: the router-side pages, the splash, accept, status, bulletin.

Routes:

* ``/mt/<nas-id>/login.html``, ``status.html``, ``api.json``: what a gateway installs
  in its hotspot html-directory (RouterOS $(var) syntax; the router serves them), e.g.
  ``/tool fetch url="<portal>/mt/<nas-id>/login.html" dst-path=hotspot/login.html``.
* ``/hotspot`` (POST from the router's login.html, or GET with the same fields): the
  router's variables in, a 303 to ``/hotspot?t=<ticket>``, the splash.
* ``/hotspot/accept`` (POST): terms accepted or voucher redeemed, a 303 to the router's
  ``link-login-only`` with the one-time credential.
* ``/hotspot/status``: after login (``dst``, or the router's status.html).
* ``/``: what Wifi Desa is, every village's bulletin, the officers' way in.
* ``/desa/<kode or slug>`` and ``/desa/<kode or slug>/syarat``: the public bulletin
  (the RFC 8908 venue-info-url) and the full terms.

Views parse input (the router's fields with `portal.web.router_fields`), call the
Flask-free domain (`portal.domain.access.admission`, `announcements`, `terms`) and
render; the unit of work is committed by the request boundary (`portal.database`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from portal.domain.content import announcements, terms
from portal.domain.pseudonyms import KeyRing

KEYRING = "wifidesa.keyring"
SNAPSHOTS = "wifidesa.village_snapshots"


def init_app(app: Flask) -> None:
    """Register the splash blueprint, its template helpers and the app's key ring."""
    from portal.splash import formatting, home  # noqa: F401 (home registers "/" on bp)
    from portal.splash.snapshots import SnapshotCache
    from portal.splash.views import bp
    from portal.web.context import settings_of

    settings = settings_of(app)
    app.extensions.setdefault(KEYRING, KeyRing(grace=timedelta(days=settings.key_grace_days)))
    app.extensions.setdefault(SNAPSHOTS, SnapshotCache())
    app.jinja_env.filters["safe_bulletin"] = _safe_bulletin
    app.jinja_env.filters["excerpt"] = announcements.excerpt
    app.jinja_env.tests["long_body"] = announcements.is_long
    app.jinja_env.filters["terms_blocks"] = terms.full_text_blocks
    app.jinja_env.globals["fmt"] = formatting
    app.register_blueprint(bp)
    # The accept form is protected by its own signed, one-use ticket (cookies are
    # unreliable in captive-portal windows), so an app-wide CSRFProtect must skip it.
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


def _safe_bulletin(body_html: str) -> object:
    from markupsafe import Markup

    return Markup(announcements.safe_html(body_html))  # noqa: S704 (sanitised by nh3 just above)
