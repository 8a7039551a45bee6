"""Terms of use: regency (and province) admins publish new versions for their region."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import TermsForm
from portal.admin.scope import me, require_role
from portal.admin.views import audit
from portal.database import db
from portal.domain.content import terms
from portal.models import TermsVersion


@bp.route("/terms", methods=["GET", "POST"])
def terms_list() -> Response | str:
    require_role("regency")
    scope = me().scope_kode
    versions = db.session.scalars(
        sa.select(TermsVersion)
        .where(TermsVersion.scope_kode == scope)
        .order_by(TermsVersion.version.desc())
    ).all()
    form = TermsForm(obj=None if not versions else _Prefill(versions[0]))
    if form.validate_on_submit():
        try:
            version = terms.publish_terms(
                db.session, scope_kode=scope, summary=form.summary.data,
                full_text=form.full_text.data, now=now(), created_by_id=me().id,
            )  # fmt: skip
        except terms.InvalidTerms:
            form.summary.errors.append(_("Ringkasan harus 3–5 poin dan teks lengkap terisi."))
        else:
            audit("terms.publish", "terms_version", version.id, scope, detail=f"v{version.version}")
            flash(_("Versi %(v)s diterbitkan.", v=version.version), "ok")
            return redirect(url_for("admin.terms_list"))
    return render_template("admin/terms.html", form=form, versions=versions)


class _Prefill:
    def __init__(self, version: TermsVersion) -> None:
        self.summary = version.summary
        self.full_text = version.full_text
