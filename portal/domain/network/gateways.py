"""Gateways: the MikroTik routers that ask the RADIUS server whether a device may go on.

One rule set for every way a gateway is added or changed (the command line, the
console, the demo, the RADIUS client loader): the NAS-Identifier also names the
gateway in URLs, the source is one address or a network of at most /8 (IPv6 /32), the
hotspot host is an address or a DNS name, and each gateway has its own secret of at
least 24 characters. A generated secret is 32 letters and digits (about 190 bits), so
it survives every quoting layer between the console, the .rsc script and RouterOS; it
is shown once and replaced by rotation. The heartbeat token identifies the router's
scheduler calls (`portal.domain.network.liveness`).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import AlreadyExists, DomainError, NotFound
from portal.domain.network.villages import get_village
from portal.models import Gateway

SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 32
MIN_SECRET_LENGTH = 24
MAX_SECRET_LENGTH = 128
# A gateway's source wider than this could be claimed by any sender on the internet.
WIDEST_PREFIX = {4: 8, 6: 32}
#: Where residents' login page lives: on the router (its own files, no satellite round
#: trip before the page shows) or on the portal (today's splash, for fast links).
SPLASH_LOCATIONS = ("router", "portal")
_NAS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# A token that can never match, so unknown gateways cost the same comparison.


class GatewayError(DomainError):
    """A gateway request the domain refuses."""


class InvalidGateway(GatewayError):
    """A field is malformed; ``field`` names it (as the console's form does)."""

    def __init__(self, field: str, message: str, *, code: str, **params: object) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


class GatewayExists(InvalidGateway, AlreadyExists):
    """Another gateway already uses this NAS-Identifier."""

    def __init__(self, nas_identifier: str) -> None:
        super().__init__(
            "nas_identifier",
            f"a gateway with NAS-Identifier {nas_identifier!r} already exists",
            code="gateway-exists",
            name=nas_identifier,
        )


class UnknownGateway(GatewayError, NotFound):
    """No gateway has this NAS-Identifier and token."""


class AccessPoint(Protocol):
    """A gateway as a request through it is decided and counted: which gateway, which
    village, which time zone, which backhaul class (the RADIUS server's cached client is
    one)."""

    @property
    def gateway_id(self) -> int: ...

    @property
    def village_kode(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def backhaul_class(self) -> str | None: ...


@dataclass(frozen=True)
class GatewayInput:
    """A gateway's settings as an operator gives them (normalised by `validate`)."""

    nas_identifier: str
    source_address: str
    hotspot_host: str | None = None
    coa_port: int = 3799
    require_message_authenticator: bool = True
    #: Where residents' login page lives, "router" or "portal"; None keeps it as it is
    #: (a new gateway gets "router").
    splash_location: str | None = None


@dataclass(frozen=True)
class NewGateway:
    """A gateway just added, with the secret that must be shown to the operator once."""

    gateway: Gateway
    secret: str
    secret_generated: bool


def generate_secret() -> str:
    """A fresh RADIUS shared secret of 32 random letters and digits (no "-", which
    radclient and shells read as an option)."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def normalize_address(text: str) -> str:
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
            code="address-invalid",
            value=text.strip(),
        ) from None
    widest = WIDEST_PREFIX[network.version]
    if network.network_address.is_unspecified or network.prefixlen < widest:
        raise InvalidGateway(
            "source_address",
            f"{network} would accept any sender; give the router's address or a network "
            f"of at most /{widest}",
            code="address-too-wide",
            value=str(network),
            widest=widest,
        )
    return str(network.network_address if network.num_addresses == 1 else network)


def validate_secret(secret: str) -> str:
    """Return the secret unchanged; raises InvalidGateway when too short or unprintable."""
    if len(secret) < MIN_SECRET_LENGTH:
        raise InvalidGateway(
            "secret",
            f"the secret must have at least {MIN_SECRET_LENGTH} characters",
            code="secret-short",
            min=MIN_SECRET_LENGTH,
        )
    if len(secret) > MAX_SECRET_LENGTH or not secret.isascii() or not secret.isprintable():
        raise InvalidGateway(
            "secret",
            f"the secret must be at most {MAX_SECRET_LENGTH} printable ASCII characters",
            code="secret-unprintable",
            max=MAX_SECRET_LENGTH,
        )
    return secret


def validate_nas_identifier(nas_id: str) -> str:
    """Return the NAS-Identifier; raises InvalidGateway unless it is 1–64 of A-Z a-z 0-9 . _ -."""
    if not _NAS_ID.match(nas_id):
        raise InvalidGateway(
            "nas_identifier",
            f"NAS-Identifier {nas_id!r} must be 1-64 letters, digits, '.', '_' or '-'",
            code="nas-identifier-invalid",
            value=nas_id,
        )
    return nas_id


def validate_hotspot_host(host: str) -> str:
    """Return the router's hotspot address or DNS name in lower case; raises InvalidGateway."""
    value = host.strip().rstrip(".").lower()
    if is_ip(value):
        return str(ipaddress.ip_address(value))
    if not value or len(value) > 253 or not all(map(_HOST_LABEL.match, value.split("."))):
        raise InvalidGateway(
            "hotspot_host",
            f"{host!r} is not an IP address or host name",
            code="host-invalid",
            value=host,
        )
    return value


def validate(values: GatewayInput) -> GatewayInput:
    """``values`` normalised, or InvalidGateway naming the first bad field."""
    host = values.hotspot_host.strip() if values.hotspot_host else ""
    if values.splash_location not in (None, *SPLASH_LOCATIONS):
        raise InvalidGateway("splash_location", "the login page lives on the router or portal")
    if not 1 <= values.coa_port <= 65535:
        raise InvalidGateway(
            "coa_port", f"CoA port must be 1-65535, not {values.coa_port}", code="port-invalid"
        )
    return replace(
        values,
        nas_identifier=validate_nas_identifier(values.nas_identifier.strip()),
        source_address=normalize_address(values.source_address),
        hotspot_host=validate_hotspot_host(host) if host else None,
    )


def _check_unique(session: Session, nas: str, own_id: int | None) -> None:
    clash = session.scalar(sa.select(Gateway.id).where(Gateway.nas_identifier == nas))
    if clash is not None and clash != own_id:
        raise GatewayExists(nas)


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
    splash_location: str = "router",
    actor: str = "system",
    actor_id: int | None = None,
) -> NewGateway:
    """Register a router for a village; a secret is generated when none is given.

    Only flushes, and audits as ``actor``. Raises UnknownRegion / VillageNotFound
    (village), GatewayExists (NAS-Identifier taken) or InvalidGateway (address,
    secret, port, host, or a secret another gateway has).
    """
    village = get_village(session, village_code)
    values = validate(
        GatewayInput(
            nas_identifier, address, hotspot_host, coa_port, require_message_authenticator,
            splash_location,
        )
    )  # fmt: skip
    generated = secret is None
    chosen = generate_secret() if secret is None else validate_secret(secret)
    _check_unique(session, values.nas_identifier, None)
    if session.scalar(sa.select(Gateway.id).where(Gateway.secret == chosen)):
        # One leaked router would give away the other's packets too.
        raise InvalidGateway(
            "secret",
            "another gateway already uses this secret; give each its own",
            code="secret-taken",
        )
    gateway = Gateway(
        village_kode=village.kode,
        secret=chosen,
        heartbeat_token=secrets.token_urlsafe(32),
        created_at=now,
    )
    _apply(gateway, values, now)
    session.add(gateway)
    session.flush()
    audit.record(
        session, now=now, actor=actor, actor_id=actor_id, action="gateway.create",
        object_type="gateway", object_id=gateway.id, scope_kode=village.kode,
        detail=f"{values.nas_identifier} from {values.source_address}",
    )  # fmt: skip
    return NewGateway(gateway=gateway, secret=chosen, secret_generated=generated)


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
    if values.splash_location is not None:
        gateway.splash_location = values.splash_location
    gateway.updated_at = now


def rotate_secret(gateway: Gateway, *, now: datetime) -> str:
    """Give the gateway a new secret and heartbeat token; returns the secret."""
    secret = generate_secret()
    gateway.secret = secret
    gateway.heartbeat_token = secrets.token_urlsafe(32)
    gateway.updated_at = now
    return secret
