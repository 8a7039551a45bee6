"""``wifidesa policy``: fair-use limits for a regency or one village."""

from __future__ import annotations

import click

from portal.cli.common import ACTOR, CommandError, command
from portal.domain.network import regions
from portal.domain.network.policies import (
    POLICY_FIELDS,
    effective_policy,
    resolve_policy,
    set_policy,
)
from portal.domain.network.policy_presets import PRESETS, preset
from portal.domain.network.villages import get_village


@click.group()
def policy() -> None:
    """Fair-use policies: daily quota, speed and session limits."""


@policy.command("set")
@click.option("--village", "village_code", help="Override for one village (kode wilayah).")
@click.option("--regency", "regency_code", help="Default for a regency, e.g. 64.01.")
@click.option("--daily-mb", type=int, help="Data per device per day in MB (0 = unlimited).")
@click.option("--daily-minutes", type=int, help="Time per device per day (0 = unlimited).")
@click.option("--rate", "rate_limit", help="MikroTik rate limit rx/tx, e.g. 2M/4M.")
@click.option("--max-session-minutes", type=int, help="Longest single session.")
@click.option("--idle-minutes", type=int, help="Disconnect after this long without traffic.")
@click.option("--interim-minutes", type=int, help="Accounting update interval.")
@click.option(
    "--on-exhausted",
    type=click.Choice(["reject", "throttle"]),
    help="When a quota is spent: refuse, or let on at the throttle rate.",
)
@click.option("--throttle-rate", help="Rate limit once a quota is spent, e.g. 256k/512k.")
@click.option(
    "--preset",
    "preset_name",
    type=click.Choice(list(PRESETS)),
    help="Start from the values for a backhaul class; other options given override them.",
)
def set_(
    village_code: str | None,
    regency_code: str | None,
    preset_name: str | None,
    **values: object,
) -> None:
    """Set fair-use limits for a regency (the default) or one village (an override).

    Only the options given change; the others keep inheriting (village from regency,
    regency from the built-in defaults).
    """
    if (village_code is None) == (regency_code is None):
        raise CommandError("give exactly one of --village CODE or --regency CODE")
    if preset_name is not None:
        values = {**preset(preset_name), **{k: v for k, v in values.items() if v is not None}}
    if all(value is None for value in values.values()):
        raise CommandError("nothing to set; give at least one limit (see --help)")
    with command() as run:
        if village_code is not None:
            scope = get_village(run.session, village_code).kode
        else:
            scope = _regency(regency_code or "")
        row = set_policy(run.session, scope, now=run.now, actor=ACTOR, **values)
        if village_code is not None:
            shown = effective_policy(run.session, scope)
            lines = [f"  {name}: {getattr(shown, name)}" for name in POLICY_FIELDS]
            heading = f"Policy of village {scope} set; now in effect:"
        else:
            lines = [
                f"  {name}: {getattr(row, name)}"
                for name in POLICY_FIELDS
                if getattr(row, name) is not None
            ]
            heading = f"Policy of regency {scope} set:"
    click.echo("\n".join([heading, *lines]))


def _regency(raw: str) -> str:
    region = regions.lookup(raw)
    if region.level != "kabupaten":
        raise regions.UnknownRegion(f"{region.kode} is a {region.level}, not a regency")
    return region.kode


@policy.command("show")
@click.argument("village_code")
def show(village_code: str) -> None:
    """Print the policy in effect in a village and where each value comes from
    (village override, regency default or built-in)."""
    with command() as run:
        kode = get_village(run.session, village_code).kode
        resolved = resolve_policy(run.session, kode)
    lines = [
        f"  {name}: {getattr(resolved.policy, name)} ({resolved.sources[name]})"
        for name in POLICY_FIELDS
    ]
    click.echo("\n".join([f"Policy in effect in village {kode}:", *lines]))
