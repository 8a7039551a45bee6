"""Villages of a region: find one in the official Kemendagri list by name or code, set it
up with its Wi-Fi name (SSID) and time zone, and change those later.

For regency and province admins, inside their own region only: a village or code of
another region is 404, like a code that does not exist. The search is a plain GET form
(works without JavaScript); `village_search.js` refreshes the same results as one types.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import VillageForm
from portal.admin.scope import load_scoped, me, require_role, scoped_villages
from portal.database import db
from portal.domain.network import regions, villages
from portal.models import Village

#: The SSID a new village gets unless the officer types another.
DEFAULT_SSID = "Wifi Desa {name}"


@bp.get("/villages")
def village_list() -> str:
    require_role("regency")
    return render_template("admin/villages.html", villages=scoped_villages())


@bp.get("/villages/search")
def village_search() -> str:
    require_role("regency")
    query = request.args.get("q", "").strip()[:60]
    found = regions.search_villages(me().scope_kode, query) if query else []
    codes = [region.kode for region in found]
    known = set(db.session.scalars(sa.select(Village.kode).where(Village.kode.in_(codes))))
    return render_template(
        "admin/village_search.html",
        query=query,
        results=[(region, region.kode in known) for region in found],
        limit=regions.SEARCH_LIMIT,
    )


def _region_in_scope(kode: str) -> regions.Region:
    """The official village for ``kode`` if it lies in the admin's region; 404 otherwise."""
    try:
        region = regions.lookup_village(kode)
    except regions.UnknownRegion:
        abort(404)
    if not me().covers(region.kode):
        abort(404)
    return region


@bp.route("/villages/new/<kode>", methods=["GET", "POST"])
def village_new(kode: str) -> str | tuple[str, int] | Response:
    require_role("regency")
    region = _region_in_scope(kode)
    if db.session.get(Village, region.kode) is not None:
        return redirect(url_for("admin.village_edit", kode=region.kode))
    form = VillageForm()
    if not form.is_submitted():
        form.ssid.data = DEFAULT_SSID.format(name=region.nama)[:32]
        form.timezone.data = regions.default_timezone(region.kode)
    if form.validate_on_submit():
        try:
            village = villages.add_village(
                db.session, region.kode, now=now(), timezone=form.timezone.data,
                ssid=form.ssid.data or "", actor=me().username, actor_id=me().id,
            )  # fmt: skip
        except villages.InvalidVillage:
            form.ssid.errors.append(_("Nama Wi-Fi harus 1 sampai 32 byte."))
        else:
            flash(_("Desa %(name)s ditambahkan.", name=village.name), "ok")
            return redirect(url_for("admin.village_list"))
    page = render_template("admin/village_form.html", form=form, region=region, village=None)
    return (page, 422) if form.is_submitted() else page


@bp.route("/villages/<kode>/edit", methods=["GET", "POST"])
def village_edit(kode: str) -> str | tuple[str, int] | Response:
    require_role("regency")
    village = load_scoped(Village, kode)
    form = VillageForm(obj=village)
    if form.validate_on_submit():
        try:
            villages.update_village(
                db.session, village, ssid=form.ssid.data or "", timezone=form.timezone.data,
                now=now(), actor=me().username, actor_id=me().id,
            )  # fmt: skip
        except villages.InvalidVillage:
            form.ssid.errors.append(_("Nama Wi-Fi harus 1 sampai 32 byte."))
        else:
            flash(_("Perubahan desa %(name)s disimpan.", name=village.name), "ok")
            return redirect(url_for("admin.village_list"))
    region = regions.lookup_village(village.kode)
    page = render_template("admin/village_form.html", form=form, region=region, village=village)
    return (page, 422) if form.is_submitted() else page
