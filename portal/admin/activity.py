"""The activity log in words: "Membuat 20 voucher", "Menonaktifkan pengguna siti".

Audit entries keep stable action ids (``voucher_batch.create``); this is where the
console turns them into a sentence in the reader's language, names the object it
acted on (`portal.domain.accounts.activity.subject_names`) and writes the time in the
village's or area's own zone (`portal.messages.local_time`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from portal import messages
from portal.domain import clock
from portal.domain.accounts import activity
from portal.domain.network import regions
from portal.i18n import current_language
from portal.models import AuditEntry

#: Action id → sentence; %(name)s is what it acted on, %(detail)s the entry's detail.
ACTIONS = {
    "login": _l("Masuk ke konsol"),
    "logout": _l("Keluar dari konsol"),
    "password.change": _l("Mengganti kata sandinya sendiri"),
    "totp.enrol": _l("Mengaktifkan verifikasi dua langkah"),
    "totp.disable": _l("Mematikan verifikasi dua langkah"),
    "admin.create": _l("Membuat akun admin %(name)s"),
    "admin.password": _l("Mengganti kata sandi pengguna %(name)s"),
    "admin_user.reset_password": _l("Mengatur ulang kata sandi pengguna %(name)s"),
    "admin_user.reset_totp": _l("Mengatur ulang verifikasi dua langkah pengguna %(name)s"),
    "admin_user.activate": _l("Mengaktifkan pengguna %(name)s"),
    "admin_user.deactivate": _l("Menonaktifkan pengguna %(name)s"),
    "announcement.create": _l("Membuat pengumuman “%(name)s”"),
    "announcement.update": _l("Mengubah pengumuman “%(name)s”"),
    "announcement.publish": _l("Menerbitkan pengumuman “%(name)s”"),
    "announcement.delete": _l("Menghapus pengumuman %(name)s"),
    "announcement.import": _l("Mengimpor pengumuman “%(name)s” dari OpenSID"),
    "voucher_batch.create": _l("Membuat %(detail)s voucher"),
    "voucher_batch.void": _l("Membatalkan batch voucher %(name)s"),
    "gateway.create": _l("Menambah router %(name)s"),
    "gateway.update": _l("Mengubah router %(name)s"),
    "gateway.rotate_secret": _l("Mengganti rahasia RADIUS router %(name)s"),
    "gateway.script": _l("Mengunduh skrip RouterOS router %(name)s"),
    "session.disconnect": _l("Memutuskan sambungan sebuah perangkat"),
    "session.throttle": _l("Memperlambat sambungan sebuah perangkat"),
    "terms.publish": _l("Menerbitkan ketentuan %(detail)s"),
    "policy.set": _l("Mengubah kebijakan pemakaian %(name)s"),
    "village.add": _l("Menambah desa %(name)s"),
    "token.create": _l("Membuat token API “%(name)s”"),
    "token.revoke": _l("Mencabut token API “%(name)s”"),
    "village.update": _l("Mengubah pengaturan desa %(name)s (%(detail)s)"),
    "gateway.inventory": _l("Mengubah data kontrak router %(name)s"),
    "notify.update": _l("Mengubah pengaturan pemberitahuan %(name)s"),
    "notify.test": _l("Mengirim pesan uji pemberitahuan %(name)s (%(detail)s)"),
}


@dataclass(frozen=True)
class Line:
    """One entry as the log shows it."""

    when: str
    who: str
    what: str
    where: str


def lines(session: Session, entries: Sequence[AuditEntry], home: str) -> list[Line]:
    """The entries in words, each at its village's (or area's) local time; an entry
    without a region is read in the zone of ``home``, the reader's own region."""
    names = activity.subject_names(session, entries)
    zones = activity.zones(session, {e.scope_kode or home for e in entries})
    language = current_language()
    return [
        Line(
            when=_when(entry, zones[entry.scope_kode or home], language),
            who=entry.actor_label,
            what=_what(entry, names),
            where=_region_name(entry.scope_kode),
        )
        for entry in entries
    ]


def _when(entry: AuditEntry, zone: str, language: str) -> str:
    day = clock.to_local(entry.at, zone)
    return f"{day:%d-%m-%Y} {messages.local_time(entry.at, zone, language)} {zone}"


def _what(entry: AuditEntry, names: dict[tuple[str, str], str]) -> str:
    sentence = ACTIONS.get(entry.action)
    if sentence is None:  # an action this console does not know yet: say what is stored
        return f"{entry.action} · {entry.object_type} {entry.object_id}"
    name = names.get((entry.object_type, entry.object_id)) or f"#{entry.object_id}"
    return str(sentence) % {"name": name, "detail": entry.detail}


def _region_name(kode: str | None) -> str:
    if not kode:
        return ""
    try:
        return regions.lookup(kode).nama
    except regions.UnknownRegion:
        return kode
