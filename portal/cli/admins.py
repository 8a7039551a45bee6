"""``wifidesa admin``: accounts for village operators and Diskominfo officers."""

from __future__ import annotations

import sys

import click

from portal.cli.common import ACTOR, CommandError, command
from portal.domain.accounts.admins import MIN_PASSWORD_LENGTH, check_password, create_admin
from portal.domain.errors import DomainError


@click.group()
def admin() -> None:
    """Administrator accounts."""


@admin.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["province", "regency", "village"]),
    required=True,
    help="What the account manages.",
)
@click.option(
    "--scope",
    required=True,
    help="Region code matching the role: province 64, regency 64.01, village 64.01.01.2009.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)
def create(username: str, role: str, scope: str, password_stdin: bool) -> None:
    """Create admin USERNAME; the password is asked for twice (hidden).

    Passwords have at least 10 characters and are stored as argon2id hashes.
    """
    password = _read_password(password_stdin)
    with command() as run:
        created = create_admin(
            run.session, username, role=role, scope=scope, password=password, now=run.now,
            actor=ACTOR,
        )  # fmt: skip
        summary = f"Admin {created.username} created: {created.role} of {created.scope_kode}"
    click.echo(summary)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        return check_password(password)
    except DomainError as error:
        raise CommandError(str(error)) from None
