"""``wifidesa notify`` runs one round against the installation's clock and says what it did."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy.orm import Session

from portal.cli import main
from portal.config import Settings, utcnow
from portal.world import World
from tests.conftest import settings_env
from tests.notify.servers import BotApi, MailBox


def test_notify_runs_a_round_and_a_second_one_sends_nothing(
    test_world: World, db_session: Session, configure: Callable, settings: Settings,
    mailbox: MailBox, bot: BotApi,
) -> None:  # fmt: skip
    test_world.gateway("64.01.01.2009", "samurangau-1", last_seen_at=utcnow() - timedelta(hours=2))
    db_session.commit()
    configure(summary_time="")
    runner = CliRunner(env={**settings_env(settings), "WIFIDESA_CA_FILE": mailbox.ca_file})

    first = runner.invoke(main, ["notify"], catch_exceptions=False)
    second = runner.invoke(main, ["notify"], catch_exceptions=False)

    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "queued 2, sent 2, retrying 0, failed 0"
    assert second.stdout.strip() == "queued 0, sent 0, retrying 0, failed 0"
    assert len(mailbox.messages) == 1 and len(bot.messages) == 1


def test_notify_help_explains_itself(settings: Settings) -> None:
    result = CliRunner(env=settings_env(settings)).invoke(main, ["notify", "--help"])

    assert result.exit_code == 0
    assert "once" in result.stdout and "--every" in result.stdout
