"""Voucher batches: print at creation, QR codes that decode, status, voiding, the CLI."""

from __future__ import annotations

import re

import sqlalchemy as sa
from click.testing import CliRunner

from portal import settings_of
from portal.cli.vouchers import commands
from portal.database import db
from portal.domain.access import vouchers
from portal.models import AuditEntry, Voucher, VoucherBatch
from portal.web import qr
from tests.admin.conftest import NOW, VILLAGE_A, csrf_token, log_in
from tests.admin.qrdecode import decode_svg, svgs_in
from tests.conftest import settings_env
from tests.databases import TEST_SECRET_KEY

CODE = re.compile(r'data-code="([A-Z2-9]{5}-[A-Z2-9]{5})"')
PUBLIC = "https://portal.example.id"


def test_qr_svg_decodes_to_its_text():
    for text in (qr.voucher_url(PUBLIC, "ABCDE-FGH23"), qr.wifi_join_text('Desa "A";B')):
        assert decode_svg(qr.qr_svg(text)) == text


def test_voucher_url_is_the_portal_with_the_code():
    assert qr.voucher_url(PUBLIC + "/", "ABCDE-FGH23") == (
        "https://portal.example.id/hotspot/voucher?code=ABCDE-FGH23"
    )


def _create(client, **overrides):
    page = client.get("/admin/vouchers").get_data(as_text=True)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    token = csrf_token(client, "/admin/")
    data = {"village": VILLAGE_A, "count": "12", "valid_days": "7", "daily_mb": "500",
            "layout": "thermal", "nonce": nonce, "csrf_token": token}  # fmt: skip
    data.update(overrides)
    return client.post("/admin/vouchers", data=data), data


def test_batch_is_printed_at_creation_and_codes_work(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response, _data = _create(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="admin layout-thermal"' in html
    codes = CODE.findall(html)
    assert len(codes) == 12 and len(set(codes)) == 12
    assert all(not set(c) & set("01OIL") for c in codes)
    svgs = svgs_in(html)
    assert [decode_svg(svg) for svg in svgs] == [qr.voucher_url(PUBLIC, c) for c in codes]
    with app.app_context():
        stored = db.session.scalars(sa.select(Voucher.code_hash)).all()
        assert not any(c.replace("-", "") in h for c in codes for h in stored)
        voucher = vouchers.find_voucher(
            db.session,
            code=codes[3].lower(),
            master_key=TEST_SECRET_KEY,
            now=NOW,
            village_kode=VILLAGE_A,
        )
        assert voucher.serial == 4


def test_reload_does_not_create_a_second_batch(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    _response, data = _create(client)
    again = client.post("/admin/vouchers", data=data)
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherBatch)) == 1


def test_out_of_range_batch_is_refused_with_a_reason(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response, _data = _create(client, count="501")
    assert response.status_code == 200
    assert "Angka harus antara 1 dan 500" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherBatch)) == 0


def test_batch_status_without_codes_and_voiding(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    response, _data = _create(client, count="3")
    codes = CODE.findall(response.get_data(as_text=True))
    with app.app_context():
        batch_id = db.session.scalars(sa.select(VoucherBatch.id)).one()
    page = client.get(f"/admin/vouchers/{batch_id}").get_data(as_text=True)
    assert "belum dipakai" in page
    assert not any(code in page for code in codes)
    token = csrf_token(client, "/admin/")
    assert (
        client.post(f"/admin/vouchers/{batch_id}/void", data={"csrf_token": token}).status_code
        == 302
    )
    assert "dibatalkan" in client.get(f"/admin/vouchers/{batch_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(VoucherBatch, batch_id).voided_at is not None
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert {"voucher_batch.create", "voucher_batch.void"} <= set(actions)


def test_cli_prints_codes_one_a_line_and_writes_a_sheet(app, tmp_path):
    sheet = tmp_path / "sheet.html"
    runner = CliRunner(env=settings_env(settings_of(app)))
    with app.app_context():
        result = runner.invoke(
            commands[0],
            ["create", "--village", "6401012009", "--count", "5", "--days", "3",
             "--daily-mb", "300", "--daily-minutes", "120", "--sheet", str(sheet)],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    codes = result.output.split()
    assert len(codes) == 5 and all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", c) for c in codes)
    html = sheet.read_text()
    assert [decode_svg(s) for s in svgs_in(html)] == [qr.voucher_url(PUBLIC, c) for c in codes]
    with app.app_context():
        batch = db.session.scalars(sa.select(VoucherBatch)).one()
        assert (batch.valid_days, batch.daily_mb, batch.daily_minutes) == (3, 300, 120)


def test_cli_refuses_an_unknown_village(app):
    with app.app_context():
        runner = CliRunner(env=settings_env(settings_of(app)))
        result = runner.invoke(commands[0], ["create", "--village", "64.01.01.2099",
                                             "--count", "2"])  # fmt: skip
    assert result.exit_code == 2
    assert "no village" in result.output


def test_a_full_batch_of_500_cards_renders_quickly_and_every_tenth_decodes():
    import secrets
    import time

    from portal.web import voucher_cards

    codes = ["".join(secrets.choice(vouchers.ALPHABET) for _ in range(10)) for _ in range(500)]
    started = time.perf_counter()
    cards = voucher_cards.cards(VoucherBatch(), codes, PUBLIC)
    assert time.perf_counter() - started < 10
    for card in cards[::10]:
        assert decode_svg(str(card.qr)) == card.url
