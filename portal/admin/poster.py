"""A printable Wi-Fi poster for a village: how to join, with QR codes."""

from __future__ import annotations

from flask import render_template, url_for

from portal.admin import bp
from portal.admin.scope import load_scoped
from portal.admin.views import settings
from portal.models import Village
from portal.web import qr


@bp.get("/villages/<kode>/poster")
def poster(kode: str) -> str:
    village = load_scoped(Village, kode)
    # The village's public bulletin: it opens from anywhere (and, through the router's
    # walled garden, before logging in), where a bare /hotspot without the router's
    # fields can only say "Titik Wi-Fi ini belum terdaftar".
    bulletin_url = settings().public_url.rstrip("/") + url_for("splash.bulletin", key=village.slug)
    return render_template(
        "admin/poster.html",
        village=village,
        join_qr=qr.qr_svg(qr.wifi_join_text(village.ssid), label=village.ssid),
        bulletin_qr=qr.qr_svg(bulletin_url, label=bulletin_url),
        bulletin_url=bulletin_url,
    )
