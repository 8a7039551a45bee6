"""Gateways: the MikroTik routers that ask the RADIUS server whether a device may go on."""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit, gateway_admin
from portal.domain.errors import AlreadyExists, DomainError
from portal.domain.villages import get_village
from portal.models import Gateway

MIN_SECRET_LENGTH = 24
MAX_SECRET_LENGTH = 128
# The NAS-Identifier also names the gateway in URLs (/mt/<nas-id>/login.html).
_NAS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class InvalidGateway(DomainError):
    """A gateway setting is malformed (address, secret, NAS-Identifier, host)."""


class GatewayExists(AlreadyExists):
    """Another gateway already uses this NAS-Identifier."""


@dataclass(frozen=True)
class NewGateway:
    """A gateway just added, with the secret that must be shown to the operator once."""

    gateway: Gateway
    secret: str
    secret_generated: bool


def generate_secret() -> str:
    """A fresh RADIUS shared secret, the same kind the console generates: 32 random
    letters and digits (no "-", which radclient and shells read as an option)."""
    return gateway_admin.new_secret()


def normalize_address(raw: str) -> str:
    """Return an IP address or CIDR network in canonical form (the console's rule,
    `gateway_admin.source_network`). Raises InvalidGateway otherwise."""
    try:
        return gateway_admin.source_network(raw)
    except gateway_admin.InvalidGateway as error:
        raise InvalidGateway(str(error)) from None


def validate_secret(secret: str) -> str:
    """Return the secret unchanged; raises InvalidGateway when too short or unprintable."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidGateway(f"the secret must have at least {MIN_SECRET_LENGTH} characters")
    if len(secret) > MAX_SECRET_LENGTH or not secret.isascii() or not secret.isprintable():
        raise InvalidGateway(
            f"the secret must be at most {MAX_SECRET_LENGTH} printable ASCII characters"
        )
    return secret


def validate_nas_identifier(nas_id: str) -> str:
    """Return the NAS-Identifier; raises InvalidGateway unless it is 1–64 of A-Z a-z 0-9 . _ -."""
    if not _NAS_ID.match(nas_id):
        raise InvalidGateway(
            f"NAS-Identifier {nas_id!r} must be 1-64 letters, digits, '.', '_' or '-'"
        )
    return nas_id


def validate_hotspot_host(host: str) -> str:
    """Return the router's hotspot address or DNS name; raises InvalidGateway if malformed."""
    value = host.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    if not _HOSTNAME.match(value):
        raise InvalidGateway(f"{host!r} is not an IP address or host name")
    return value.lower()


def add_gateway(
    session: Session,
    *,
    village_code: str,
    nas_identifier: str,
    address: str,
    now: datetime,
    secret: str | None = None,
    coa_port: int = 3799,
    require_message_authenticator: bool = True,
    hotspot_host: str | None = None,
    actor: str = "system",
) -> NewGateway:
    """Register a router for a village; a secret is generated when none is given.

    Only flushes. Raises UnknownRegion / VillageNotFound (village), GatewayExists
    (NAS-Identifier taken) or InvalidGateway (address, secret, port, host).
    """
    village = get_village(session, village_code)
    nas_id = validate_nas_identifier(nas_identifier)
    source = normalize_address(address)
    if not 1 <= coa_port <= 65535:
        raise InvalidGateway(f"CoA port must be 1-65535, not {coa_port}")
    generated = secret is None
    chosen = generate_secret() if secret is None else validate_secret(secret)
    host = validate_hotspot_host(hotspot_host) if hotspot_host else None
    if session.scalar(sa.select(Gateway.id).where(Gateway.nas_identifier == nas_id)):
        raise GatewayExists(f"a gateway with NAS-Identifier {nas_id!r} already exists")
    if session.scalar(sa.select(Gateway.id).where(Gateway.secret == chosen)):
        # One leaked router would give away the other's packets too.
        raise InvalidGateway("another gateway already uses this secret; give each its own")
    gateway = Gateway(
        village_kode=village.kode,
        nas_identifier=nas_id,
        source_address=source,
        secret=chosen,
        coa_port=coa_port,
        require_message_authenticator=require_message_authenticator,
        hotspot_host=host,
        heartbeat_token=secrets.token_urlsafe(32),
        created_at=now,
        updated_at=now,
    )
    session.add(gateway)
    session.flush()
    audit.record(
        session,
        now=now,
        actor=actor,
        action="gateway.add",
        object_type="gateway",
        object_id=nas_id,
        scope_kode=village.kode,
        detail=f"address {source}",
    )
    return NewGateway(gateway=gateway, secret=chosen, secret_generated=generated)
