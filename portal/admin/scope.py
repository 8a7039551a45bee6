"""Authorization in one place: every object an admin view touches comes through here.

An object belongs to a village (``village_kode``, or ``kode`` for a village itself, or
through its gateway or batch). It is visible when that village lies in the admin's
scope; otherwise the answer is 404, the same as for an id that does not exist, so ids
of other villages cannot even be probed.
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from portal.database import db
from portal.domain.accounts.admins import Principal
from portal.models import AccountingSession, Gateway, Village, Voucher, VoucherBatch

T = TypeVar("T")


def me() -> Principal:
    """The acting admin (the blueprint guard guarantees one is logged in)."""
    return current_user.principal


def village_of(obj: object) -> str:
    """The kode of the village an object belongs to."""
    if isinstance(obj, Village):
        return obj.kode
    if isinstance(obj, Voucher):
        return obj.batch.village_kode
    if isinstance(obj, AccountingSession):
        return obj.village_kode
    kode = getattr(obj, "village_kode", None) or getattr(obj, "scope_kode", None)
    if kode is None:
        raise TypeError(f"{type(obj).__name__} has no village or scope")
    return kode


def load_scoped(model: type[T], ident: object) -> T:
    """The object of ``model`` with primary key ``ident`` if the admin may see it.

    Aborts with 404 when it does not exist or lies outside the admin's scope.
    """
    obj = db.session.get(model, ident)
    if obj is None or not me().covers(village_of(obj)):
        abort(404)
    return obj


def require_role(role: str) -> None:
    """Abort with 403 unless the admin has ``role`` or a wider one."""
    if not me().at_least(role):
        abort(403)


def require_village(kode: str) -> Village:
    """A village chosen in a form, if it is in scope; 404 otherwise."""
    return load_scoped(Village, kode)


def villages_query() -> sa.Select[tuple[Village]]:
    """Villages in the admin's scope, by name."""
    scope = me().scope_kode
    return (
        sa.select(Village)
        .where(sa.or_(Village.kode == scope, Village.kode.like(scope + ".%")))
        .order_by(Village.name)
    )


def in_scope(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping rows whose village ``column`` lies in the admin's scope."""
    scope = me().scope_kode
    return sa.or_(column == scope, column.like(scope + ".%"))


def scoped_villages() -> list[Village]:
    return list(db.session.scalars(villages_query()))


def gateways_query() -> sa.Select[tuple[Gateway]]:
    return sa.select(Gateway).where(in_scope(Gateway.village_kode)).order_by(Gateway.nas_identifier)


def batches_query() -> sa.Select[tuple[VoucherBatch]]:
    return (
        sa.select(VoucherBatch)
        .where(in_scope(VoucherBatch.village_kode))
        .order_by(VoucherBatch.created_at.desc())
    )
