"""The channel adapters' own refusals, before anything leaves this machine."""

from __future__ import annotations

import ssl

import pytest

from portal.adapters import telegram
from portal.adapters.channels import ChannelFailed
from portal.domain.notify.channels import TelegramChannel
from tests.notify.servers import BOT_TOKEN, CHAT_ID


@pytest.mark.parametrize(
    "base",
    ["http://10.0.0.5:8081", "http://localhost.example.net", "ftp://127.0.0.1", "file:///etc"],
)
def test_the_bot_token_never_travels_in_the_clear_to_another_machine(base: str) -> None:
    with pytest.raises(ChannelFailed) as refused:
        telegram.send_message(
            TelegramChannel(base, BOT_TOKEN, CHAT_ID), "uji", context=ssl.create_default_context()
        )

    assert refused.value.code == "telegram-error" and refused.value.permanent


def test_a_bot_api_that_does_not_answer_is_a_connection_error(unused_port: int) -> None:
    channel = TelegramChannel(f"http://127.0.0.1:{unused_port}", BOT_TOKEN, CHAT_ID)

    with pytest.raises(ChannelFailed) as failed:
        telegram.send_message(channel, "uji", context=ssl.create_default_context())

    assert failed.value.code == "telegram-connect" and not failed.value.permanent


@pytest.fixture
def unused_port() -> int:
    from tests.notify.servers import free_port

    return free_port()
