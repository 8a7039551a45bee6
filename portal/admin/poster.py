"""A printable Wi-Fi poster for a village: how to join, with QR codes."""

from __future__ import annotations

from flask import render_template

from portal.admin import bp
from portal.admin.scope import load_scoped
from portal.admin.views import settings
from portal.models import Village
from portal.web import qr


@bp.get("/villages/<kode>/poster")
def poster(kode: str) -> str:
    village = load_scoped(Village, kode)
    portal_url = f"{settings().public_url.rstrip('/')}/hotspot"
    return render_template(
        "admin/poster.html",
        village=village,
        join_qr=qr.qr_svg(qr.wifi_join_text(village.ssid), label=village.ssid),
        portal_qr=qr.qr_svg(portal_url, label=portal_url),
        portal_url=portal_url,
    )
