"""Notification rules without a network: sealed secrets, the summary's local moment in
each zone, settings validation, and an outbox row leased by one worker only."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from portal import messages
from portal.domain import keyring
from portal.domain.notify import channels, events, outbox
from portal.domain.reporting import figures
from portal.models import Notification, NotifySettings
from tests.conftest import TEST_SECRET_KEY

NOW = datetime(2026, 11, 22, 3, 0)


def test_a_sealed_secret_opens_only_under_its_key_and_purpose() -> None:
    sealed = keyring.seal(TEST_SECRET_KEY, "notify-channel-secret", "sandi-smtp")

    assert "sandi-smtp" not in sealed
    assert sealed != keyring.seal(TEST_SECRET_KEY, "notify-channel-secret", "sandi-smtp")
    assert keyring.unseal(TEST_SECRET_KEY, "notify-channel-secret", sealed) == "sandi-smtp"
    with pytest.raises(keyring.SealBroken):
        keyring.unseal("another-installation-key-" + "1" * 40, "notify-channel-secret", sealed)
    with pytest.raises(keyring.SealBroken):
        keyring.unseal(TEST_SECRET_KEY, "grant-password", sealed)
    with pytest.raises(keyring.SealBroken):
        keyring.unseal(TEST_SECRET_KEY, "notify-channel-secret", sealed[:-4] + "AAAA")


@pytest.mark.parametrize(
    ("area", "zone", "utc_hour"),
    [("31", "WIB", 10), ("64.01", "WITA", 9), ("94.71", "WIT", 8), ("15.71", "WIB", 10)],
)
def test_the_summary_is_due_at_the_areas_own_local_time(area: str, zone: str, utc_hour: int):
    row = NotifySettings(scope_kode=area, summary_time="17:00")
    just_before = datetime(2026, 11, 22, utc_hour - 1, 59)
    on_time = datetime(2026, 11, 22, utc_hour, 0)

    assert events.area_timezone(area) == zone
    assert events.summary_due_at(row, on_time) == datetime(2026, 11, 22, 17, 0)
    assert events.summary_due_at(NotifySettings(scope_kode=area, summary_time=None), NOW) is None
    local_before = events.summary_due_at(row, just_before)
    assert local_before == datetime(2026, 11, 22, 17, 0)  # due later that local day


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"silent_minutes": 14}, "silent_minutes", "silent-range"),
        ({"summary_time": "7:00"}, "summary_time", "time"),
        ({"smtp_host": "http://smtp.example.id"}, "smtp_host", "host"),
        ({"mail_from": "bukan alamat"}, "mail_from", "address"),
        ({"email_enabled": True, "smtp_host": ""}, "smtp_host", "required"),
        ({"smtp_user": "u", "smtp_starttls": False}, "smtp_starttls", "login-needs-tls"),
        ({"telegram_token": "123:short"}, "telegram_token", "token"),
        ({"telegram_chat_id": "grup kantor"}, "telegram_chat_id", "chat"),
        ({"telegram_api_base": "http://10.0.0.5:8081"}, "telegram_api_base", "api-base"),
        ({"telegram_api_base": "https://api.telegram.org/../x y"}, "telegram_api_base",
         "api-base"),
        ({"telegram_enabled": True}, "telegram_token", "required"),
    ],
)  # fmt: skip
def test_settings_refuse_a_bad_field_and_name_it(
    db_session: Session, changes: dict, field: str, code: str
) -> None:
    values = channels.SettingsInput(**changes)

    with pytest.raises(channels.InvalidNotifySettings) as raised:
        channels.save_settings(db_session, "64.01", values, master=TEST_SECRET_KEY, now=NOW)

    assert (raised.value.field, raised.value.code) == (field, f"notify-{code}")
    assert raised.value.code in messages.REFUSALS  # the console has words for it
    assert db_session.scalar(sa.select(sa.func.count()).select_from(NotifySettings)) == 0


@pytest.mark.parametrize("area", ["64.01.01", "64.01.01.2009", "99", "64.99", ""])
def test_only_provinces_and_regencies_have_settings(db_session: Session, area: str) -> None:
    with pytest.raises(ValueError, match="not a province or regency"):
        channels.save_settings(db_session, area, channels.SettingsInput(),
                               master=TEST_SECRET_KEY, now=NOW)  # fmt: skip


def test_a_row_is_leased_by_one_worker_only(sessions: sessionmaker) -> None:
    with sessions() as session:
        session.add(
            Notification(
                scope_kode="64.01", channel="email", event_key="gateway_down:1:x",
                kind="gateway_down", params="{}", state="pending", attempts=0,
                next_attempt_at=NOW, created_at=NOW,
            )
        )  # fmt: skip
        session.commit()

    with sessions() as first, sessions() as second:
        leased = outbox.claim_due(first, NOW)
        first.commit()
        again = outbox.claim_due(second, NOW)
        second.commit()
    with sessions() as later:
        after_lease = outbox.claim_due(later, NOW + outbox.LEASE)

    assert [d.id for d in leased] == [1] and again == []
    assert [d.id for d in after_lease] == [1]  # a worker that died mid-send: sent again


def test_old_messages_are_deleted_and_pending_ones_kept(sessions: sessionmaker) -> None:
    old, recent = NOW - outbox.KEEP - timedelta(days=1), NOW - timedelta(days=1)
    with sessions() as session:
        for key, state, created in [("a", "sent", old), ("b", "failed", old),
                                    ("c", "pending", old), ("d", "sent", recent)]:  # fmt: skip
            session.add(
                Notification(
                    scope_kode="64.01", channel="email", event_key=key, kind="gateway_down",
                    params="{}", state=state, attempts=1, next_attempt_at=created,
                    created_at=created,
                )
            )  # fmt: skip
        session.commit()
        deleted = outbox.prune(session, NOW)
        session.commit()
        left = session.scalars(sa.select(Notification.event_key).order_by("event_key")).all()

    assert deleted == 2 and left == ["c", "d"]


@pytest.mark.parametrize(("minutes", "told"), [(20, False), (25, False), (26, True)])
def test_the_shortest_silence_waits_until_the_reports_say_down(minutes: int, told: bool):
    """With the shortest setting (15 minutes) an officer hears of a router only once the
    reports show it down: one heartbeat lost on a satellite link is not an outage."""
    now = datetime(2026, 12, 6, 12, 0)
    last = now - timedelta(minutes=minutes)
    state = figures.GatewayState(
        id=1, nas_identifier="desa-a", village_kode="64.01.01.2009", village_name="A",
        district_name="B", timezone="WITA", last_heard=last,
        state=figures.gateway_state(last, now), uptime_pct=100.0,
    )  # fmt: skip
    assert bool(events.silent_gateways([state], 15, now)) is told
