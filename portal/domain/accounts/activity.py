"""What an audit entry acted on, by name: for the console's activity log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.network import regions
from portal.models import (
    AdminUser,
    Announcement,
    ApiToken,
    AuditEntry,
    Gateway,
    Village,
    VoucherBatch,
)
from portal.models.content import TermsVersion

#: Object type → (model, the column that names it) for objects named by their id.
_NAMED_BY = {
    "admin_user": (AdminUser, AdminUser.username),
    "announcement": (Announcement, Announcement.title),
    "gateway": (Gateway, Gateway.nas_identifier),
    "voucher_batch": (VoucherBatch, VoucherBatch.label),
    "api_token": (ApiToken, ApiToken.label),
    "terms_version": (TermsVersion, TermsVersion.version),
}


def subject_names(session: Session, entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """What each entry acted on, by name: ``(object_type, object_id) → name``.

    A username, an announcement's title, a router's NAS-Identifier, a batch's label,
    a token's label, a terms version's number, a village's or region's official name
    (also for an area's notification settings).
    Objects since deleted, devices (never named: they are people) and unknown types
    are left out. One query per object type.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        wanted[entry.object_type].add(entry.object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        if object_type in ("village", "policy", "notify_settings"):
            for kode in ids:
                try:
                    names[object_type, kode] = regions.lookup(kode).nama
                except regions.UnknownRegion:
                    continue
            continue
        if object_type not in _NAMED_BY:
            continue
        model, column = _NAMED_BY[object_type]
        numbers = [int(i) for i in ids if i.isdigit()]
        rows = session.execute(sa.select(model.id, column).where(model.id.in_(numbers)))
        for ident, name in rows:
            names[object_type, str(ident)] = str(name)
    return names


def zones(session: Session, kodes: Iterable[str]) -> dict[str, str]:
    """The time zone each region code's entries are read in: a village's own zone,
    else the zone of the province the code lies in (WIB, WITA or WIT)."""
    wanted = set(kodes)
    found = dict(
        session.execute(
            sa.select(Village.kode, Village.timezone).where(
                Village.kode.in_([k for k in wanted if len(k) == 13])
            )
        ).all()
    )
    return {kode: found.get(kode) or regions.default_timezone(kode) for kode in wanted}
