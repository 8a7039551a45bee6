"""``wifidesa vouchers …``: voucher batches from the command line, for scripts and bulk printing.

`commands` lists the click groups the ``wifidesa`` command registers. Each command is
one unit of work: it commits once at the end, or not at all when it fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context, render_template

from portal.database import db
from portal.domain import clock
from portal.domain.access import vouchers
from portal.domain.accounts import audit
from portal.domain.network import regions
from portal.models import Village, VoucherBatch
from portal.web import voucher_cards


@contextmanager
def _app_context() -> Iterator[Flask]:
    """The current app, or one built from the environment when run outside Flask."""
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    from portal import create_app
    from portal.config import Settings

    app = create_app(Settings.from_env().resolve_secret_key())
    with app.app_context():
        yield app


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
    try:
        kode = regions.normalize_code(village_code)
    except regions.UnknownRegion as error:
        raise click.BadParameter(str(error), param_hint="--village") from None
    with _app_context() as app:
        village = db.session.get(Village, kode)
        if village is None:
            raise click.BadParameter(f"no village {kode} is set up", param_hint="--village")
        now = clock.utcnow()
        try:
            batch, codes = vouchers.create_batch(
                db.session, village_kode=kode, count=count, valid_days=days, now=now,
                master_key=app.config["SECRET_KEY"], daily_mb=daily_mb,
                daily_minutes=daily_minutes, total_mb=total_mb, total_minutes=total_minutes,
                label=label,
            )  # fmt: skip
        except vouchers.InvalidBatch as error:
            raise click.UsageError(str(error)) from None
        audit.record(db.session, now=now, actor="cli", action="voucher_batch.create",
                     object_type="voucher_batch", object_id=batch.id, scope_kode=kode,
                     detail=str(count))  # fmt: skip
        if sheet is not None:
            sheet.write_text(_sheet_html(app, batch, village, codes, layout), encoding="utf-8")
        db.session.commit()
    for code in codes:
        click.echo(vouchers.format_code(code))


def _sheet_html(
    app: Flask, batch: VoucherBatch, village: Village, codes: list[str], layout: str
) -> str:
    from portal.admin.views import local

    css = (Path(app.static_folder or "") / "admin" / "admin.css").read_text(encoding="utf-8")
    settings = app.extensions["wifidesa.settings"]
    with app.test_request_context():
        return render_template(
            "admin/voucher_sheet_standalone.html",
            batch=batch,
            village=village,
            cards=voucher_cards.cards(batch, codes, settings.public_url),
            layout=layout,
            allowance=voucher_cards.allowance_text(batch),
            expires=local(batch.expires_at, village.timezone),
            css=css,
        )


@vouchers_group.command("void")
@click.argument("batch_id", type=int)
def void_command(batch_id: int) -> None:
    """Make every code of batch BATCH_ID unusable."""
    with _app_context():
        batch = db.session.get(VoucherBatch, batch_id)
        if batch is None:
            raise click.BadParameter(f"no batch {batch_id}", param_hint="BATCH_ID")
        now = clock.utcnow()
        vouchers.void_batch(batch, now)
        audit.record(db.session, now=now, actor="cli", action="voucher_batch.void",
                     object_type="voucher_batch", object_id=batch.id,
                     scope_kode=batch.village_kode)  # fmt: skip
        db.session.commit()
    click.echo(f"batch {batch_id} voided")


commands = [vouchers_group]
