"""API tokens of a region: create one for an area (the value is shown once, only its hash
is kept), see when each was last used, revoke it.

For regency and province admins; a token is visible and revocable only when its area
lies in the admin's region (any other id is 404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import ConfirmForm, TokenForm, choices
from portal.admin.scope import load_scoped, me, require_role, scoped_villages
from portal.admin.views import local
from portal.database import db
from portal.domain.accounts import tokens
from portal.domain.network import regions
from portal.models import ApiToken


def _areas() -> list[tuple[str, str]]:
    """(code, label) of the areas a token may be made for: the region, its regencies,
    its villages."""
    scope = me().scope_kode
    villages = scoped_villages()
    areas = [(scope, f"{regions.lookup(scope).nama} · {scope}")]
    if len(scope) == 2:
        regencies = sorted({v.regency_kode: v.regency_name for v in villages}.items())
        areas += [(kode, f"{name} · {kode}") for kode, name in regencies]
    areas += [(v.kode, f"{v.name} · {v.kode}") for v in villages if v.kode != scope]
    return areas


def _page(form: TokenForm, created: tokens.NewToken | None = None) -> str:
    zone = regions.default_timezone(me().scope_kode)
    return render_template(
        "admin/tokens.html", form=form, created=created, action=ConfirmForm(),
        rows=tokens.tokens_within(db.session, me().scope_kode),
        local=lambda moment: local(moment, zone),
    )  # fmt: skip


@bp.route("/tokens", methods=["GET", "POST"])
def token_list() -> str | tuple[str, int]:
    require_role("regency")
    form = TokenForm()
    areas = _areas()
    form.area.choices = choices(areas)
    if not form.validate_on_submit():
        return (_page(form), 422) if form.is_submitted() else _page(form)
    if form.area.data not in dict(areas):
        abort(404)
    try:
        created = tokens.create_token(
            db.session, scope=form.area.data, label=form.label.data or "", now=now(),
            actor=me().username, actor_id=me().id,
        )  # fmt: skip
    except tokens.InvalidToken:
        form.label.errors.append(_("Keterangan paling banyak 80 karakter."))
        return _page(form), 422
    return _page(TokenForm(formdata=None), created)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Response:
    require_role("regency")
    token = load_scoped(ApiToken, token_id)
    tokens.revoke_token(db.session, token, now=now(), actor=me().username, actor_id=me().id)
    flash(_("Token dicabut; API menolaknya mulai sekarang."), "ok")
    return redirect(url_for("admin.token_list"))
