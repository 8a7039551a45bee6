"""Must show (issue 14): a Diskominfo officer's whole day in headless Chromium, with no
command line after the first admin exists.

Log in with TOTP; add a village by searching its name; add its gateway with inventory;
set the regency policy from the satellite preset and override the village; download the
router script; see the gateway come alive after simulated traffic (a phone's login
played by `portal.simulator` through the router pages, the portal and a real RADIUS
server on loopback, with accounting; and the heartbeat with the script's token);
create an API token and download the Satu Data CSV (the bytes the API gives that
token); set the notification channels and try
them; then receive the down-alert, the contract notice and the daily summary on the
loopback SMTP server and the fake Bot API.

The notification worker is the one `wifidesa notify --every 60` (and the demo) runs;
the test runs its rounds with the clock moved forward, as the hours pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pyotp
import pytest
from flask import Flask

from portal import create_app, notifier, simulator
from portal.config import Settings, utcnow
from portal.database import db
from portal.domain import clock
from portal.domain.accounts import admins, logins
from portal.domain.network import regions
from portal.storage import make_engine, make_sessionmaker
from radius.server import start
from tests.admin.browser import chromium, live_server, needs_chromium
from tests.databases import database_url, migrated_settings
from tests.notify.servers import (
    BOT_TOKEN,
    CHAT_ID,
    MAIL_PASSWORD,
    MAIL_USER,
    BotApi,
    MailBox,
)
from tests.radius.process import free_port_pair

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]

LEGAI = "64.01.01.2012"  # Legai, Kecamatan Batu Sopang, Kabupaten Paser (WITA)
NAS_ID = "legai-1"
PASSWORD = "kata-sandi-kominfo-paser"
mac_like = re.compile(r"(?i)\b[0-9a-f]{2}([:-][0-9a-f]{2}){5}\b")


@pytest.fixture
def installation(backend: str, tmp_path, mailbox: MailBox) -> Iterator[Flask]:
    """A new installation: an empty regency, and the first admin (what `wifidesa admin
    create` leaves behind), whose authenticator app is already set up."""
    with database_url(backend, tmp_path) as url:
        settings = migrated_settings(
            tmp_path, url, public_url="http://127.0.0.1:8080", ca_file=mailbox.ca_file
        )
        app = create_app(settings)
        with app.app_context():
            officer = admins.create_admin(
                db.session, "kominfo-paser", role="regency", scope="64.01",
                password=PASSWORD, now=utcnow(),
            )  # fmt: skip
            officer.totp_secret = logins.new_totp_secret()
            db.session.commit()
            app.config["TEST_TOTP"] = officer.totp_secret
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def worker_rounds(started: datetime) -> tuple[datetime, datetime]:
    """When the worker's two rounds run: the first once the gateway (heard within a minute
    or so of ``started``) has been silent for more than the 30-minute threshold, the
    second ten minutes later, just after the summary time (five minutes after the first).
    Both on one local day: a summary time earlier in the day than the first round would
    make the summary due at once."""
    down = started + timedelta(minutes=35)
    local = clock.to_local(down, "WITA")
    if local.hour == 23 and local.minute >= 40:
        midnight = clock.day_end(local.date(), "WITA")
        down = midnight + timedelta(minutes=1)
    return down, down + timedelta(minutes=10)


def fetch(url: str, *, data: bytes | None = None, bearer: str = "") -> tuple[int, bytes]:
    """What a router or a dashboard would ask of the portal on loopback: status and body."""
    assert url.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    with urlopen(Request(url, data=data, headers=headers), timeout=10) as answer:  # noqa: S310
        return answer.status, answer.read()


def submit(page) -> None:
    page.click("main form.card button[type=submit]")


def test_an_officers_whole_day_in_the_console(
    installation: Flask, mailbox: MailBox, bot: BotApi
) -> None:
    app = installation
    settings: Settings = app.extensions["wifidesa.settings"]
    village = regions.lookup(LEGAI).nama
    contract_end = clock.local_day(utcnow(), "WITA") + timedelta(days=20)
    started = utcnow()
    down_round, summary_round = worker_rounds(started)
    summary_time = f"{clock.to_local(down_round + timedelta(minutes=5), 'WITA'):%H:%M}"

    with live_server(app) as base, chromium() as browser:
        # The installation's public address is where the portal listens (a free port).
        settings = replace(settings, public_url=base)
        app.extensions["wifidesa.settings"] = settings
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

        # Morning: log in with the password and the authenticator's code.
        page.goto(f"{base}/admin/login")
        page.fill("#username", "kominfo-paser")
        page.fill("#password", PASSWORD)
        submit(page)
        page.wait_for_url(f"{base}/admin/login/totp")
        page.fill("#code", pyotp.TOTP(app.config["TEST_TOTP"]).now())
        submit(page)
        page.wait_for_url(f"{base}/admin/")

        # A new village: search the official list by name, pick the right namesake.
        page.goto(f"{base}/admin/villages/search")
        page.fill("#q", village)
        page.press("#q", "Enter")
        result = page.locator(f"[data-testid=search-results] li[data-kode='{LEGAI}']")
        assert "Batu Sopang" in result.inner_text() and "Paser" in result.inner_text()
        result.locator("a.button").click()
        assert village in page.input_value("#ssid")  # proposed from the name
        assert page.input_value("#timezone") == "WITA"
        submit(page)
        page.wait_for_url(f"{base}/admin/villages")
        assert village in page.inner_text("main")

        # Its gateway, with the inventory: a BAKTI satellite link ending in 20 days.
        page.goto(f"{base}/admin/gateways/new")
        page.select_option("#village", LEGAI)
        page.fill("#nas_identifier", NAS_ID)
        page.fill("#source_address", "127.0.0.1")
        page.fill("#hotspot_host", "10.5.50.1")
        page.fill("#provider", "Telkomsat")
        page.select_option("#backhaul_class", "satellite")
        page.fill("#contracted_mbps", "4")
        page.fill("#programme", "BAKTI")
        page.fill("#contract_end", contract_end.isoformat())
        submit(page)
        secret = page.inner_text("[data-testid=gateway-secret]").strip()
        assert len(secret) >= 24

        # The router script, with the secret shown a moment ago.
        with page.expect_download() as download:
            page.click("text=Unduh skrip RouterOS (.rsc)")
        script = (download.value.path()).read_text(encoding="utf-8")
        assert secret in script and NAS_ID in script
        heartbeat_token = re.search(r'token=([^"\\\s]+)', script).group(1)

        # Fair use: the regency default from the satellite preset, one village override.
        page.goto(f"{base}/admin/policies/regency/64.01")
        page.click("a[data-preset=satellite]")
        page.wait_for_selector("[data-testid=preset-filled]")
        assert page.input_value("#rate_limit") == "256k/1M"
        page.locator("main form.card button[type=submit]").last.click()
        page.goto(f"{base}/admin/policies/village/{LEGAI}")
        page.fill("#daily_mb", "300")
        page.locator("main form.card button[type=submit]").last.click()
        page.goto(f"{base}/admin/policies")
        row = page.locator(f"[data-testid=effective-policies] tr[data-kode='{LEGAI}']")
        assert row.locator("[data-field=daily_mb]").get_attribute("data-source") == "village"
        assert row.locator("[data-field=rate_limit]").get_attribute("data-source") == "regency"
        assert "256k/1M" in row.inner_text()

        # The router installed with the script: its RADIUS accounting and its heartbeat.
        page.goto(f"{base}/admin/gateways")
        assert page.get_attribute("[data-state]", "data-state") == "never"
        port = free_port_pair()
        server = start(settings, "127.0.0.1", port, port + 1, reject_delay=0.0)
        try:
            # A phone on the village Wi-Fi, played by the simulator against the router
            # pages, the portal and the RADIUS server: a login, then 60 MB over 12 minutes.
            phone = simulator.Options(nas_id=NAS_ID, secret=secret, portal=base,
                                      radius_port=port, bytes=60_000_000, minutes=12)  # fmt: skip
            said: list[str] = []
            assert simulator.run(phone, said.append) == 0, "\n".join(said)
        finally:
            server.stop()
        # A new gateway's page lives on the router, which holds none yet: fetch them.
        beat = f"token={heartbeat_token}&pages=".encode()
        status, answer = fetch(f"{base}/mt/{NAS_ID}/heartbeat", data=beat)
        assert status == 200 and re.fullmatch(rb"fetch [0-9a-f]{12}", answer), answer
        page.reload()
        assert page.get_attribute("[data-state]", "data-state") == "up"
        assert "aktif" in page.inner_text("main table")

        # An API token for the province's Satu Data portal, shown once.
        page.goto(f"{base}/admin/tokens")
        page.select_option("#area", "64.01")
        page.fill("#label", "Satu Data Kaltim")
        page.click("main form.card button[type=submit]")
        token = page.inner_text("[data-testid=token-value]").strip()
        page.reload()
        assert token not in page.content() and "Satu Data Kaltim" in page.content()

        # The Satu Data CSV for the regency, from the report pages — the same bytes the
        # API gives that token. The open variant hides the one phone's figures (fewer
        # than 5 devices); the internal one counts them.
        def export(variant: str) -> list[dict[str, str]]:
            page.goto(f"{base}/reports/unduh")
            page.select_option("#scope", "64.01")
            page.check("input[name=format][value=csv]")
            page.check(f"input[name=variant][value={variant}]")
            with page.expect_download() as download:
                page.click("[data-testid=export-form] button[type=submit]")
            data = download.value.path().read_bytes()
            query = urlsplit(download.value.url).query
            assert fetch(f"{base}/api/v1/usage?{query}", bearer=token) == (200, data)
            text = data.decode("utf-8-sig")
            assert not mac_like.search(text)
            rows = csv.DictReader(io.StringIO(text))
            return [row for row in rows if row["kode_desa_kelurahan"] == LEGAI]

        (open_row,) = export("open")
        assert open_row["nama_desa_kelurahan"] == village
        assert open_row["nama_kecamatan"] == "Batu Sopang"
        assert open_row["devices"] == open_row["bytes_down"] == ""
        (exact,) = export("internal")
        assert exact["devices"] == "1" and exact["sessions"] == "1"
        assert int(exact["bytes_down"]) + int(exact["bytes_up"]) >= 60_000_000

        # Where to hear about trouble: e-mail and the office's Telegram group.
        page.goto(f"{base}/admin/")
        page.click("header nav >> text=Pemberitahuan")
        page.check("#email_enabled")
        page.fill("#smtp_host", "127.0.0.1")
        page.fill("#smtp_port", str(mailbox.port))
        page.fill("#smtp_user", MAIL_USER)
        page.fill("#smtp_password", MAIL_PASSWORD)
        page.fill("#mail_from", "wifidesa@paserkab.go.id")
        page.fill("#mail_to", "kominfo@paserkab.go.id")
        page.check("#telegram_enabled")
        page.fill("#telegram_token", BOT_TOKEN)
        page.fill("#telegram_chat_id", CHAT_ID)
        page.fill("#telegram_api_base", bot.base_url)
        page.fill("#silent_minutes", "30")
        page.fill("#summary_time", summary_time)
        page.click("[data-testid=notify-form] button[type=submit]")
        assert "Pengaturan pemberitahuan disimpan." in page.inner_text("[data-testid=flash]")
        assert MAIL_PASSWORD not in page.content() and BOT_TOKEN not in page.content()
        page.click("[data-testid=test-email]")
        assert "Pesan uji terkirim lewat E-mail." in page.inner_text("[data-testid=flash]")
        page.click("[data-testid=test-telegram]")
        assert "Pesan uji terkirim lewat Telegram." in page.inner_text("[data-testid=flash]")

        # The afternoon: the link drops. The worker's rounds as the clock moves on.
        engine = make_engine(settings)
        try:
            rounds = make_sessionmaker(engine)
            silent = notifier.run_round(rounds, settings, down_round)
            summary = notifier.run_round(rounds, settings, summary_round)
            again = notifier.run_round(rounds, settings, summary_round + timedelta(minutes=4))
        finally:
            engine.dispose()
        assert (silent.sent, summary.sent, again.sent) == (4, 2, 0)

        page.reload()
        listing = page.inner_text("[data-testid=notifications]")
        assert listing.count("Terkirim") == 6
        assert f"Router mati: {NAS_ID} ({village})" in listing

    subjects = mailbox.subjects()
    assert subjects[0] == "Pesan uji Wifi Desa"
    assert f"Router mati: {NAS_ID}, Desa {village}" in subjects
    assert f"Kontrak internet berakhir: {NAS_ID}, Desa {village}" in subjects
    assert "Ringkasan harian Wifi Desa: Kabupaten Paser" in subjects
    summary_mail = next(b for b in mailbox.bodies() if b.startswith("Ringkasan harian"))
    # Sent by the first round after the chosen time (none at +31 minutes), with the
    # figures of that moment.
    sent_at = clock.to_local(summary_round, "WITA")
    days_left = (contract_end - sent_at.date()).days
    assert f"pukul {sent_at:%H.%M} WITA" in summary_mail
    assert f"1 gateway mati ({village})" in summary_mail
    assert "Kontrak berakhir" in summary_mail and f"{days_left} hari lagi" in summary_mail
    texts = bot.texts()
    assert texts[0].startswith("Pesan uji Wifi Desa")
    assert any(t.startswith(f"Router mati: {NAS_ID}") for t in texts)
    assert any(t.startswith("Ringkasan harian Wifi Desa: Kabupaten Paser") for t in texts)
    assert len(texts) == len(subjects) == 4
