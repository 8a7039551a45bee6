"""Fair-use policies: a regency default and village overrides, presets by backhaul class,
and every village's effective policy with where each value comes from.

Everyone sees the policy of the villages in their region (a village admin their own);
regency and province admins change it. An empty field inherits (village → regency →
built-in). A change applies from each device's next login; open sessions keep theirs.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import BACKHAUL_LABELS, ON_EXHAUSTED_LABELS, POLICY_ERRORS, PolicyForm
from portal.admin.scope import load_scoped, me, require_role, scoped_villages
from portal.database import db
from portal.domain.network import policies, regions
from portal.domain.network.policy_presets import PRESETS, preset
from portal.models import Gateway, Village

SOURCE_LABELS = {
    policies.FROM_VILLAGE: _l("pengecualian desa"),
    policies.FROM_REGENCY: _l("bawaan kabupaten"),
    policies.FROM_BUILT_IN: _l("bawaan sistem"),
}
FIELD_LABELS = {
    "daily_mb": _l("Kuota data per hari"),
    "daily_minutes": _l("Waktu per hari"),
    "rate_limit": _l("Kecepatan (unggah/unduh)"),
    "max_session_minutes": _l("Sesi terpanjang"),
    "idle_minutes": _l("Putus bila diam"),
    "interim_minutes": _l("Laporan pemakaian tiap"),
    "on_exhausted": _l("Bila kuota habis"),
    "throttle_rate": _l("Kecepatan setelah kuota habis"),
}


def shown(name: str, value: object) -> str:
    """A policy value as the page writes it ("150 MB", "tanpa batas", "60 menit")."""
    if value is None:
        return "–"
    if name == "daily_mb":
        return f"{value} MB" if value else _("tanpa batas")
    if name == "daily_minutes":
        return _("%(n)s menit", n=value) if value else _("tanpa batas")
    if name.endswith("_minutes"):
        return _("%(n)s menit", n=value)
    if name == "on_exhausted":
        return str(ON_EXHAUSTED_LABELS.get(str(value), value))
    return str(value)


def _regency_in_scope(kode: str) -> regions.Region:
    """The regency for ``kode`` if the admin's region covers it; 404 otherwise."""
    try:
        region = regions.lookup(kode)
    except regions.UnknownRegion:
        abort(404)
    if region.level != "kabupaten" or not me().covers(region.kode):
        abort(404)
    return region


@bp.get("/policies")
def policy_overview() -> str:
    villages = scoped_villages()
    codes = []
    if me().at_least("regency"):
        codes = sorted({v.regency_kode for v in villages} | _own_regency())
    resolved = policies.resolve_policies(db.session, [v.kode for v in villages])
    return render_template(
        "admin/policies.html",
        regencies=[(regions.lookup(k), policies.stored_policy(db.session, k)) for k in codes],
        villages=villages,
        resolved=resolved,
        fields=policies.POLICY_FIELDS,
        labels=FIELD_LABELS,
        sources=SOURCE_LABELS,
        shown=shown,
    )


def _own_regency() -> set[str]:
    return {me().scope_kode} if me().role == "regency" else set()


def _form_with(stored: dict[str, object]) -> tuple[PolicyForm, str | None]:
    """The form, filled from ``?preset=`` on a GET (when known) or the stored values."""
    form = PolicyForm()
    chosen = request.args.get("preset")
    if not form.is_submitted():
        values = preset(chosen) if chosen in PRESETS else stored
        for name in policies.POLICY_FIELDS:
            getattr(form, name).data = values.get(name)
        form.on_exhausted.data = values.get("on_exhausted") or ""
    return form, chosen if chosen in PRESETS else None


def _save(form: PolicyForm, scope_kode: str) -> bool:
    """Store the form's values for the scope; False (errors on the form) when refused."""
    values = {
        name: getattr(form, name).data if getattr(form, name).data != "" else None
        for name in policies.POLICY_FIELDS
    }
    try:
        policies.replace_policy(db.session, scope_kode, values, now=now(),
                                actor=me().username, actor_id=me().id)  # fmt: skip
    except policies.InvalidPolicy as error:
        field = getattr(form, error.field or "daily_mb")
        field.errors.append(POLICY_ERRORS.get(error.field or "", str(error)))
        return False
    flash(_("Kebijakan disimpan. Berlaku saat perangkat login berikutnya."), "ok")
    return True


@bp.route("/policies/regency/<regency>", methods=["GET", "POST"])
def policy_regency(regency: str) -> str | tuple[str, int] | Response:
    require_role("regency")
    region = _regency_in_scope(regency)
    form, chosen = _form_with(policies.stored_policy(db.session, region.kode))
    if form.validate_on_submit() and _save(form, region.kode):
        return redirect(url_for("admin.policy_overview"))
    page = render_template(
        "admin/policy_form.html", form=form, title=region.nama, action=url_for(
            "admin.policy_regency", regency=region.kode), chosen=chosen,
        preset_url=lambda key: url_for("admin.policy_regency", regency=region.kode, preset=key),
        presets=BACKHAUL_LABELS, resolved=None, backhauls=(), inherit_from=_("bawaan sistem"),
        labels=FIELD_LABELS, sources=SOURCE_LABELS, shown=shown,
    )  # fmt: skip
    return (page, 422) if form.is_submitted() else page


@bp.get("/policies/village/<kode>")
def policy_village(kode: str) -> str:
    """The village's effective policy with sources (everyone in scope), and the override
    form (regency and province admins)."""
    village = load_scoped(Village, kode)
    form, chosen = _form_with(policies.stored_policy(db.session, village.kode))
    return _village_page(village, form, chosen)


@bp.post("/policies/village/<kode>")
def policy_village_save(kode: str) -> tuple[str, int] | Response:
    require_role("regency")
    village = load_scoped(Village, kode)
    form = PolicyForm()
    if form.validate_on_submit() and _save(form, village.kode):
        return redirect(url_for("admin.policy_village", kode=village.kode))
    return _village_page(village, form, None), 422


def _village_page(village: Village, form: PolicyForm, chosen: str | None) -> str:
    backhauls = db.session.scalars(
        sa.select(Gateway.backhaul_class)
        .where(Gateway.village_kode == village.kode, Gateway.backhaul_class.is_not(None))
        .distinct()
    ).all()
    return render_template(
        "admin/policy_form.html", form=form, title=village.name,
        action=url_for("admin.policy_village_save", kode=village.kode), chosen=chosen,
        preset_url=lambda key: url_for("admin.policy_village", kode=village.kode, preset=key),
        presets=BACKHAUL_LABELS, resolved=policies.resolve_policy(db.session, village.kode),
        backhauls=[BACKHAUL_LABELS[b] for b in backhauls], inherit_from=_("bawaan kabupaten"),
        labels=FIELD_LABELS, sources=SOURCE_LABELS, shown=shown,
    )  # fmt: skip
