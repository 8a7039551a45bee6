"""The notification worker: one round finds due events, queues them, sends what is due.

``wifidesa notify`` runs a round (or one every ``--every`` seconds) and the demo runs it
beside the portal. A round first deletes messages older than `outbox.KEEP` and queues
the due events (`outbox.enqueue_due`), in one unit of work; then, batch by batch, it
leases the rows whose time has come and renders them (a unit of work), sends them with
no transaction open (a slow SMTP server holds no lock), and records every outcome (a
unit of work). A crash between a send and its record sends those rows again after the
lease — the only way an event is told twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from portal.adapters import mail, telegram
from portal.adapters.channels import ChannelFailed, tls_context
from portal.config import Settings
from portal.domain import keyring
from portal.domain.network import regions
from portal.domain.notify import channels, events, outbox
from portal.models import NotifySettings
from portal.storage import unit_of_work
from portal.web.notices import Notice, render, render_many

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Senders:
    """How each channel sends a notice (tests may hand in their own)."""

    email: Callable[[channels.EmailChannel, Notice], None]
    telegram: Callable[[channels.TelegramChannel, Notice], None]


def default_senders(settings: Settings) -> Senders:
    """SMTP and the Bot API, trusting the system's CAs plus ``settings.ca_file``."""
    context = tls_context(settings.ca_file)
    return Senders(
        email=lambda channel, notice: mail.send_mail(
            channel, notice.subject, notice.body, context=context
        ),
        telegram=lambda channel, notice: telegram.send_message(
            channel, notice.chat_text, context=context
        ),
    )


def area_name(area_kode: str) -> str:
    """The province's or regency's name (the code when it is not on the list)."""
    try:
        return regions.lookup(area_kode).nama
    except regions.UnknownRegion:
        return area_kode


def send(
    row: NotifySettings, channel: str, notice: Notice, *, master: str, senders: Senders
) -> None:
    """Send ``notice`` on the area's ``channel``. Raises ChannelFailed (``channel-off``
    when the channel is off or incomplete, ``seal-broken`` when its secret cannot be
    opened, or the channel's own reason)."""
    try:
        if channel == channels.EMAIL:
            email = channels.email_channel(row, master)
            if email is None:
                raise ChannelFailed("channel-off", permanent=True)
            senders.email(email, notice)
        else:
            chat = channels.telegram_channel(row, master)
            if chat is None:
                raise ChannelFailed("channel-off", permanent=True)
            senders.telegram(chat, notice)
    except keyring.SealBroken:
        raise ChannelFailed("seal-broken", permanent=True) from None


def test_notice(area_kode: str) -> Notice:
    """The test button's message."""
    return render("test", {}, area_name=area_name(area_kode))


#: Messages of one kind for one area and channel that are due together go out as one
#: message listing them, at most GROUP to a message: a power cut that silences thirty
#: routers is two chat messages, not thirty (a Telegram group takes about twenty a
#: minute from a bot).
GROUP = 15
GROUPED = {events.GATEWAY_DOWN, events.GATEWAY_UP, events.CONTRACT_ENDING}
#: A round claims no new batch after this long; the next round goes on from there.
ROUND_BUDGET_SECONDS = 50.0


@dataclass
class RoundResult:
    """What a round did, in outbox rows (one per event and channel) and messages."""

    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Message:
    ids: tuple[int, ...]
    area: NotifySettings
    channel: str
    notice: Notice


def _claim(session: Session, now: datetime) -> list[_Message]:
    """Lease the due rows and put them into messages (grouped where GROUPED)."""
    groups: dict[tuple[object, ...], list[outbox.Delivery]] = {}
    for item in outbox.claim_due(session, now):
        key = (item.area_kode, item.channel, item.kind)
        groups.setdefault(key if item.kind in GROUPED else (*key, item.id), []).append(item)
    messages = []
    for items in groups.values():
        area = channels.settings_for(session, items[0].area_kode)
        name = area_name(items[0].area_kode)
        for start in range(0, len(items), GROUP):
            chunk = items[start : start + GROUP]
            notice = (
                render(chunk[0].kind, chunk[0].params, area_name=name)
                if len(chunk) == 1
                else render_many(chunk[0].kind, [item.params for item in chunk], area_name=name)
            )
            ids = tuple(item.id for item in chunk)
            messages.append(_Message(ids, area, chunk[0].channel, notice))  # type: ignore[arg-type]
    return messages


def _send_all(
    messages: list[_Message], settings: Settings, senders: Senders
) -> list[tuple[_Message, ChannelFailed | None]]:
    outcomes: list[tuple[_Message, ChannelFailed | None]] = []
    for message in messages:
        try:
            send(message.area, message.channel, message.notice,
                 master=settings.secret_key, senders=senders)  # fmt: skip
        except ChannelFailed as failure:
            log.warning("notifications %s on %s failed: %s",
                        ",".join(map(str, message.ids)), message.channel, failure.code)  # fmt: skip
            outcomes.append((message, failure))
        else:
            outcomes.append((message, None))
    return outcomes


def _record(
    session: Session, outcomes: list[tuple[_Message, ChannelFailed | None]], now: datetime,
    result: RoundResult,
) -> None:  # fmt: skip
    for message, failure in outcomes:
        result.messages += failure is None
        for ident in message.ids:
            if failure is None:
                outbox.record_sent(session, ident, now)
                result.sent += 1
                continue
            state = outbox.record_failure(
                session, ident, failure.code, now, permanent=failure.code == "channel-off"
            )
            result.errors.append(failure.code)
            if state == outbox.FAILED:
                result.failed += 1
            else:
                result.retrying += 1


def run_round(
    factory: sessionmaker, settings: Settings, now: datetime, senders: Senders | None = None
) -> RoundResult:
    """Queue due events and send every message whose time has come; returns the counts.

    Raises SQLAlchemyError when the database fails (what was sent before stays recorded
    as leased, and is sent again after the lease).
    """
    senders = senders or default_senders(settings)
    with unit_of_work(factory) as session:
        outbox.prune(session, now)
        result = RoundResult(queued=outbox.enqueue_due(session, now))
    deadline = time.monotonic() + ROUND_BUDGET_SECONDS
    while time.monotonic() < deadline:
        with unit_of_work(factory) as session:
            messages = _claim(session, now)
        if not messages:
            break
        outcomes = _send_all(messages, settings, senders)
        with unit_of_work(factory) as session:
            _record(session, outcomes, now, result)
    return result
