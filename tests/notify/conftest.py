"""Fixtures for notifications: the loopback SMTP server and Bot API, an area's settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.domain.notify import channels
from portal.models import NotifySettings
from tests.notify.servers import (
    BOT_TOKEN,
    CHAT_ID,
    MAIL_PASSWORD,
    MAIL_USER,
    BotApi,
    MailBox,
)


@pytest.fixture
def notify_settings(settings: Settings, mailbox: MailBox) -> Settings:
    """The installation's settings trusting the SMTP server's throwaway CA."""
    return replace(settings, ca_file=mailbox.ca_file)


def channel_values(mailbox: MailBox, bot: BotApi, **changes: object) -> channels.SettingsInput:
    """Both channels on, pointing at the loopback servers, with the right secrets."""
    values = channels.SettingsInput(
        email_enabled=True, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_starttls=True,
        smtp_user=MAIL_USER, smtp_password=MAIL_PASSWORD, mail_from="wifidesa@paserkab.go.id",
        mail_to="kominfo@paserkab.go.id, kabid@paserkab.go.id", telegram_enabled=True,
        telegram_token=BOT_TOKEN, telegram_chat_id=CHAT_ID, telegram_api_base=bot.base_url,
        silent_minutes=30, summary_time="17:00",
    )  # fmt: skip
    return replace(values, **changes)


@pytest.fixture
def configure(
    db_session: Session, mailbox: MailBox, bot: BotApi, now
) -> Callable[..., NotifySettings]:
    """``configure(area="64.01", **changes)``: store an area's settings and commit."""

    def make(area: str = "64.01", **changes: object) -> NotifySettings:
        from tests.conftest import TEST_SECRET_KEY

        row = channels.save_settings(
            db_session, area, channel_values(mailbox, bot, **changes),
            master=TEST_SECRET_KEY, now=now,
        )  # fmt: skip
        db_session.commit()
        return row

    return make
