"""The console's notifications page: regency and province admins only, their own area,
secrets never shown back, a test button per channel that says what went wrong."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app, notifier
from portal.config import Settings
from portal.database import db
from portal.domain import keyring
from portal.domain.notify import channels
from portal.models import NotifySettings
from portal.storage import make_engine, make_sessionmaker
from portal.world import World
from tests.admin.conftest import NOW, VILLAGE_A, add_villages, log_in, post
from tests.databases import TEST_SECRET_KEY, database_url, migrated_settings
from tests.notify.servers import (
    BOT_TOKEN,
    CHAT_ID,
    MAIL_PASSWORD,
    MAIL_USER,
    BotApi,
    MailBox,
)


@pytest.fixture
def app(backend: str, tmp_path, mailbox: MailBox) -> Iterator[Flask]:
    """The console trusting the loopback SMTP server's throwaway CA."""
    with database_url(backend, tmp_path) as url:
        settings = migrated_settings(
            tmp_path, url, public_url="https://portal.example.id", ca_file=mailbox.ca_file
        )
        application = create_app(settings)
        with application.app_context():
            add_villages()
            db.session.commit()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def form_data(mailbox: MailBox, bot: BotApi, **changes: str) -> dict[str, str]:
    data = {
        "email_enabled": "y", "smtp_host": "127.0.0.1", "smtp_port": str(mailbox.port),
        "smtp_starttls": "y", "smtp_user": MAIL_USER, "smtp_password": MAIL_PASSWORD,
        "mail_from": "wifidesa@paserkab.go.id", "mail_to": "kominfo@paserkab.go.id",
        "telegram_enabled": "y", "telegram_token": BOT_TOKEN, "telegram_chat_id": CHAT_ID,
        "telegram_api_base": bot.base_url, "silent_minutes": "30", "summary_time": "17:00",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def stored(app: Flask, area: str = "64.01") -> NotifySettings | None:
    with app.app_context():
        row = channels.settings_for(db.session, area)
        if row is not None:
            db.session.expunge(row)
        return row


@pytest.fixture
def officer(app: Flask, make_admin, client: FlaskClient) -> FlaskClient:
    log_in(client, make_admin("kominfo", "regency", "64.01"))
    return client


def test_an_officer_sets_the_channels_and_never_sees_the_secrets_again(
    officer: FlaskClient, app: Flask, mailbox: MailBox, bot: BotApi
) -> None:
    saved = post(officer, "/admin/notifications", form_data(mailbox, bot))
    page = officer.get("/admin/notifications").get_data(as_text=True)

    assert saved.status_code == 302
    row = stored(app)
    assert row.email_enabled and row.telegram_enabled and row.summary_time == "17:00"
    assert MAIL_PASSWORD not in row.smtp_password_sealed and BOT_TOKEN not in (
        row.telegram_token_sealed
    )
    assert keyring.unseal(TEST_SECRET_KEY, channels.PURPOSE, row.smtp_password_sealed) == (
        MAIL_PASSWORD
    )
    assert MAIL_PASSWORD not in page and BOT_TOKEN not in page
    assert page.count("Tersimpan. Kosongkan untuk tetap memakainya.") == 2
    assert "WITA" in page
    # Saving again without the secrets keeps them.
    keep = form_data(mailbox, bot, smtp_password="", telegram_token="", silent_minutes="45")
    post(officer, "/admin/notifications", keep)
    again = stored(app)
    assert again.silent_minutes == 45
    assert again.smtp_password_sealed == row.smtp_password_sealed


def test_the_test_buttons_send_a_message_on_each_channel(
    officer: FlaskClient, mailbox: MailBox, bot: BotApi
) -> None:
    post(officer, "/admin/notifications", form_data(mailbox, bot))

    mail = post(officer, "/admin/notifications/test", {"channel": "email"}, follow_redirects=True)
    chat = post(officer, "/admin/notifications/test", {"channel": "telegram"},
                follow_redirects=True)  # fmt: skip
    unknown = post(officer, "/admin/notifications/test", {"channel": "sms"})

    assert "Pesan uji terkirim lewat E-mail." in mail.get_data(as_text=True)
    assert "Pesan uji terkirim lewat Telegram." in chat.get_data(as_text=True)
    assert unknown.status_code == 400
    assert mailbox.subjects() == ["Pesan uji Wifi Desa"]
    assert "Kabupaten Paser" in mailbox.bodies()[0]
    assert bot.texts()[0].startswith("Pesan uji Wifi Desa\n")


@pytest.mark.parametrize(
    ("changes", "channel", "words"),
    [
        ({"smtp_password": "sandi-yang-salah"}, "email",
         "Server SMTP menolak login: nama pengguna atau kata sandi salah."),
        ({"smtp_port": "1"}, "email", "Server SMTP tidak dapat dihubungi."),
        ({"telegram_chat_id": "-100999"}, "telegram",
         "Telegram menolak chat ini: ID chat salah atau bot belum dimasukkan ke grup."),
        ({"telegram_token": "987654321:AAE-token-yang-tidak-dikenal-000"}, "telegram",
         "Telegram tidak mengenal token bot ini."),
    ],
)  # fmt: skip
def test_a_failing_test_message_says_why_in_words(
    officer: FlaskClient, mailbox: MailBox, bot: BotApi, changes: dict, channel: str, words: str
) -> None:
    post(officer, "/admin/notifications", form_data(mailbox, bot, **changes))

    answer = post(officer, "/admin/notifications/test", {"channel": channel},
                  follow_redirects=True)  # fmt: skip

    page = answer.get_data(as_text=True)
    assert "Pesan uji lewat" in page and "gagal" in page
    assert words in page
    assert mailbox.messages == [] and bot.messages == []


def test_a_test_message_on_an_untrusted_certificate_is_refused(
    app: Flask, officer: FlaskClient, mailbox: MailBox, bot: BotApi
) -> None:
    post(officer, "/admin/notifications", form_data(mailbox, bot))
    app.extensions["wifidesa.settings"] = replace(app.extensions["wifidesa.settings"], ca_file="")

    answer = post(officer, "/admin/notifications/test", {"channel": "email"},
                  follow_redirects=True)  # fmt: skip

    assert "Koneksi aman (STARTTLS) gagal" in answer.get_data(as_text=True)
    assert mailbox.logins == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"telegram_api_base": "http://bot.example.net"}, "Alamat Bot API harus diawali https://."),
        ({"silent_minutes": "5"}, "Isi antara 15 dan 10080 menit (7 hari)."),
        ({"summary_time": "25:00"}, "Tulis jam sebagai JJ:MM, mis. 17:00."),
        ({"mail_to": "kominfo@paserkab.go.id, bukan-alamat"}, "Alamat e-mail tidak sah."),
        ({"smtp_starttls": ""}, "Login SMTP hanya lewat STARTTLS"),
        ({"telegram_token": "<script>alert(1)</script>"}, "Token bot berbentuk 123456789:ABC"),
    ],
)  # fmt: skip
def test_a_bad_field_is_shown_back_with_its_reason(
    officer: FlaskClient, app: Flask, mailbox: MailBox, bot: BotApi, changes: dict, words: str
) -> None:
    answer = post(officer, "/admin/notifications", form_data(mailbox, bot, **changes))

    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert words in page
    assert "<script>alert(1)</script>" not in page
    assert stored(app) is None


def test_village_admins_have_no_notifications_page(
    app: Flask, make_admin, client: FlaskClient
) -> None:
    log_in(client, make_admin("operator", "village", VILLAGE_A))

    assert client.get("/admin/notifications").status_code == 403
    assert post(client, "/admin/notifications/test", {"channel": "email"}).status_code == 403


def test_another_areas_settings_cannot_be_read_changed_or_tried(
    app: Flask, officer: FlaskClient, mailbox: MailBox, bot: BotApi
) -> None:
    with app.app_context():
        channels.save_settings(db.session, "64.02", channels.SettingsInput(
            telegram_enabled=True, telegram_token=BOT_TOKEN, telegram_chat_id=CHAT_ID,
            telegram_api_base=bot.base_url), master=TEST_SECRET_KEY, now=NOW)  # fmt: skip
        db.session.commit()

    for area in ("64.02", "64", "64.01.01", VILLAGE_A, "99.99"):
        assert officer.get(f"/admin/notifications?area={area}").status_code == 404
        saved = post(officer, f"/admin/notifications?area={area}", form_data(mailbox, bot))
        tried = post(officer, f"/admin/notifications/test?area={area}", {"channel": "telegram"})
        assert (saved.status_code, tried.status_code) == (404, 404)
    assert stored(app, "64.02").telegram_api_base == bot.base_url
    assert stored(app, "64") is None and bot.messages == []


def test_a_province_admin_sets_the_province_and_each_regency(
    app: Flask, make_admin, client: FlaskClient, mailbox: MailBox, bot: BotApi
) -> None:
    log_in(client, make_admin("provinsi", "province", "64"))

    page = client.get("/admin/notifications").get_data(as_text=True)
    saved = post(client, "/admin/notifications?area=64.02", form_data(mailbox, bot))

    assert "Kabupaten Paser" in page and "Kabupaten Kutai Kartanegara" in page
    assert saved.status_code == 302 and stored(app, "64.02") is not None
    assert client.get("/admin/notifications?area=63").status_code == 404


def test_the_list_shows_each_notification_and_its_state(
    app: Flask, officer: FlaskClient, mailbox: MailBox, bot: BotApi
) -> None:
    with app.app_context():
        world = World(db.session, now=NOW, master_key=TEST_SECRET_KEY)
        world.gateway(VILLAGE_A, "samurangau-1", last_seen_at=NOW - timedelta(hours=1))
        db.session.commit()
    post(officer, "/admin/notifications", form_data(mailbox, bot, summary_time=""))
    settings: Settings = app.extensions["wifidesa.settings"]
    engine = make_engine(settings)
    bot.fail_next = 1
    notifier.run_round(make_sessionmaker(engine), settings, NOW)
    engine.dispose()

    page = officer.get("/admin/notifications").get_data(as_text=True)

    assert page.count("Router mati: samurangau-1 (Samurangau)") == 2
    assert 'data-state="sent"' in page and 'data-state="retrying"' in page
    assert "Terkirim" in page and "Dicoba ulang" in page
    assert "Bot API Telegram menjawab dengan galat." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NotifySettings)) == 1
