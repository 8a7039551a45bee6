"""``wifidesa token``: bearer tokens for the reports API."""

from __future__ import annotations

import click

from portal.cli.common import ACTOR, command
from portal.domain.accounts.tokens import create_token


@click.group()
def token() -> None:
    """API tokens for /api/v1 (reports, Satu Data exports)."""


@token.command("create")
@click.option(
    "--scope", required=True, help="Province, regency or village code the token may read."
)
@click.option("--label", default="", help="What the token is for, e.g. 'dashboard Diskominfo'.")
def create(scope: str, label: str) -> None:
    """Create a bearer token and print it once; only its SHA-256 hash is stored."""
    with command() as run:
        created = create_token(run.session, scope=scope, label=label, now=run.now, actor=ACTOR)
        scope_kode = created.record.scope_kode
    click.echo(f"Token for {scope_kode} (shown only now; store it safely):")
    click.echo(created.token)
