"""The ``wifidesa`` command: set up villages, gateways, policies and admins; run the portal.

Each subject has its own module; commands stay thin and call the Flask-free domain
inside one unit of work (see `portal.cli.common`).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from portal.cli import (
    admins,
    database,
    demo,
    gateways,
    notify,
    policies,
    radius,
    serve,
    simulate,
    tokens,
    upkeep,
    villages,
    vouchers,
)

# click 8.2+ raises this for a group called without a subcommand; older click prints help.
NoArgsIsHelp: type[click.UsageError] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("NoArgsIsHelp", (click.UsageError,), {})
)


class WifiDesaGroup(click.Group):
    """A group whose errors are always one line on stderr (bad input exits with 2)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except NoArgsIsHelp as error:
            error.show()  # a bare group name shows its help, as click does
            sys.exit(error.exit_code)
        except click.UsageError as error:
            hint = f" (see: {error.ctx.command_path} --help)" if error.ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=WifiDesaGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Wifi Desa: captive portal and RADIUS server for free village Wi-Fi.

    Settings come from the environment: WIFIDESA_DATA_DIR (default ./instance),
    WIFIDESA_DATABASE_URL (default SQLite in the data folder), WIFIDESA_SECRET_KEY,
    WIFIDESA_PUBLIC_URL. Start with `wifidesa demo`, or `wifidesa init-db` and
    `wifidesa serve` for a real installation.
    """


main.add_command(database.init_db)
main.add_command(database.backup)
main.add_command(villages.village)
main.add_command(gateways.gateway)
main.add_command(policies.policy)
main.add_command(admins.admin)
main.add_command(tokens.token)
main.add_command(serve.serve)
main.add_command(demo.demo)
main.add_command(simulate.simulate)
for command in [*vouchers.commands, *upkeep.commands, *radius.commands, *notify.commands]:
    main.add_command(command)

__all__ = ["main"]
