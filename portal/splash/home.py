"""The public pages, no login and no router: the portal's own address ``/`` (what this
is, the village bulletins, the way in for officers), each village's bulletin (shareable,
RFC 8908's venue-info-url) and its full terms of use."""

from __future__ import annotations

from flask import Response, abort, render_template, url_for

from portal.database import db
from portal.domain.content import announcements, terms
from portal.splash import pages
from portal.splash.views import bp
from portal.web import context


@bp.get("/")
def home() -> str:
    """Wifi Desa in two sentences, every village's public bulletin by regency, and a
    link to the console's login."""
    return render_template(
        "splash/home.html",
        regencies=pages.bulletins_by_regency(db.session),
        lang_url=lambda lang: url_for("splash.home", lang=lang),
    )


@bp.get("/desa/<key>", endpoint="bulletin")
def bulletin_page(key: str) -> Response:
    """The village's public bulletin (shareable; usable as RFC 8908 venue-info-url)."""
    village = pages.village_by_key(db.session, key[:80])
    if village is None:
        abort(404)
    items = announcements.current_announcements(
        db.session, village, context.now(), limit=announcements.PAGE_LIMIT
    )
    body = render_template(
        "splash/bulletin.html",
        village=village,
        announcements=items,
        lang_url=lambda lang: url_for("splash.bulletin", key=village.slug, lang=lang),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Cookie")
    return response


@bp.get("/desa/<key>/syarat", endpoint="terms")
def terms_page(key: str) -> Response:
    """The full terms of use that apply at a village (linked when too long to inline)."""
    village = pages.village_by_key(db.session, key[:80])
    if village is None:
        abort(404)
    body = render_template(
        "splash/terms.html",
        village=village,
        terms=terms.current_terms(db.session, village),
        lang_url=lambda lang: url_for("splash.terms", key=village.slug, lang=lang),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.add("Cookie")
    return response
