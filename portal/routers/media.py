"""Pictures of published announcements, for the village page and the splash (no login).

Only a picture of an announcement residents may see right now is served; everything
else is 404, so drafts and expired items stay private.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, send_file
from werkzeug.wrappers import Response

from portal.database import db
from portal.domain.content import announcements
from portal.models import Announcement
from portal.web import context, pictures

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/announcements/<name>")
def announcement_picture(name: str) -> Response:
    settings = current_app.extensions["wifidesa.settings"]
    path = pictures.picture_path(settings.data_dir, name)
    note = db.session.scalar(sa.select(Announcement).where(Announcement.image_path == name))
    if path is None or note is None or not announcements.is_visible(note, context.now()):
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)
