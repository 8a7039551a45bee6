"""Admin accounts of a region: regency admins manage their village operators,
province admins their regency and village admins.

Only accounts of a lower role inside the admin's region are visible or changeable;
anything else is 404, like an id that does not exist. Temporary passwords are
shown once, on the page that answers the POST.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from portal.admin import bp, now
from portal.admin.forms import ConfirmForm, UserForm, choices
from portal.admin.scope import in_scope, load_scoped, me, require_role
from portal.admin.views import audit, refused
from portal.database import db
from portal.domain.accounts import admins, logins
from portal.domain.network import regions
from portal.domain.network.villages import VillageNotFound
from portal.models import AdminUser

ROLE_LABELS = {
    "province": _l("Provinsi"),
    "regency": _l("Kabupaten/Kota"),
    "village": _l("Desa"),
}


def load_manageable(admin_id: int) -> AdminUser:
    """An account the current admin may manage; 404 for anything else."""
    require_role("regency")
    user = load_scoped(AdminUser, admin_id)
    if not admins.can_manage(me(), user):
        abort(404)
    return user


def _form() -> UserForm:
    form = UserForm()
    roles = admins.manageable_roles(me())
    form.role.choices = choices([(r, ROLE_LABELS[r]) for r in roles])
    return form


def _listing(form: UserForm) -> str:
    rank = admins.ROLE_RANK[me().role]
    lower = [r for r, value in admins.ROLE_RANK.items() if value < rank]
    users = db.session.scalars(
        sa.select(AdminUser)
        .where(in_scope(AdminUser.scope_kode), AdminUser.role.in_(lower))
        .order_by(AdminUser.scope_kode, AdminUser.username)
    ).all()
    return render_template(
        "admin/users.html", form=form, users=users, labels=ROLE_LABELS, action=ConfirmForm()
    )


@bp.get("/users")
def user_list() -> str:
    require_role("regency")
    return _listing(_form())


@bp.post("/users")
def user_create() -> str:
    require_role("regency")
    form = _form()
    if form.validate_on_submit():
        password = admins.new_temporary_password()
        try:
            kode = regions.lookup(form.scope.data).kode
            if not me().covers(kode):
                raise admins.InvalidAdmin("outside your region", code="scope-outside")
            user = admins.create_admin(
                db.session, form.username.data, role=form.role.data, scope=kode,
                password=password, now=now(), actor=me().username, actor_id=me().id,
            )  # fmt: skip
        except admins.InvalidUsername as error:
            form.username.errors.append(refused(error))
        except admins.AdminExists:
            form.username.errors.append(_("Nama pengguna sudah dipakai."))
        except (regions.UnknownRegion, VillageNotFound, admins.InvalidAdmin) as error:
            form.scope.errors.append(refused(error))
        else:
            return render_template("admin/user_password.html", user=user, password=password)
    return _listing(form)


@bp.post("/users/<int:admin_id>/password")
def user_reset_password(admin_id: int) -> str:
    user = load_manageable(admin_id)
    password = admins.reset_password(user)
    audit("admin_user.reset_password", "admin_user", user.id, user.scope_kode)
    return render_template("admin/user_password.html", user=user, password=password)


@bp.post("/users/<int:admin_id>/totp")
def user_reset_totp(admin_id: int) -> Response:
    user = load_manageable(admin_id)
    logins.reset_totp(user)
    audit("admin_user.reset_totp", "admin_user", user.id, user.scope_kode)
    flash(_("Perangkat verifikasi %(u)s dilupakan.", u=user.username), "ok")
    return redirect(url_for("admin.user_list"))


@bp.post("/users/<int:admin_id>/active")
def user_toggle_active(admin_id: int) -> Response:
    user = load_manageable(admin_id)
    admins.set_active(user, not user.active)
    audit("admin_user.activate" if user.active else "admin_user.deactivate", "admin_user",
          user.id, user.scope_kode)  # fmt: skip
    return redirect(url_for("admin.user_list"))
