"""Voucher batches: create and print at once, list, per-voucher status, void.

The printable sheet is the response to the creation POST itself: the plain codes
exist only in that response (they are stored hashed), never in a session or a file.
A one-time form nonce stops a reload from silently creating a second batch.
"""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.bulletin import village_choices
from portal.admin.forms import ConfirmForm, VoucherBatchForm
from portal.admin.scope import batches_query, load_scoped, me, require_village
from portal.admin.views import local, master_key, settings
from portal.database import db
from portal.domain.access import vouchers
from portal.models import Village, VoucherBatch
from portal.web import voucher_cards

NONCE = "voucher_form_nonce"
LIST_LIMIT = 100


@bp.get("/vouchers")
def voucher_list() -> str:
    form = VoucherBatchForm(formdata=None)
    form.village.choices = village_choices(allow_all=False)
    session[NONCE] = secrets.token_urlsafe(16)
    batches = db.session.scalars(batches_query().limit(LIST_LIMIT)).all()
    moment = now()
    return render_template(
        "admin/vouchers.html",
        form=form,
        nonce=session[NONCE],
        batches=[(b, vouchers.status_counts(b, moment)) for b in batches],
        allowance=voucher_cards.allowance_text,
    )


@bp.post("/vouchers")
def voucher_create() -> Response | str:
    form = VoucherBatchForm()
    form.village.choices = village_choices(allow_all=False)
    if not form.validate_on_submit():
        return render_template("admin/vouchers.html", form=form, nonce=session.get(NONCE),
                               batches=[], allowance=voucher_cards.allowance_text)  # fmt: skip
    if not request.form.get("nonce") or request.form.get("nonce") != session.pop(NONCE, None):
        flash(_("Batch ini sudah dibuat. Kode hanya ditampilkan sekali."), "error")
        return redirect(url_for("admin.voucher_list"))
    village = require_village(form.village.data)
    batch, codes = vouchers.create_batch(
        db.session, village_kode=village.kode, count=form.count.data,
        valid_days=form.valid_days.data, now=now(), master_key=master_key(),
        daily_mb=form.daily_mb.data, daily_minutes=form.daily_minutes.data,
        total_mb=form.total_mb.data, total_minutes=form.total_minutes.data,
        label=form.label.data or "", created_by_id=me().id, actor=me().username,
    )  # fmt: skip
    return render_sheet(batch, village, codes, form.layout.data)


def render_sheet(batch: VoucherBatch, village: Village, codes: list[str], layout: str) -> str:
    return render_template(
        "admin/voucher_sheet.html",
        batch=batch,
        village=village,
        cards=voucher_cards.cards(batch, codes, settings().public_url),
        layout=layout if layout in ("a4", "thermal") else "a4",
        allowance=voucher_cards.allowance_text(batch),
        expires=local(batch.expires_at, village.timezone),
    )


@bp.get("/vouchers/<int:batch_id>")
def voucher_batch(batch_id: int) -> str:
    batch = load_scoped(VoucherBatch, batch_id)
    village = load_scoped(Village, batch.village_kode)
    moment = now()
    return render_template(
        "admin/voucher_batch.html",
        batch=batch,
        village=village,
        rows=vouchers.voucher_rows(batch, moment),
        counts=vouchers.status_counts(batch, moment),
        allowance=voucher_cards.allowance_text(batch),
        form=ConfirmForm(),
        local=lambda moment: local(moment, village.timezone),
    )


@bp.post("/vouchers/<int:batch_id>/void")
def voucher_void(batch_id: int) -> Response:
    batch = load_scoped(VoucherBatch, batch_id)
    vouchers.void_batch(db.session, batch, now=now(), actor=me().username, actor_id=me().id)
    flash(_("Semua voucher batch ini dibatalkan."), "ok")
    return redirect(url_for("admin.voucher_batch", batch_id=batch.id))
