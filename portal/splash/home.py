"""The portal's own address, ``/``: what this is, the village bulletins, the way in
for officers. Public, like the bulletins it lists."""

from __future__ import annotations

from flask import render_template, url_for

from portal.database import db
from portal.splash import pages
from portal.splash.views import bp


@bp.get("/")
def home() -> str:
    """Wifi Desa in two sentences, every village's public bulletin by regency, and a
    link to the console's login."""
    return render_template(
        "splash/home.html",
        regencies=pages.bulletins_by_regency(db.session),
        lang_url=lambda lang: url_for("splash.home", lang=lang),
    )
