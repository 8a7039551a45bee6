"""``wifidesa vouchers``: voucher batches from the command line, for scripts and bulk printing."""

from __future__ import annotations

from pathlib import Path

import click
from flask import render_template

from portal import create_app
from portal.cli.common import ACTOR, CommandError, command
from portal.config import Settings
from portal.domain.access import vouchers
from portal.domain.errors import DomainError
from portal.domain.network.villages import get_village
from portal.models import Village, VoucherBatch
from portal.web import voucher_cards
from portal.web.formatting import local_datetime


@click.group("vouchers")
def vouchers_group() -> None:
    """Create and void voucher batches."""


@vouchers_group.command("create")
@click.option("--village", "village_code", required=True, help="Kode wilayah of the village.")
@click.option("--count", type=click.IntRange(1, vouchers.MAX_BATCH), required=True)
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True)
@click.option("--daily-mb", type=click.IntRange(min=0), help="Data per day (MB).")
@click.option("--daily-minutes", type=click.IntRange(min=0), help="Time per day (minutes).")
@click.option("--total-mb", type=click.IntRange(min=0), help="Data over the whole validity.")
@click.option("--total-minutes", type=click.IntRange(min=0), help="Time over the validity.")
@click.option("--label", default="", help="A note shown in the console.")
@click.option(
    "--sheet",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write a printable HTML sheet of cards with QR codes to this file.",
)
@click.option("--layout", type=click.Choice(["a4", "thermal"]), default="a4", show_default=True)
def create_command(
    village_code: str,
    count: int,
    days: int,
    daily_mb: int | None,
    daily_minutes: int | None,
    total_mb: int | None,
    total_minutes: int | None,
    label: str,
    sheet: Path | None,
    layout: str,
) -> None:
    """Create COUNT vouchers for a village and print their codes, one a line.

    The codes are shown only now (they are stored hashed): keep the output or --sheet.
    """
    with command() as run:
        try:
            village = get_village(run.session, village_code)
        except DomainError as error:
            raise CommandError(f"no village {village_code} is set up: {error}") from None
        batch, codes = vouchers.create_batch(
            run.session, village_kode=village.kode, count=count, valid_days=days, now=run.now,
            master_key=run.settings.secret_key, daily_mb=daily_mb, daily_minutes=daily_minutes,
            total_mb=total_mb, total_minutes=total_minutes, label=label, actor=ACTOR,
        )  # fmt: skip
        if sheet is not None:
            sheet.write_text(_sheet_html(run.settings, batch, village, codes, layout), "utf-8")
    for code in codes:
        click.echo(vouchers.format_code(code))


def _sheet_html(
    settings: Settings, batch: VoucherBatch, village: Village, codes: list[str], layout: str
) -> str:
    """The printable sheet, rendered by the portal's own template with its CSS inline."""
    app = create_app(settings)
    css = (Path(app.static_folder or "") / "admin" / "admin.css").read_text(encoding="utf-8")
    with app.test_request_context():
        return render_template(
            "admin/voucher_sheet_standalone.html",
            batch=batch,
            village=village,
            cards=voucher_cards.cards(batch, codes, settings.public_url),
            layout=layout,
            allowance=voucher_cards.allowance_text(batch),
            expires=local_datetime(batch.expires_at, village.timezone),
            css=css,
        )


@vouchers_group.command("void")
@click.argument("batch_id", type=int)
def void_command(batch_id: int) -> None:
    """Make every code of batch BATCH_ID unusable."""
    with command() as run:
        batch = run.session.get(VoucherBatch, batch_id)
        if batch is None:
            raise click.BadParameter(f"no batch {batch_id}", param_hint="BATCH_ID")
        vouchers.void_batch(run.session, batch, now=run.now, actor=ACTOR)
    click.echo(f"batch {batch_id} voided")


commands = [vouchers_group]
