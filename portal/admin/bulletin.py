"""Bulletin editor: write, preview at phone width, schedule, publish, pictures."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal.admin import bp, now
from portal.admin.forms import (
    ALL_VILLAGES,
    CATEGORY_LABELS,
    AnnouncementForm,
    ConfirmForm,
    choices,
)
from portal.admin.scope import in_scope, load_scoped, me, require_village, scoped_villages
from portal.admin.views import audit, local, refused, settings
from portal.database import db
from portal.domain.content import announcements as notes
from portal.models import Announcement, Village
from portal.web import pictures

LIST_LIMIT = 200


def village_choices(allow_all: bool) -> list[SelectChoice]:
    pairs = [(v.kode, f"{v.name} ({v.kode})") for v in scoped_villages()]
    if allow_all and me().at_least("regency") and len(pairs) > 1:
        pairs.insert(0, (ALL_VILLAGES, _("Semua desa di wilayah saya")))
    return choices(pairs)


def _input(form: AnnouncementForm) -> notes.AnnouncementInput:
    return notes.AnnouncementInput(
        title=form.title.data or "",
        body_markdown=form.body.data or "",
        category=form.category.data,
        starts_local=form.starts_at.data,
        ends_local=form.ends_at.data,
        pinned=form.pinned.data,
        emergency=form.emergency.data,
        published=form.published.data,
    )


def _picture(form: AnnouncementForm) -> str | None:
    """Store an uploaded picture; None when none was sent. Raises InvalidPicture."""
    upload = form.picture.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return pictures.store_picture(upload.read(pictures.MAX_UPLOAD_BYTES + 1), settings().data_dir)


@bp.get("/bulletin")
def bulletin_list() -> str:
    rows = db.session.scalars(
        sa.select(Announcement)
        .where(in_scope(Announcement.village_kode))
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    names = {v.kode: v.name for v in scoped_villages()}
    return render_template(
        "admin/bulletin_list.html", rows=rows, names=names, labels=CATEGORY_LABELS, now=now()
    )


@bp.route("/bulletin/new", methods=["GET", "POST"])
def bulletin_new() -> Response | str:
    form = AnnouncementForm()
    form.village.choices = village_choices(allow_all=True)
    if form.validate_on_submit() and request.form.get("action") != "preview":
        villages = (
            scoped_villages()
            if form.village.data == ALL_VILLAGES
            else [require_village(form.village.data)]
        )
        try:
            image = _picture(form)
            created = notes.create_announcements(
                db.session, villages, _input(form), now=now(), created_by_id=me().id,
                image_path=image,
            )  # fmt: skip
        except (notes.InvalidAnnouncement, pictures.InvalidPicture) as error:
            flash(_("Tidak tersimpan: %(e)s", e=refused(error)), "error")
        else:
            for note in created:
                audit("announcement.create", "announcement", note.id, note.village_kode)
            flash(_("Tersimpan untuk %(n)s desa.", n=len(created)), "ok")
            return redirect(url_for("admin.bulletin_preview", announcement_id=created[0].id))
    return _editor(form, None)


def _editor(form: AnnouncementForm, note: Announcement | None) -> str:
    preview = None
    if request.method == "POST" and form.title.data:
        preview = {
            "title": form.title.data,
            "html": notes.render_markdown(form.body.data or ""),
            "emergency": form.emergency.data or form.category.data == "darurat",
        }
    return render_template("admin/bulletin_form.html", form=form, note=note, preview=preview)


@bp.route("/bulletin/<int:announcement_id>/edit", methods=["GET", "POST"])
def bulletin_edit(announcement_id: int) -> Response | str:
    note = load_scoped(Announcement, announcement_id)
    village = load_scoped(Village, note.village_kode)
    form = AnnouncementForm(obj=None if request.method == "POST" else _form_data(note, village))
    form.village.choices = choices([(village.kode, village.name)])
    form.village.data = village.kode
    if form.validate_on_submit() and request.form.get("action") != "preview":
        try:
            image = _picture(form)
            notes.update_announcement(note, _input(form), timezone=village.timezone, now=now())
        except (notes.InvalidAnnouncement, pictures.InvalidPicture) as error:
            flash(_("Tidak tersimpan: %(e)s", e=refused(error)), "error")
        else:
            if image or form.remove_picture.data:
                pictures.delete_picture(settings().data_dir, note.image_path)
                note.image_path = image
            audit("announcement.update", "announcement", note.id, note.village_kode)
            return redirect(url_for("admin.bulletin_preview", announcement_id=note.id))
    return _editor(form, note)


def _form_data(note: Announcement, village: Village) -> object:
    class Data:
        title = note.title
        body = note.body_markdown
        category = note.category
        starts_at = notes.utc_to_local(note.starts_at, village.timezone)
        ends_at = notes.utc_to_local(note.ends_at, village.timezone)
        pinned = note.pinned
        emergency = note.emergency
        published = note.published

    return Data


@bp.get("/bulletin/<int:announcement_id>")
def bulletin_preview(announcement_id: int) -> str:
    note = load_scoped(Announcement, announcement_id)
    village = load_scoped(Village, note.village_kode)
    return render_template(
        "admin/bulletin_preview.html",
        note=note,
        village=village,
        form=ConfirmForm(),
        labels=CATEGORY_LABELS,
        starts=local(note.starts_at, village.timezone),
        ends=local(note.ends_at, village.timezone),
    )


@bp.post("/bulletin/<int:announcement_id>/publish")
def bulletin_publish(announcement_id: int) -> Response:
    note = load_scoped(Announcement, announcement_id)
    notes.publish(note, now())
    audit("announcement.publish", "announcement", note.id, note.village_kode)
    flash(_("Diterbitkan."), "ok")
    return redirect(url_for("admin.bulletin_preview", announcement_id=note.id))


@bp.post("/bulletin/<int:announcement_id>/delete")
def bulletin_delete(announcement_id: int) -> Response:
    note = load_scoped(Announcement, announcement_id)
    audit("announcement.delete", "announcement", note.id, note.village_kode)
    pictures.delete_picture(settings().data_dir, note.image_path)
    db.session.delete(note)
    flash(_("Pengumuman dihapus."), "ok")
    return redirect(url_for("admin.bulletin_list"))


@bp.get("/bulletin/<int:announcement_id>/picture")
def bulletin_picture(announcement_id: int) -> Response:
    note = load_scoped(Announcement, announcement_id)
    path = pictures.picture_path(settings().data_dir, note.image_path or "")
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)
