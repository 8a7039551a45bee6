"""Import a village's OpenSID articles as bulletin drafts."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.adapters import feeds
from portal.admin import bp, now
from portal.admin.bulletin import village_choices
from portal.admin.forms import ImportForm
from portal.admin.scope import me, require_village
from portal.admin.views import audit, refused
from portal.database import db
from portal.domain.content import opensid


@bp.route("/bulletin/import", methods=["GET", "POST"])
def bulletin_import() -> Response | str:
    form = ImportForm()
    form.village.choices = village_choices(allow_all=False)
    if form.validate_on_submit():
        village = require_village(form.village.data)
        try:
            data = feeds.fetch_feed(
                form.site.data,
                allow_private=current_app.config.get("WIFIDESA_FETCH_ALLOW_PRIVATE", False),
            )
            drafts = opensid.import_drafts(
                db.session, village, opensid.parse_feed(data), now=now(), created_by_id=me().id
            )
        except opensid.FeedError as error:
            form.site.errors.append(_("Gagal mengimpor: %(e)s", e=refused(error)))
        else:
            for note in drafts:
                audit("announcement.import", "announcement", note.id, village.kode)
            flash(_("%(n)s artikel diimpor sebagai draf.", n=len(drafts)), "ok")
            return redirect(url_for("admin.bulletin_list"))
    return render_template("admin/bulletin_import.html", form=form)
