"""Villages: adding a desa by its kode wilayah, with names and zone from the official list."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit, clock
from portal.domain.errors import AlreadyExists, DomainError, NotFound
from portal.domain.network import regions
from portal.models import Village

SSID_MAX_BYTES = 32  # IEEE 802.11 limit


class InvalidVillage(DomainError):
    """A village setting (time zone, SSID) is not acceptable."""


class VillageExists(AlreadyExists):
    """The village is set up already."""


class VillageNotFound(NotFound):
    """The village is in the official list but has not been set up here."""


def slugify(name: str) -> str:
    """A lowercase ASCII slug of a name: "Batu Kajang" -> "batu-kajang" ("desa" if empty)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:70] or "desa"


def unique_slug(session: Session, name: str) -> str:
    """The slug of ``name``, with "-2", "-3", … appended when it is taken."""
    base = slugify(name)
    taken = set(
        session.scalars(
            sa.select(Village.slug).where(
                sa.or_(Village.slug == base, Village.slug.like(f"{base}-%"))
            )
        )
    )
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug


def validate_ssid(ssid: str) -> str:
    """Return the SSID stripped; raises InvalidVillage when empty or over 32 bytes."""
    value = ssid.strip()
    if not value or len(value.encode("utf-8")) > SSID_MAX_BYTES:
        raise InvalidVillage(f"SSID must be 1 to {SSID_MAX_BYTES} bytes long, not {ssid!r}")
    return value


def get_village(session: Session, raw_code: str) -> Village:
    """The village set up under a code (either form).

    Raises UnknownRegion for a code not in the official list, VillageNotFound when it
    is a real village that was never added.
    """
    region = regions.lookup_village(raw_code)
    village = session.get(Village, region.kode)
    if village is None:
        raise VillageNotFound(
            f"village {region.kode} ({region.nama}) is not set up; "
            f"add it with: wifidesa village add {region.kode}"
        )
    return village


def add_village(
    session: Session,
    raw_code: str,
    *,
    now: datetime,
    timezone: str | None = None,
    ssid: str | None = None,
    actor: str = "system",
    actor_id: int | None = None,
) -> Village:
    """Set up a village from its kode wilayah (dotted or 10-digit form) and return it.

    Names come from the official list; the zone defaults to the province's, the SSID
    to "Wifi Desa <name>". Only flushes. Raises UnknownRegion (not a village code in
    the list), VillageExists (added before) or InvalidVillage (bad zone or SSID).
    """
    region = regions.lookup_village(raw_code)
    if session.get(Village, region.kode) is not None:
        raise VillageExists(f"village {region.kode} ({region.nama}) is already set up")
    zone = (timezone or regions.default_timezone(region.kode)).upper()
    if zone not in clock.TIMEZONES:
        raise InvalidVillage(f"time zone must be WIB, WITA or WIT, not {timezone!r}")
    village = Village(
        kode=region.kode,
        slug=unique_slug(session, region.nama),
        name=region.nama,
        district_name=region.kecamatan or "",
        regency_name=region.kabupaten or "",
        province_name=region.provinsi,
        timezone=zone,
        ssid=validate_ssid(ssid if ssid is not None else f"Wifi Desa {region.nama}"[:32]),
        created_at=now,
    )
    session.add(village)
    session.flush()
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        action="village.add",
        object_type="village",
        object_id=village.kode,
        scope_kode=village.kode,
    )
    return village


def update_village(
    session: Session,
    village: Village,
    *,
    ssid: str,
    timezone: str,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> Village:
    """Change a village's SSID and time zone (the names stay the official list's).

    Only flushes; audits when something changed. Raises InvalidVillage (bad zone or
    SSID; nothing changes then).
    """
    zone = (timezone or "").upper()
    if zone not in clock.TIMEZONES:
        raise InvalidVillage(f"time zone must be WIB, WITA or WIT, not {timezone!r}")
    name = validate_ssid(ssid)
    if (name, zone) == (village.ssid, village.timezone):
        return village
    village.ssid, village.timezone = name, zone
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="village.update",
        object_type="village", object_id=village.kode, scope_kode=village.kode,
        detail=f"SSID {name!r}, {zone}",
    )  # fmt: skip
    return village
