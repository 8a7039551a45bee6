"""Login (password, then TOTP where required), logout, password change, TOTP enrolment."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import LoginForm, PasswordForm, TotpForm
from portal.admin.views import audit, master_key
from portal.database import db
from portal.domain import clock
from portal.domain.accounts import admins, logins
from portal.domain.network import regions
from portal.models import AdminUser
from portal.web import login as login_session
from portal.web.qr import qr_svg

PENDING = "admin_pending"
NEW_SECRET = "admin_totp_new"  # noqa: S105 (a session key name, not a secret)
PENDING_SECONDS = 300


class SessionUser(UserMixin):
    """The logged-in admin as Flask-Login sees it; the id carries the session version."""

    def __init__(self, user: AdminUser) -> None:
        self.user = user
        self.principal = admins.principal(user)

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"


def load_user(ident: str) -> SessionUser | None:
    """The session's admin, or None when the account is gone, disabled or its
    sessions were ended (logout, password change) after this one began."""
    user_id, _sep, version = ident.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(AdminUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return SessionUser(user)


def _address() -> str:
    return logins.address_hash(master_key(), request.remote_addr or "")


def _locked_message(error: logins.LoginLocked, username: str) -> str:
    """The lock message, in the local time of the account's region (WIB if unknown)."""
    user = db.session.scalar(sa.select(AdminUser).where(AdminUser.username == username))
    zone = regions.default_timezone(user.scope_kode) if user else "WIB"
    until = clock.to_local(error.until, zone).strftime("%H.%M")
    return _(
        "Terlalu banyak percobaan gagal. Akun atau alamat ini dikunci sampai pukul %(t)s %(z)s.",
        t=until,
        z=zone,
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("admin/login.html", form=form)
    try:
        user = logins.authenticate(
            db.session,
            username=form.username.data,
            password=form.password.data,
            address=_address(),
            now=now(),
        )
    except logins.LoginLocked as error:
        form.password.errors.append(_locked_message(error, form.username.data))
        return render_template("admin/login.html", form=form), 429
    except logins.InvalidCredentials:
        # 200 so that the recorded failure is committed with the unit of work.
        form.password.errors.append(_("Nama pengguna atau kata sandi salah."))
        return render_template("admin/login.html", form=form)
    if not logins.totp_required(user):
        return _finish_login(user, "login")
    session.clear()
    session[PENDING] = {"id": user.id, "v": user.session_version, "at": now().timestamp()}
    if user.totp_secret is None:
        return redirect(url_for("admin.totp_enrol_pending"))
    return redirect(url_for("admin.login_totp"))


def _pending_user() -> AdminUser | None:
    pending = session.get(PENDING)
    if not pending or now().timestamp() - pending["at"] > PENDING_SECONDS:
        return None
    user = db.session.get(AdminUser, pending["id"])
    if user is None or not user.active or user.session_version != pending["v"]:
        return None
    return user


@bp.route("/login/totp", methods=["GET", "POST"])
def login_totp() -> Response | str | tuple[str, int]:
    user = _pending_user()
    if user is None or user.totp_secret is None:
        return redirect(url_for("admin.login"))
    form = TotpForm()
    if form.validate_on_submit():
        try:
            logins.check_second_factor(
                db.session, user, secret=user.totp_secret, code=form.code.data,
                address=_address(), now=now(),
            )  # fmt: skip
        except logins.LoginLocked as error:
            form.code.errors.append(_locked_message(error, user.username))
            return render_template("admin/totp.html", form=form), 429
        except logins.InvalidCredentials:
            form.code.errors.append(_("Kode tidak cocok. Periksa jam ponsel Anda."))
        else:
            return _finish_login(user, "login")
    return render_template("admin/totp.html", form=form)


@bp.route("/login/totp/enrol", methods=["GET", "POST"])
def totp_enrol_pending() -> Response | str:
    """First login of an admin who must use TOTP but has none yet."""
    user = _pending_user()
    if user is None or user.totp_secret is not None:
        return redirect(url_for("admin.login"))
    if _enrol(user):
        return _finish_login(user, "login")
    return _render_enrol(user, "admin.totp_enrol_pending")


@bp.route("/account/totp", methods=["GET", "POST"])
def totp_enrol() -> Response | str:
    """A logged-in admin turns on (or renews) the second factor."""
    user = current_user.user
    if _enrol(user):
        flash(_("Verifikasi dua langkah aktif."), "ok")
        return redirect(url_for("admin.account"))
    return _render_enrol(user, "admin.totp_enrol")


@bp.post("/account/totp/off")
def totp_disable() -> Response:
    """A village admin turns the optional second factor off (with a current code)."""
    user = current_user.user
    form = TotpForm()
    try:
        if not form.validate_on_submit() or user.totp_secret is None:
            raise logins.InvalidCredentials
        logins.check_second_factor(
            db.session, user, secret=user.totp_secret, code=form.code.data,
            address=_address(), now=now(),
        )  # fmt: skip
        logins.disable_totp(user)
    except (logins.InvalidCredentials, logins.LoginLocked):
        flash(_("Kode tidak cocok. Verifikasi dua langkah tetap aktif."), "error")
    except logins.SecondFactorRequired:
        flash(_("Verifikasi dua langkah wajib untuk peran ini."), "error")
    else:
        audit("totp.disable", "admin_user", user.id, user.scope_kode)
        flash(_("Verifikasi dua langkah dimatikan."), "ok")
    return redirect(url_for("admin.account"))


def _enrol(user: AdminUser) -> bool:
    form = TotpForm()
    secret = session.get(NEW_SECRET)
    if secret is None:
        session[NEW_SECRET] = logins.new_totp_secret()
        return False
    if not form.validate_on_submit():
        return False
    try:
        logins.check_second_factor(
            db.session, user, secret=secret, code=form.code.data, address=_address(), now=now()
        )
    except (logins.InvalidCredentials, logins.LoginLocked):
        flash(_("Kode tidak cocok. Pindai ulang dan coba lagi."), "error")
        return False
    user.totp_secret = secret
    session.pop(NEW_SECRET, None)
    audit("totp.enrol", "admin_user", user.id, user.scope_kode, actor=user)
    return True


def _render_enrol(user: AdminUser, endpoint: str) -> str:
    secret = session[NEW_SECRET]
    return render_template(
        "admin/totp_enrol.html",
        form=TotpForm(formdata=None),
        secret=secret,
        qr=qr_svg(logins.totp_uri(secret, user.username)),
        action=url_for(endpoint),
    )


def _finish_login(user: AdminUser, action: str) -> Response:
    session.clear()  # a fresh session: nothing from before the login survives
    login_user(SessionUser(user))
    moment = now()
    login_session.start()
    logins.complete_login(db.session, user, now=moment)
    audit(action, "admin_user", user.id, user.scope_kode, actor=user)
    return redirect(url_for("admin.dashboard"))


@bp.post("/logout")
def logout() -> Response:
    user = current_user.user
    admins.end_sessions(user)
    audit("logout", "admin_user", user.id, user.scope_kode)
    logout_user()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Response | str:
    form = PasswordForm()
    user = current_user.user
    if form.validate_on_submit():
        try:
            logins.change_password(user, current=form.current.data, new=form.new.data)
        except logins.InvalidCredentials:
            form.current.errors.append(_("Kata sandi sekarang salah."))
        except admins.WeakPassword:
            form.new.errors.append(_("Minimal 10 karakter dan tidak mudah ditebak."))
        else:
            audit("password.change", "admin_user", user.id, user.scope_kode)
            logout_user()
            session.clear()
            flash(_("Kata sandi diganti. Silakan masuk lagi."), "ok")
            return redirect(url_for("admin.login"))
    return render_template(
        "admin/account.html", form=form, user=user, totp_form=TotpForm(formdata=None)
    )
