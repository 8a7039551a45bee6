"""Gateways as regency admins manage them: validation, secrets, rotation, heartbeats.

A RADIUS secret is generated (32 letters and digits, about 190 bits), shown once and
replaced by rotation; letters and digits only, so it survives every quoting layer
between the console, the .rsc script and RouterOS. The heartbeat token identifies the
router's scheduler calls and is compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.models import Gateway, GatewayUptime, Village

SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 32
# A gateway's source wider than this could be claimed by any sender on the internet.
WIDEST_PREFIX = {4: 8, 6: 32}
BUCKET = timedelta(minutes=5)
_NAS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# A token that can never match, so unknown gateways cost the same comparison.
_NO_TOKEN = secrets.token_urlsafe(24)


class InvalidGateway(ValueError):
    """A field is malformed; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownGateway(LookupError):
    """No gateway has this NAS-Identifier and token."""


@dataclass(frozen=True)
class GatewayInput:
    nas_identifier: str
    source_address: str
    hotspot_host: str
    coa_port: int = 3799
    require_message_authenticator: bool = True


def new_secret() -> str:
    """A fresh RADIUS shared secret of 32 random letters and digits."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def source_network(text: str) -> str:
    """A gateway's source in canonical form: an address ("10.8.0.2") or a network
    ("10.8.0.0/24").

    Raises InvalidGateway("source_address") for anything else, for a network with host
    bits set ("10.8.0.1/24": a host or the network?), and for wildcards and networks
    wider than /8 (IPv6: /32), which would let any sender claim to be the gateway.
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        raise InvalidGateway(
            "source_address",
            f"{text.strip()!r} is not an IP address or network (e.g. 10.8.0.2 or 10.8.0.0/24)",
        ) from None
    widest = WIDEST_PREFIX[network.version]
    if network.network_address.is_unspecified or network.prefixlen < widest:
        raise InvalidGateway(
            "source_address",
            f"{network} would accept any sender; give the router's address or a network "
            f"of at most /{widest}",
        )
    return str(network.network_address if network.num_addresses == 1 else network)


def validate(values: GatewayInput) -> GatewayInput:
    """``values`` normalised, or InvalidGateway naming the first bad field."""
    nas = values.nas_identifier.strip()
    if not _NAS_ID.match(nas):
        raise InvalidGateway("nas_identifier", "letters, digits, '.', '_' or '-' (max. 64)")
    source = source_network(values.source_address)
    host = values.hotspot_host.strip().rstrip(".").lower()
    if not (is_ip(host) or (len(host) <= 253 and all(map(_HOST_LABEL.match, host.split("."))))):
        raise InvalidGateway("hotspot_host", "an IP address or a DNS name")
    if not 1 <= values.coa_port <= 65535:
        raise InvalidGateway("coa_port", "a port from 1 to 65535")
    return GatewayInput(nas, source, host, values.coa_port, values.require_message_authenticator)


def _check_unique(session: Session, nas: str, own_id: int | None) -> None:
    clash = session.scalar(sa.select(Gateway.id).where(Gateway.nas_identifier == nas))
    if clash is not None and clash != own_id:
        raise InvalidGateway("nas_identifier", "another gateway already uses this name")


def create_gateway(
    session: Session, village: Village, values: GatewayInput, *, now: datetime
) -> tuple[Gateway, str]:
    """Add a gateway to ``village``; returns it with its new secret (show it once).

    Raises InvalidGateway for a bad or duplicate field.
    """
    values = validate(values)
    _check_unique(session, values.nas_identifier, None)
    secret = new_secret()
    gateway = Gateway(
        village_kode=village.kode,
        secret=secret,
        heartbeat_token=secrets.token_urlsafe(24),
        created_at=now,
        updated_at=now,
    )
    _apply(gateway, values, now)
    session.add(gateway)
    session.flush()
    return gateway, secret


def update_gateway(
    session: Session, gateway: Gateway, values: GatewayInput, *, now: datetime
) -> Gateway:
    """Change a gateway's settings (not its secret). Raises InvalidGateway."""
    values = validate(values)
    _check_unique(session, values.nas_identifier, gateway.id)
    _apply(gateway, values, now)
    session.flush()
    return gateway


def _apply(gateway: Gateway, values: GatewayInput, now: datetime) -> None:
    gateway.nas_identifier = values.nas_identifier
    gateway.source_address = values.source_address
    gateway.hotspot_host = values.hotspot_host
    gateway.coa_port = values.coa_port
    gateway.require_message_authenticator = values.require_message_authenticator
    gateway.updated_at = now


def rotate_secret(gateway: Gateway, *, now: datetime) -> str:
    """Give the gateway a new secret and heartbeat token; returns the secret."""
    secret = new_secret()
    gateway.secret = secret
    gateway.heartbeat_token = secrets.token_urlsafe(24)
    gateway.updated_at = now
    return secret


def bucket_start(now: datetime) -> datetime:
    """The start of the 5-minute bucket ``now`` falls in."""
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)


def record_heartbeat(
    session: Session, *, nas_identifier: str, token: str, now: datetime
) -> Gateway:
    """Mark a gateway as heard from now (last_seen_at and its uptime bucket).

    Raises UnknownGateway when the name is unknown or the token does not match; both
    cases take the same constant-time comparison.
    """
    gateway = session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_identifier))
    expected = gateway.heartbeat_token if gateway is not None else _NO_TOKEN
    if not hmac.compare_digest(expected.encode(), token.encode()) or gateway is None:
        raise UnknownGateway(nas_identifier)
    gateway.last_seen_at = now
    start = bucket_start(now)
    if session.get(GatewayUptime, (gateway.id, start)) is None:
        session.add(GatewayUptime(gateway_id=gateway.id, bucket_start=start))
    session.flush()
    return gateway


def last_heard(session: Session, gateway: Gateway) -> datetime | None:
    """The later of the last heartbeat and the last accounting update of the gateway."""
    from portal.models import AccountingSession

    accounting = session.scalar(
        sa.select(sa.func.max(AccountingSession.updated_at)).where(
            AccountingSession.gateway_id == gateway.id
        )
    )
    moments = [m for m in (gateway.last_seen_at, accounting) if m is not None]
    return max(moments) if moments else None


def is_up(last: datetime | None, now: datetime) -> bool:
    """Up when heard within three heartbeat intervals (15 minutes)."""
    return last is not None and now - last <= 3 * BUCKET
