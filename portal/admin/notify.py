"""Notifications: where a regency's or province's Diskominfo hears about trouble.

Regency and province admins choose the channels (e-mail over SMTP, a Telegram group),
the silence threshold and the daily summary's local time for their own area (a province
admin also for each regency in it; any other area is 404), try each channel with a test
message, and see the latest notifications and their state. The SMTP password and the
bot token are write-only: the form never shows them back.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from portal import messages, notifier
from portal.adapters.channels import ChannelFailed
from portal.admin import bp, now
from portal.admin.forms import ConfirmForm, Form, choices
from portal.admin.scope import me, require_role
from portal.admin.views import audit, local, master_key, refused, settings
from portal.database import db
from portal.domain.notify import channels, events, outbox
from portal.models import Village

KIND_LABELS = {
    events.GATEWAY_DOWN: _l("Router mati"),
    events.GATEWAY_UP: _l("Router hidup lagi"),
    events.CONTRACT_ENDING: _l("Kontrak berakhir"),
    events.DAILY_SUMMARY: _l("Ringkasan harian"),
}
STATE_LABELS = {
    outbox.SENT: _l("Terkirim"),
    outbox.RETRYING: _l("Dicoba ulang"),
    outbox.PENDING: _l("Menunggu"),
    outbox.FAILED: _l("Gagal"),
}
CHANNEL_LABELS = {channels.EMAIL: _l("E-mail"), channels.TELEGRAM: _l("Telegram")}
_MINUTES = f"{channels.MIN_SILENT_MINUTES}–{channels.MAX_SILENT_MINUTES}"


class NotifyForm(Form):
    email_enabled = BooleanField(_l("Kirim lewat e-mail"))
    smtp_host = StringField(_l("Server SMTP"), validators=[Optional(), Length(max=253)])
    smtp_port = IntegerField(
        _l("Port"), default=587,
        validators=[NumberRange(1, 65535, message=_l("Port antara 1 dan 65535."))],
    )  # fmt: skip
    smtp_starttls = BooleanField(_l("Pakai STARTTLS"), default=True)
    smtp_user = StringField(_l("Nama pengguna SMTP"), validators=[Optional(), Length(max=254)])
    smtp_password = PasswordField(_l("Kata sandi SMTP"), validators=[Length(max=200)])
    mail_from = StringField(_l("Alamat pengirim"), validators=[Optional(), Length(max=254)])
    mail_to = StringField(
        _l("Penerima (pisahkan dengan koma)"), validators=[Optional(), Length(max=1000)]
    )
    telegram_enabled = BooleanField(_l("Kirim ke grup Telegram"))
    telegram_token = PasswordField(_l("Token bot"), validators=[Length(max=120)])
    telegram_chat_id = StringField(_l("ID chat grup"), validators=[Optional(), Length(max=64)])
    telegram_api_base = StringField(
        _l("Alamat Bot API"), default=channels.TELEGRAM_API, validators=[Length(max=253)]
    )
    silent_minutes = IntegerField(
        _l("Beri tahu bila router diam lebih dari (menit)"), default=30,
        validators=[NumberRange(channels.MIN_SILENT_MINUTES, channels.MAX_SILENT_MINUTES,
                                message=_l("Isi antara 15 dan 10080 menit (7 hari)."))],
    )  # fmt: skip
    summary_time = StringField(
        _l("Jam ringkasan harian (waktu setempat, JJ:MM; kosong: tidak dikirim)"),
        validators=[Optional(), Length(max=5)],
    )


class AreaForm(Form):
    class Meta:
        csrf = False

    area = SelectField(_l("Wilayah"))


def _areas() -> list[tuple[str, str]]:
    """The areas the admin sets notifications for: their own and, for a province
    admin, each regency with villages."""
    scope = me().scope_kode
    areas = [(scope, notifier.area_name(scope))]
    if len(scope) == 2:
        regency = sa.func.substr(Village.kode, 1, 5)
        regencies = sorted(
            db.session.scalars(sa.select(regency).where(Village.kode.like(scope + ".%")).distinct())
        )
        areas += [(kode, notifier.area_name(kode)) for kode in regencies]
    return areas


def _area() -> str:
    """The area of this request (``?area=``, default the admin's own): regency and
    province admins only, 404 outside their scope."""
    require_role("regency")
    area = request.args.get("area") or me().scope_kode
    if not channels.is_area(area) or not me().covers(area):
        abort(404)
    return area


def _page(area: str, form: NotifyForm) -> str:
    row = channels.settings_for(db.session, area)
    zone = events.area_timezone(area)
    area_form = AreaForm(formdata=None, area=area)
    area_form.area.choices = choices(_areas())
    return render_template(
        "admin/notify.html", form=form, area=area, area_name=notifier.area_name(area),
        area_form=area_form, zone=zone, row=row, recent=outbox.recent(db.session, area),
        action=ConfirmForm(), kinds=KIND_LABELS, state_labels=STATE_LABELS,
        channel_labels=CHANNEL_LABELS, display_state=outbox.display_state,
        error_words=_error_words, local=local, params=_params,
    )  # fmt: skip


def _params(row: object) -> dict[str, object]:
    return json.loads(row.params)  # type: ignore[attr-defined]


def _error_words(code: str | None) -> str:
    return _(messages.CHANNEL_ERRORS[code]) if code in messages.CHANNEL_ERRORS else (code or "")


@bp.get("/notifications")
def notify_settings() -> str:
    area = _area()
    values = channels.form_values(channels.settings_for(db.session, area))
    form = NotifyForm(formdata=None, data=asdict(values))
    return _page(area, form)


@bp.post("/notifications")
def notify_save() -> str | Response:
    area = _area()
    form = NotifyForm()
    if form.validate():
        values = channels.SettingsInput(**{
            name: getattr(form, name).data if getattr(form, name).data is not None else ""
            for name in channels.SettingsInput.__dataclass_fields__
        })  # fmt: skip
        try:
            channels.save_settings(db.session, area, values, master=master_key(), now=now())
        except channels.InvalidNotifySettings as error:
            getattr(form, error.field).errors.append(refused(error))
        else:
            audit("notify.update", "notify_settings", area, area)
            flash(_("Pengaturan pemberitahuan disimpan."), "ok")
            return redirect(url_for("admin.notify_settings", area=area))
    return _page(area, form)


@bp.post("/notifications/test")
def notify_test() -> Response:
    area = _area()
    channel = request.form.get("channel", "")
    if channel not in channels.CHANNELS:
        abort(400)
    row = channels.settings_for(db.session, area)
    label = CHANNEL_LABELS[channel]
    try:
        if row is None:
            raise ChannelFailed("channel-off")
        notifier.send(row, channel, notifier.test_notice(area), master=master_key(),
                      senders=notifier.default_senders(settings()))  # fmt: skip
    except ChannelFailed as failure:
        audit("notify.test", "notify_settings", area, area, detail=f"{channel}: {failure.code}")
        flash(_("Pesan uji lewat %(channel)s gagal: %(reason)s", channel=label,
                reason=_error_words(failure.code)), "error")  # fmt: skip
    else:
        audit("notify.test", "notify_settings", area, area, detail=f"{channel}: sent")
        flash(_("Pesan uji terkirim lewat %(channel)s.", channel=label), "ok")
    return redirect(url_for("admin.notify_settings", area=area))
