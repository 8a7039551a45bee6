"""Gateway inventory: who connects a village, over what, paid by whom and until when.

Per gateway: the provider (Telkom, ICON+, a Starlink reseller …), the backhaul class
(``satellite``, ``radio`` or ``fibre``), the contracted bandwidth in Mbps, the
programme or funder (GratisPol, Dumisake, BAKTI, Dana Desa …) and the date the
contract ends. Every field is optional: an unknown value is better left empty than
guessed. Lapsed contracts are a main reason village hotspots die, so
`contracts_ending` is the one rule for "a contract ends soon" that the dashboard, the
daily summary and the notifications all read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.network.gateways import InvalidGateway
from portal.models import Gateway, Village

#: How a village's traffic reaches the internet (Gateway.backhaul_class).
BACKHAUL_CLASSES = ("satellite", "radio", "fibre")
#: Programmes and funders offered as suggestions; any other name is accepted.
PROGRAMME_SUGGESTIONS = ("GratisPol", "Dumisake", "BAKTI", "Dana Desa")
#: Contracts ending within this many days are flagged.
CONTRACT_WARNING_DAYS = 30
NAME_MAX = 80
#: No village link is faster than this; a larger figure is a typo (kbps for Mbps).
MAX_MBPS = 100_000


@dataclass(frozen=True)
class Inventory:
    """A gateway's inventory fields as an operator gives them (None: not known)."""

    provider: str | None = None
    backhaul_class: str | None = None
    contracted_mbps: int | None = None
    programme: str | None = None
    contract_end: date | None = None


@dataclass(frozen=True)
class ContractEnding:
    """A gateway whose contract ends soon (``days_left`` >= 0) or has just ended (< 0)."""

    gateway_id: int
    nas_identifier: str
    village_kode: str
    village_name: str
    timezone: str
    provider: str | None
    programme: str | None
    contract_end: date
    days_left: int

    @property
    def ended(self) -> bool:
        return self.days_left < 0


def _name(field: str, value: str | None, *, code: str) -> str | None:
    """``value`` with spaces collapsed (None when empty); raises InvalidGateway with
    ``code`` when too long, or ``text-unprintable``."""
    text = " ".join((value or "").split())
    if len(text) > NAME_MAX:
        raise InvalidGateway(field, f"{field} must be at most {NAME_MAX} characters", code=code)
    if any(not ch.isprintable() for ch in text):
        raise InvalidGateway(field, f"{field} must be printable text", code="text-unprintable")
    return text or None


def validate_inventory(values: Inventory) -> Inventory:
    """``values`` normalised (spaces collapsed, empty text as None, class lower-case).

    Raises InvalidGateway naming the field (provider, backhaul_class, contracted_mbps,
    programme) when a value is malformed or out of range.
    """
    backhaul = (values.backhaul_class or "").strip().lower() or None
    if backhaul is not None and backhaul not in BACKHAUL_CLASSES:
        raise InvalidGateway(
            "backhaul_class",
            f"backhaul class must be one of {', '.join(BACKHAUL_CLASSES)}, not {backhaul!r}",
            code="backhaul-unknown",
        )
    mbps = values.contracted_mbps
    if mbps is not None and (isinstance(mbps, bool) or not 1 <= mbps <= MAX_MBPS):
        raise InvalidGateway(
            "contracted_mbps",
            f"contracted bandwidth must be 1-{MAX_MBPS} Mbps, not {mbps}",
            code="mbps-out-of-range",
        )
    return Inventory(
        provider=_name("provider", values.provider, code="provider-too-long"),
        backhaul_class=backhaul,
        contracted_mbps=mbps,
        programme=_name("programme", values.programme, code="programme-too-long"),
        contract_end=values.contract_end,
    )


def inventory_of(gateway: Gateway) -> Inventory:
    """The gateway's current inventory fields."""
    return Inventory(
        gateway.provider,
        gateway.backhaul_class,
        gateway.contracted_mbps,
        gateway.programme,
        gateway.contract_end,
    )


def set_inventory(
    session: Session,
    gateway: Gateway,
    values: Inventory,
    *,
    now: datetime,
    actor: str = "system",
    actor_id: int | None = None,
) -> Gateway:
    """Replace the gateway's inventory fields with ``values`` (None clears a field).

    Only flushes; audits the change when something changed. Raises InvalidGateway
    (nothing is changed then).
    """
    clean = validate_inventory(values)
    if clean == inventory_of(gateway):
        return gateway
    gateway.provider = clean.provider
    gateway.backhaul_class = clean.backhaul_class
    gateway.contracted_mbps = clean.contracted_mbps
    gateway.programme = clean.programme
    gateway.contract_end = clean.contract_end
    gateway.updated_at = now
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="gateway.inventory",
        object_type="gateway", object_id=gateway.id, scope_kode=gateway.village_kode,
        detail=_describe(clean),
    )  # fmt: skip
    return gateway


def _describe(values: Inventory) -> str:
    parts = [
        values.provider,
        values.backhaul_class,
        f"{values.contracted_mbps} Mbps" if values.contracted_mbps else None,
        values.programme,
        f"until {values.contract_end.isoformat()}" if values.contract_end else None,
    ]
    return ", ".join(part for part in parts if part) or "cleared"


def contracts_ending(
    session: Session,
    *,
    area_kode: str,
    today: date,
    within_days: int = CONTRACT_WARNING_DAYS,
    ended_within_days: int = CONTRACT_WARNING_DAYS,
) -> list[ContractEnding]:
    """Gateways in ``area_kode`` (a province, regency, district or village code) whose
    contract ends between ``today`` and ``today + within_days``, or ended during the
    last ``ended_within_days`` days (``days_left`` < 0: the link may go dark any day).

    ``today`` is the area's local date. Sorted by end date, soonest first.
    """
    first = today - timedelta(days=ended_within_days)
    last = today + timedelta(days=within_days)
    rows = session.execute(
        sa.select(Gateway, Village.name, Village.timezone)
        .join(Village, Village.kode == Gateway.village_kode)
        .where(
            sa.or_(Gateway.village_kode == area_kode, Gateway.village_kode.like(area_kode + ".%")),
            Gateway.contract_end.is_not(None),
            Gateway.contract_end.between(first, last),
        )
        .order_by(Gateway.contract_end, Village.name, Gateway.nas_identifier)
    ).all()
    return [
        ContractEnding(
            gateway_id=gateway.id,
            nas_identifier=gateway.nas_identifier,
            village_kode=gateway.village_kode,
            village_name=name,
            timezone=zone,
            provider=gateway.provider,
            programme=gateway.programme,
            contract_end=gateway.contract_end,
            days_left=(gateway.contract_end - today).days,
        )
        for gateway, name, zone in rows
    ]
