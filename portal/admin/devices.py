"""Live devices of a gateway: open sessions by pseudonymous label, what each has left
today, and **Putuskan**, whose order page follows the router's answer."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, coa, now
from portal.admin.forms import ConfirmForm
from portal.admin.scope import load_scoped, me
from portal.admin.views import audit, local
from portal.database import db
from portal.domain.usage import orders
from portal.domain.usage.allowance import allowances
from portal.models import AccountingSession, Gateway, RouterOrder
from portal.web.formatting import amount
from portal.web.words import duration

#: How long the order page waits for a router that answers at once, before it says the
#: order is on its way and refreshes itself.
ANSWER_WAIT = 1.5
REFRESH_SECONDS = 2


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


def left_text(bytes_left: int | None, seconds_left: int | None) -> str:
    """Today's allowance left: "820,5 MB · 3 jam 10 menit", or "tanpa batas"."""
    parts = [amount(bytes_left) if bytes_left is not None else None]
    parts.append(duration(seconds_left) if seconds_left is not None else None)
    shown = [part for part in parts if part is not None]
    return " · ".join(shown) if shown else _("tanpa batas")


@bp.get("/gateways/<int:gateway_id>/devices")
def devices(gateway_id: int) -> str:
    gateway = load_scoped(Gateway, gateway_id)
    sessions = db.session.scalars(
        sa.select(AccountingSession)
        .where(AccountingSession.gateway_id == gateway.id, AccountingSession.stopped_at.is_(None))
        .order_by(AccountingSession.started_at)
    ).all()
    village = gateway.village
    lefts = allowances(
        db.session, village_kode=village.kode, timezone=village.timezone,
        devices={s.device or "" for s in sessions}, now=now(),
    )  # fmt: skip
    rows = []
    for s in sessions:
        left = lefts[s.device or ""]
        rows.append({
            "id": s.id,
            "label": device_label(s.device),
            "since": local(s.started_at, village.timezone),
            "data": amount(s.input_octets + s.output_octets),
            "time": duration(s.session_seconds),
            "left": left_text(left.bytes_left, left.seconds_left),
            "bytes_left": left.bytes_left,
            "throttled": left.throttled,
        })  # fmt: skip
    return render_template("admin/devices.html", gateway=gateway, rows=rows, form=ConfirmForm())


@bp.post("/gateways/<int:gateway_id>/devices/<int:session_id>/disconnect")
def device_disconnect(gateway_id: int, session_id: int) -> Response:
    gateway = load_scoped(Gateway, gateway_id)
    acct = load_scoped(AccountingSession, session_id)
    if acct.gateway_id != gateway.id:
        abort(404)
    back = redirect(url_for("admin.devices", gateway_id=gateway.id))
    if acct.stopped_at is not None:
        flash(_("Sesi ini sudah berakhir."), "ok")
        return back
    try:
        order = orders.kick(acct, gateway)
    except orders.GatewayUnreachable:
        audit("session.disconnect", "accounting_session", acct.id, acct.village_kode,
              detail="error")  # fmt: skip
        reason = _("alamat gateway berupa jaringan, bukan satu alamat")
        flash(f"{device_label(acct.device)}: {outcome_text('error', reason)}", "outcome-error")
        return back
    placed = orders.place(
        db.session, order, requested_by_id=me().id, requested_by=me().username, now=now()
    )
    coa.send_after_commit(placed.id)
    return redirect(url_for("admin.order", gateway_id=gateway.id, order_id=placed.id))


@bp.get("/gateways/<int:gateway_id>/orders/<int:order_id>")
def order(gateway_id: int, order_id: int) -> str:
    """Where an order stands: on its way (the page refreshes itself), or the answer."""
    gateway = load_scoped(Gateway, gateway_id)
    placed = db.session.get(RouterOrder, order_id)
    if placed is None or placed.gateway_id != gateway.id:  # the gateway's scope is the order's
        abort(404)
    deadline = time.monotonic() + ANSWER_WAIT
    while placed.outcome is None and time.monotonic() < deadline:
        time.sleep(0.05)
        db.session.rollback()  # a new snapshot: the answer is written by another thread
        placed = db.session.get(RouterOrder, order_id)
    acct = db.session.get(AccountingSession, placed.accounting_session_id or 0)
    label = device_label(acct.device if acct else None)
    message = None
    if placed.outcome is not None:
        reason = coa.cause_text(placed.error_cause) if placed.outcome == "nak" else "-"
        message = f"{label}: {outcome_text(placed.outcome, reason)}"
    return render_template(
        "admin/order.html", gateway=gateway, placed=placed, label=label, message=message,
        refresh=REFRESH_SECONDS,
    )  # fmt: skip
