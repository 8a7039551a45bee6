"""The notification worker: one round finds due events, queues them, sends what is due.

``wifidesa notify`` runs a round (or one every ``--every`` seconds) and the demo runs it
beside the portal. A round is two units of work around the sending: the first deletes
messages older than `outbox.KEEP`, queues the events (`outbox.enqueue_due`), leases the
rows whose time has come and renders their text; then each message goes out with no
transaction open (a slow SMTP server holds no lock); the second records every outcome.
A crash between a send and its record sends that one message again after the lease —
the only way an event is told twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from portal.adapters import mail, telegram
from portal.adapters.channels import ChannelFailed, tls_context
from portal.config import Settings
from portal.domain import keyring
from portal.domain.network import regions
from portal.domain.notify import channels, outbox
from portal.models import NotifySettings
from portal.storage import unit_of_work
from portal.web.notices import Notice, render

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


@dataclass
class RoundResult:
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Prepared:
    delivery: outbox.Delivery
    area: NotifySettings
    notice: Notice


def _prepare(session: Session, now: datetime) -> tuple[int, list[_Prepared]]:
    outbox.prune(session, now)
    queued = outbox.enqueue_due(session, now)
    prepared = []
    for delivery in outbox.claim_due(session, now):
        area = channels.settings_for(session, delivery.area_kode)
        notice = render(delivery.kind, delivery.params, area_name=area_name(delivery.area_kode))
        prepared.append(_Prepared(delivery, area, notice))  # type: ignore[arg-type]
    return queued, prepared


def run_round(
    factory: sessionmaker, settings: Settings, now: datetime, senders: Senders | None = None
) -> RoundResult:
    """Queue due events and send every message whose time has come; returns the counts.

    Raises SQLAlchemyError when the database fails (what was sent before stays recorded
    as leased, and is sent again after the lease).
    """
    senders = senders or default_senders(settings)
    with unit_of_work(factory) as session:
        queued, prepared = _prepare(session, now)
    outcomes: list[tuple[int, ChannelFailed | None]] = []
    for item in prepared:
        try:
            send(item.area, item.delivery.channel, item.notice,
                 master=settings.secret_key, senders=senders)  # fmt: skip
        except ChannelFailed as failure:
            log.warning("notification %d on %s failed: %s",
                        item.delivery.id, item.delivery.channel, failure.code)  # fmt: skip
            outcomes.append((item.delivery.id, failure))
        else:
            outcomes.append((item.delivery.id, None))
    result = RoundResult(queued=queued)
    with unit_of_work(factory) as session:
        for ident, failure in outcomes:
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
    return result
