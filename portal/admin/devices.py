"""Live devices of a gateway: open sessions by pseudonymous label, and Putuskan."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, coa
from portal.admin.dashboard import human_bytes
from portal.admin.forms import ConfirmForm
from portal.admin.scope import load_scoped
from portal.admin.views import audit, local
from portal.database import db
from portal.models import AccountingSession, Gateway


def outcome_text(outcome: str, reason: str) -> str:
    """What the router said to a disconnect, in the admin's language (ACK/NAK/TIMEOUT/error)."""
    texts = {
        "ack": _("Berhasil: router memutus perangkat (ACK)."),
        "nak": _("Ditolak router (NAK): %(reason)s", reason=reason),
        "timeout": _("Router tidak menjawab (timeout). Coba lagi atau periksa koneksi router."),
        "error": _("Gagal mengirim permintaan: %(reason)s", reason=reason),
    }
    return texts[outcome]


def device_label(device: str | None) -> str:
    """A short label for a device pseudonym: enough to tell devices apart, nothing more."""
    return _("Perangkat %(label)s", label=device[:6].upper() if device else "?")


def duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} j {rest // 60} m" if hours else f"{rest // 60} m"


@bp.get("/gateways/<int:gateway_id>/devices")
def devices(gateway_id: int) -> str:
    gateway = load_scoped(Gateway, gateway_id)
    sessions = db.session.scalars(
        sa.select(AccountingSession)
        .where(AccountingSession.gateway_id == gateway.id, AccountingSession.stopped_at.is_(None))
        .order_by(AccountingSession.started_at)
    ).all()
    zone = gateway.village.timezone
    rows = [
        {
            "id": s.id,
            "label": device_label(s.device),
            "since": local(s.started_at, zone),
            "data": human_bytes(s.input_octets + s.output_octets),
            "time": duration(s.session_seconds),
        }
        for s in sessions
    ]
    return render_template("admin/devices.html", gateway=gateway, rows=rows, form=ConfirmForm())


@bp.post("/gateways/<int:gateway_id>/devices/<int:session_id>/disconnect")
def device_disconnect(gateway_id: int, session_id: int) -> Response:
    gateway = load_scoped(Gateway, gateway_id)
    acct = load_scoped(AccountingSession, session_id)
    if acct.gateway_id != gateway.id:
        abort(404)
    if acct.stopped_at is not None:
        flash(_("Sesi ini sudah berakhir."), "ok")
        return redirect(url_for("admin.devices", gateway_id=gateway.id))
    result = coa.send_disconnect(gateway, acct)
    audit("session.disconnect", "accounting_session", acct.id, acct.village_kode,
          detail=result.outcome)  # fmt: skip
    message = outcome_text(result.outcome, result.reason or "-")
    flash(f"{device_label(acct.device)}: {message}", f"outcome-{result.outcome}")
    return redirect(url_for("admin.devices", gateway_id=gateway.id))
