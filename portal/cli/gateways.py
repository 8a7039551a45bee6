"""``wifidesa gateway``: register MikroTik routers as RADIUS clients."""

from __future__ import annotations

from datetime import datetime

import click

from portal.cli.common import ACTOR, command
from portal.domain.network.gateways import add_gateway
from portal.domain.network.inventory import (
    BACKHAUL_CLASSES,
    PROGRAMME_SUGGESTIONS,
    Inventory,
    set_inventory,
    validate_inventory,
)


@click.group()
def gateway() -> None:
    """Gateways: the MikroTik hotspot routers of each village."""


@gateway.command("add")
@click.option("--village", "village_code", required=True, help="Kode wilayah of the village.")
@click.option("--nas-id", required=True, help="The router's NAS-Identifier (its system identity).")
@click.option(
    "--address", required=True, help="IP address or CIDR network the router's packets come from."
)
@click.option(
    "--secret",
    help="RADIUS shared secret (24+ characters, its own); default: 32 random characters,"
    " printed once.",
)
@click.option(
    "--coa-port", type=int, default=3799, show_default=True, help="Router's CoA/Disconnect port."
)
@click.option(
    "--require-message-authenticator/--no-require-message-authenticator",
    default=True,
    show_default=True,
    help="Drop Access-Requests without Message-Authenticator (BlastRADIUS protection).",
)
@click.option("--hotspot-host", help="The router's hotspot address or DNS name, e.g. 10.5.50.1.")
@click.option("--provider", help="Who connects the village, e.g. Telkom, PLN ICON+, Telkomsat.")
@click.option(
    "--backhaul", type=click.Choice(BACKHAUL_CLASSES), help="How traffic leaves the village."
)
@click.option("--mbps", type=click.IntRange(1), help="Contracted bandwidth in Mbps.")
@click.option("--programme", help=f"Programme or funder, e.g. {', '.join(PROGRAMME_SUGGESTIONS)}.")
@click.option(
    "--contract-end",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Last day of the contract (YYYY-MM-DD).",
)
def add(
    village_code: str,
    nas_id: str,
    address: str,
    secret: str | None,
    coa_port: int,
    require_message_authenticator: bool,
    hotspot_host: str | None,
    provider: str | None,
    backhaul: str | None,
    mbps: int | None,
    programme: str | None,
    contract_end: datetime | None,
) -> None:
    """Register a router of an existing village; prints a generated secret once."""
    stock = Inventory(provider, backhaul, mbps, programme, contract_end and contract_end.date())
    with command() as run:
        stock = validate_inventory(stock)
        added = add_gateway(
            run.session,
            village_code=village_code,
            nas_identifier=nas_id,
            address=address,
            secret=secret,
            coa_port=coa_port,
            require_message_authenticator=require_message_authenticator,
            hotspot_host=hotspot_host,
            now=run.now,
            actor=ACTOR,
        )
        set_inventory(run.session, added.gateway, stock, now=run.now, actor=ACTOR)
        lines = [
            f"Gateway {added.gateway.nas_identifier} added for village "
            f"{added.gateway.village_kode}, RADIUS client {added.gateway.source_address}."
        ]
        if added.secret_generated:
            lines.append(f"RADIUS secret (shown only now; put it in the router): {added.secret}")
    click.echo("\n".join(lines))
