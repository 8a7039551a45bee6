"""``wifidesa village``: set up villages by their kode wilayah."""

from __future__ import annotations

import click

from portal.cli.common import ACTOR, command
from portal.domain.network.villages import add_village


@click.group()
def village() -> None:
    """Villages (desa/kelurahan) served by a hotspot."""


@village.command("add")
@click.argument("code")
@click.option(
    "--timezone",
    type=click.Choice(["WIB", "WITA", "WIT"], case_sensitive=False),
    help="Local time zone; default from the province (e.g. WITA for Kalimantan Timur).",
)
@click.option("--ssid", help='Wi-Fi name shown on the poster; default "Wifi Desa <name>".')
def add(code: str, timezone: str | None, ssid: str | None) -> None:
    """Set up the village with kode wilayah CODE (64.01.01.2009 or 6401012009).

    Names of the village, district, regency and province come from the official
    Kemendagri list; an unknown code is refused.
    """
    with command() as run:
        added = add_village(
            run.session, code, now=run.now, timezone=timezone, ssid=ssid, actor=ACTOR
        )
        summary = (
            f"Village {added.kode} {added.name} added: kec. {added.district_name}, "
            f"{added.regency_name}, {added.province_name}; {added.timezone}; "
            f'slug "{added.slug}"; SSID "{added.ssid}"'
        )
    click.echo(summary)
