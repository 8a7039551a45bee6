"""The notification worker against a real SMTP server and a fake Bot API on loopback:
each event told once, a failing channel retried, no personal data in any message."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from portal import notifier
from portal.config import Settings
from portal.domain.notify import outbox
from portal.models import Gateway, Notification
from portal.world import World
from tests.notify.servers import BotApi, MailBox

NOW = datetime(2026, 11, 22, 3, 0)  # 11.00 WITA
MACS = ("AA:BB:CC:00:11:22", "aa-bb-cc-00-11-33")
IPS = ("10.5.50.23", "10.5.50.24")


def run(sessions: sessionmaker, settings: Settings, at: datetime) -> notifier.RoundResult:
    return notifier.run_round(sessions, settings, at)


def states(session: Session) -> list[tuple[str, str, str, int, str | None]]:
    session.expire_all()
    rows = session.execute(
        sa.select(Notification.kind, Notification.channel, Notification.state,
                  Notification.attempts, Notification.last_error)
        .order_by(Notification.id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


def test_a_silent_gateway_is_told_once_on_both_channels(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW - timedelta(minutes=45))
    test_world.gateway("64.01.01.2010", "busui-1", last_seen_at=NOW - timedelta(minutes=10))
    db_session.commit()
    configure()

    first = run(sessions, notify_settings, NOW)
    second = run(sessions, notify_settings, NOW + timedelta(minutes=1))
    third = run(sessions, notify_settings, NOW + timedelta(minutes=2))

    assert (first.queued, first.sent) == (2, 2)
    assert (second.queued, second.sent, third.queued, third.sent) == (0, 0, 0, 0)
    assert mailbox.subjects() == ["Router mati: samurangau-1, Desa Samurangau"]
    assert "sejak 22-11-2026 10.15 WITA" in mailbox.bodies()[0]
    assert mailbox.envelopes == [
        ("wifidesa@paserkab.go.id", ["kominfo@paserkab.go.id", "kabid@paserkab.go.id"])
    ]
    assert [mechanism for mechanism, _user in mailbox.logins] == ["LOGIN"]
    assert len(bot.texts()) == 1 and bot.texts()[0].startswith("Router mati: samurangau-1")
    # busui-1 (10 minutes quiet) is under the 30-minute threshold.
    assert not any("busui" in text for text in mailbox.bodies() + bot.texts())


def test_a_gateway_that_comes_back_is_told_once_and_a_new_silence_again(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    gateway = test_world.gateway("64.01.01.2009", "samurangau-1",
                                 last_seen_at=NOW - timedelta(hours=2))  # fmt: skip
    db_session.commit()
    configure(telegram_enabled=False)
    run(sessions, notify_settings, NOW)
    gateway = db_session.get(Gateway, gateway.id)
    gateway.last_seen_at = NOW + timedelta(minutes=3)
    db_session.commit()

    run(sessions, notify_settings, NOW + timedelta(minutes=4))
    run(sessions, notify_settings, NOW + timedelta(minutes=5))
    # Silent again an hour later: a new event.
    run(sessions, notify_settings, NOW + timedelta(hours=1, minutes=5))

    assert mailbox.subjects() == [
        "Router mati: samurangau-1, Desa Samurangau",
        "Router hidup lagi: samurangau-1, Desa Samurangau",
        "Router mati: samurangau-1, Desa Samurangau",
    ]
    assert (
        "terdengar lagi pada 22-11-2026 11.03 WITA, setelah diam sejak 22-11-2026 09.00"
        in (mailbox.bodies()[1])
    )
    assert "sejak 22-11-2026 11.03 WITA" in mailbox.bodies()[2]


def test_a_failing_channel_is_retried_after_a_backoff_until_it_works(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW - timedelta(hours=1))
    db_session.commit()
    configure()
    bot.fail_next, mailbox.fail_next = 2, 1

    first = run(sessions, notify_settings, NOW)
    early = run(sessions, notify_settings, NOW + timedelta(seconds=30))
    assert states(db_session) == [
        ("gateway_down", "email", "pending", 1, "smtp-error"),
        ("gateway_down", "telegram", "pending", 1, "telegram-error"),
    ]
    second = run(sessions, notify_settings, NOW + timedelta(minutes=1))
    third = run(sessions, notify_settings, NOW + timedelta(minutes=3))

    assert (first.sent, first.retrying) == (0, 2)
    assert (early.sent, early.retrying) == (0, 0)  # not due again before the backoff
    assert (second.sent, second.retrying) == (1, 1)  # mail works now; the bot fails once more
    assert (third.sent, third.retrying) == (1, 0)
    assert len(mailbox.messages) == 1 and len(bot.messages) == 1
    assert states(db_session) == [
        ("gateway_down", "email", "sent", 2, None),
        ("gateway_down", "telegram", "sent", 3, None),
    ]


def test_a_channel_that_never_works_gives_up(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW - timedelta(hours=1))
    db_session.commit()
    configure(email_enabled=False, summary_time="")
    bot.fail_next = 100

    at = NOW
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        run(sessions, notify_settings, at)
        at += timedelta(hours=1)

    assert states(db_session) == [
        ("gateway_down", "telegram", "failed", outbox.MAX_ATTEMPTS, "telegram-error")
    ]
    assert len(bot.requests) == outbox.MAX_ATTEMPTS


def test_a_wrong_smtp_password_is_a_login_error(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, db_session: Session,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW - timedelta(hours=1))
    db_session.commit()
    configure(smtp_password="salah-sandi", telegram_enabled=False)

    result = run(sessions, notify_settings, NOW)

    assert result.errors == ["smtp-auth"]
    assert mailbox.messages == [] and mailbox.logins == []
    assert states(db_session) == [("gateway_down", "email", "pending", 1, "smtp-auth")]


def test_an_untrusted_certificate_is_refused_before_the_password_goes_out(
    test_world: World, configure: Callable, sessions: sessionmaker, settings: Settings,
    mailbox: MailBox, db_session: Session,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW - timedelta(hours=1))
    db_session.commit()
    configure(telegram_enabled=False)

    result = run(sessions, settings, NOW)  # without the throwaway CA

    assert result.errors == ["smtp-tls"]
    assert mailbox.logins == [] and mailbox.messages == []


def test_a_contract_ending_within_30_days_is_told_once(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    soon, later = date(2026, 12, 2), date(2027, 1, 30)
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW,
                       provider="ICON+", programme="BAKTI", contract_end=soon)  # fmt: skip
    test_world.gateway("64.01.01.2010", "busui-1", last_seen_at=NOW,
                       provider="Telkomsat", contract_end=later)  # fmt: skip
    db_session.commit()
    configure(summary_time="", silent_minutes=7 * 24 * 60)

    run(sessions, notify_settings, NOW)
    run(sessions, notify_settings, NOW + timedelta(days=1))

    assert mailbox.subjects() == ["Kontrak internet berakhir: samurangau-1, Desa Samurangau"]
    assert (
        "(penyedia: ICON+, program: BAKTI) berakhir pada 02-12-2026, 10 hari lagi"
        in mailbox.bodies()[0]
    )
    assert len(bot.texts()) == 1


def test_the_daily_summary_goes_out_at_the_areas_local_time_once_a_day(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    gateway = test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=NOW)
    test_world.use(gateway, MACS[0], bytes_=300 * 10**6, seconds=600, sessions=1)  # online
    db_session.commit()
    configure(summary_time="17:00")  # WITA (UTC+8): 09.00 UTC
    before = datetime(2026, 11, 22, 8, 59)
    at = datetime(2026, 11, 22, 9, 0)

    run(sessions, notify_settings, before)
    assert [s for s in mailbox.subjects() if "Ringkasan" in s] == []
    run(sessions, notify_settings, at)
    run(sessions, notify_settings, at + timedelta(hours=3))
    run(sessions, notify_settings, at + timedelta(days=1))

    summaries = [body for body in mailbox.bodies() if body.startswith("Ringkasan harian")]
    assert len(summaries) == 2
    assert summaries[0].startswith("Ringkasan harian Wifi Desa: Kabupaten Paser\n")
    assert "Kabupaten Paser · Minggu 22/11/2026 pukul 17.00 WITA" in summaries[0]
    assert "1 desa aktif" in summaries[0] and "1 pengguna" in summaries[0]
    assert "Senin 23/11/2026 pukul 17.00 WITA" in summaries[1]
    assert sum("Ringkasan harian" in text for text in bot.texts()) == 2


def test_no_message_carries_a_mac_an_ip_or_a_pseudonym(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    gateway = test_world.gateway("64.01.01.2009", "samurangau-1", address=IPS[1],
                                 last_seen_at=NOW - timedelta(hours=1),
                                 contract_end=date(2026, 12, 1))  # fmt: skip
    devices = [test_world.use(gateway, mac, bytes_=10**7, now=NOW - timedelta(hours=2))
               for mac in MACS]  # fmt: skip
    db_session.commit()
    configure(summary_time="10:00")

    run(sessions, notify_settings, NOW)
    gateway = db_session.get(Gateway, gateway.id)
    gateway.last_seen_at = NOW + timedelta(minutes=1)
    db_session.commit()
    run(sessions, notify_settings, NOW + timedelta(minutes=2))

    texts = mailbox.bodies() + bot.texts()
    raw = [m.as_string() for m in mailbox.messages]
    assert {s.split(":")[0] for s in mailbox.subjects()} == {
        "Router mati",
        "Router hidup lagi",
        "Kontrak internet berakhir",
        "Ringkasan harian Wifi Desa",
    }
    secrets = [*MACS, *IPS, *(d.pseudonym for d in devices)]
    hexes = {re.sub(r"[^0-9a-f]", "", mac.lower()) for mac in MACS}
    for text in texts + raw:
        for secret in secrets:
            assert secret.lower() not in text.lower()
        assert not hexes & set(re.findall(r"[0-9a-f]{12}", text.lower()))
    stored = db_session.scalars(sa.select(Notification.params)).all()
    for params in stored:
        assert not any(secret.lower() in params.lower() for secret in secrets)


def test_gateways_that_fall_silent_together_are_told_in_one_message_each_channel(
    test_world: World, configure: Callable, sessions: sessionmaker,
    notify_settings: Settings, mailbox: MailBox, bot: BotApi, db_session: Session,
) -> None:  # fmt: skip
    villages = ["64.01.01.2009", "64.01.01.2010", "64.01.01.2011"]
    for number, kode in enumerate(villages * 6):  # 18 routers, 6 in each village
        test_world.gateway(kode, f"gw-{number:02d}", last_seen_at=NOW - timedelta(hours=1))
    db_session.commit()
    configure(summary_time="")

    result = run(sessions, notify_settings, NOW)

    assert (result.queued, result.sent, result.messages) == (36, 36, 4)
    assert mailbox.subjects() == [
        "15 router mati: Kabupaten Paser",
        "3 router mati: Kabupaten Paser",
    ]
    first = mailbox.bodies()[0].splitlines()
    assert first[1].startswith("• Router gw-00 di Desa Samurangau (Kecamatan Batu Sopang)")
    assert sum(line.startswith("• Router gw-") for line in first) == 15
    assert [text.splitlines()[0] for text in bot.texts()] == mailbox.subjects()
    assert all(len(text) <= 4096 for text in bot.texts())
