"""``wifidesa token``: bearer tokens for the reports API."""

from __future__ import annotations

import click

from portal.cli.common import ACTOR, CommandError, command
from portal.domain.accounts.tokens import create_token, revoke_token, tokens_within
from portal.models import ApiToken


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


@token.command("list")
@click.option("--scope", default="", help="Only tokens inside this area (default: all).")
def list_(scope: str) -> None:
    """List tokens: id, area, label, created, last used, revoked (UTC)."""
    with command() as run:
        rows = [
            f"{t.id}\t{t.scope_kode}\t{t.label or '-'}\tcreated {t.created_at:%Y-%m-%d %H:%M}"
            f"\tlast used {f'{t.last_used_at:%Y-%m-%d %H:%M}' if t.last_used_at else 'never'}"
            + (f"\trevoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "")
            for t in tokens_within(run.session, scope.strip())
        ]
    click.echo("\n".join(rows) if rows else "No tokens.")


@token.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (see `token list`); the API refuses it at once."""
    with command() as run:
        row = run.session.get(ApiToken, token_id)
        if row is None:
            raise CommandError(f"no token with id {token_id}")
        revoke_token(run.session, row, now=run.now, actor=ACTOR)
    click.echo(f"Token {token_id} revoked.")
