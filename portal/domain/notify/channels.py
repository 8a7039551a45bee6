"""An area's notification settings: channels (e-mail over SMTP, a Telegram chat),
the silence threshold and the daily summary's local time.

Areas are regencies (``64.01``) and provinces (``64``). The SMTP password and the bot
token are kept sealed (`portal.domain.keyring.seal`) and are never handed back to a
page: `form_values` leaves them out, `save_settings` keeps the stored one when the form
sends none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import keyring
from portal.domain.errors import DomainError
from portal.domain.network import regions
from portal.models import NotifySettings

PURPOSE = "notify-channel-secret"
EMAIL, TELEGRAM = "email", "telegram"
CHANNELS = (EMAIL, TELEGRAM)
TELEGRAM_API = "https://api.telegram.org"
MIN_SILENT_MINUTES, MAX_SILENT_MINUTES = 15, 7 * 24 * 60

_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_ADDRESS = re.compile(r"^[^@\s,;<>\"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_CHAT = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
# A bot token is "<bot id>:<35 characters>"; it goes into the request path.
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,80}$")
# The Bot API over HTTPS; plain http only to this machine (a local relay, the tests' fake).
_API_BASE = re.compile(
    r"^(https://[A-Za-z0-9.-]+(:\d{1,5})?|http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?)"
    r"(/[A-Za-z0-9._~/-]*)?$"
)


#: Reason code (without its ``notify-`` prefix) → a one-line English reason for the log.
_REASONS = {
    "silent-range": f"must be {MIN_SILENT_MINUTES}-{MAX_SILENT_MINUTES} minutes",
    "time": "not a local time HH:MM",
    "host": "not a host name",
    "port": "not a port 1-65535",
    "address": "not an e-mail address",
    "login-needs-tls": "an SMTP login needs STARTTLS",
    "required": "required for an enabled channel",
    "token": "not a bot token",
    "chat": "not a chat id or @channel",
    "api-base": "the Bot API address must be https:// (http:// only to this machine)",
}


class InvalidNotifySettings(DomainError):
    """A field of the settings is not acceptable; ``field`` names it, ``code``
    (``notify-…``) says why; the console's words live in `portal.messages.REFUSALS`."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {_REASONS[reason]}", code=f"notify-{reason}")
        self.field = field


@dataclass(frozen=True)
class SettingsInput:
    """What an officer sets; empty ``smtp_password``/``telegram_token`` keep the stored one."""

    email_enabled: bool = False
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = ""
    mail_to: str = ""
    telegram_enabled: bool = False
    telegram_token: str = ""
    telegram_chat_id: str = ""
    telegram_api_base: str = TELEGRAM_API
    silent_minutes: int = 30
    summary_time: str = ""


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class TelegramChannel:
    api_base: str
    token: str
    chat_id: str


def is_area(kode: str) -> bool:
    """True for a province (``64``) or regency (``64.01``) code on the official list."""
    if len(kode) not in (2, 5):
        return False
    try:
        return regions.lookup(kode).kode == kode
    except regions.UnknownRegion:
        return False


def settings_for(session: Session, area_kode: str) -> NotifySettings | None:
    """The stored settings of ``area_kode``, or None when it has none yet."""
    return session.scalar(sa.select(NotifySettings).where(NotifySettings.scope_kode == area_kode))


def all_settings(session: Session) -> list[NotifySettings]:
    """Every area's settings with at least one channel on, by area code."""
    on = sa.or_(NotifySettings.email_enabled, NotifySettings.telegram_enabled)
    return list(session.scalars(sa.select(NotifySettings).where(on).order_by("scope_kode")))


def form_values(row: NotifySettings | None) -> SettingsInput:
    """The stored settings for a form, without the secrets (they are never shown back)."""
    if row is None:
        return SettingsInput()
    return SettingsInput(
        email_enabled=row.email_enabled, smtp_host=row.smtp_host or "", smtp_port=row.smtp_port,
        smtp_starttls=row.smtp_starttls, smtp_user=row.smtp_user or "",
        mail_from=row.mail_from or "", mail_to=row.mail_to or "",
        telegram_enabled=row.telegram_enabled, telegram_chat_id=row.telegram_chat_id or "",
        telegram_api_base=row.telegram_api_base, silent_minutes=row.silent_minutes,
        summary_time=row.summary_time or "",
    )  # fmt: skip


def save_settings(
    session: Session, area_kode: str, values: SettingsInput, *, master: str, now: datetime
) -> NotifySettings:
    """Check ``values`` and store them as ``area_kode``'s settings; returns the row.

    Raises InvalidNotifySettings for the first field that is not acceptable (nothing is
    changed then) and ValueError when ``area_kode`` is not a province or regency.
    """
    if not is_area(area_kode):
        raise ValueError(f"not a province or regency: {area_kode!r}")
    row = settings_for(session, area_kode)
    _check(values, has_password=bool(row and row.smtp_password_sealed),
           has_token=bool(row and row.telegram_token_sealed))  # fmt: skip
    if row is None:
        row = NotifySettings(scope_kode=area_kode, updated_at=now)
        session.add(row)
    row.email_enabled = values.email_enabled
    row.smtp_host = values.smtp_host.strip() or None
    row.smtp_port = values.smtp_port
    row.smtp_starttls = values.smtp_starttls
    row.smtp_user = values.smtp_user.strip() or None
    if values.smtp_password:
        row.smtp_password_sealed = keyring.seal(master, PURPOSE, values.smtp_password)
    if row.smtp_user is None:
        row.smtp_password_sealed = None
    row.mail_from = values.mail_from.strip() or None
    row.mail_to = ", ".join(_recipients(values.mail_to)) or None
    row.telegram_enabled = values.telegram_enabled
    if values.telegram_token:
        row.telegram_token_sealed = keyring.seal(master, PURPOSE, values.telegram_token.strip())
    row.telegram_chat_id = values.telegram_chat_id.strip() or None
    row.telegram_api_base = values.telegram_api_base.strip().rstrip("/") or TELEGRAM_API
    row.silent_minutes = values.silent_minutes
    row.summary_time = values.summary_time.strip() or None
    row.updated_at = now
    session.flush()
    return row


def email_channel(row: NotifySettings, master: str) -> EmailChannel | None:
    """The e-mail channel ready to send, or None when it is off or incomplete.

    Raises keyring.SealBroken when the password was sealed under another secret key.
    """
    if not (row.email_enabled and row.smtp_host and row.mail_from and row.mail_to):
        return None
    password = keyring.unseal(master, PURPOSE, row.smtp_password_sealed) if (
        row.smtp_password_sealed) else ""  # fmt: skip
    return EmailChannel(
        host=row.smtp_host, port=row.smtp_port, starttls=row.smtp_starttls,
        user=row.smtp_user or "", password=password, sender=row.mail_from,
        recipients=tuple(_recipients(row.mail_to)),
    )  # fmt: skip


def telegram_channel(row: NotifySettings, master: str) -> TelegramChannel | None:
    """The Telegram channel ready to send, or None when it is off or incomplete.

    Raises keyring.SealBroken when the token was sealed under another secret key.
    """
    if not (row.telegram_enabled and row.telegram_token_sealed and row.telegram_chat_id):
        return None
    token = keyring.unseal(master, PURPOSE, row.telegram_token_sealed)
    return TelegramChannel(row.telegram_api_base, token, row.telegram_chat_id)


def enabled_channels(row: NotifySettings) -> list[str]:
    """The channels switched on and complete enough to send on."""
    result = []
    if row.email_enabled and row.smtp_host and row.mail_from and row.mail_to:
        result.append(EMAIL)
    if row.telegram_enabled and row.telegram_token_sealed and row.telegram_chat_id:
        result.append(TELEGRAM)
    return result


def _recipients(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


def _check(values: SettingsInput, *, has_password: bool, has_token: bool) -> None:
    if not MIN_SILENT_MINUTES <= values.silent_minutes <= MAX_SILENT_MINUTES:
        raise InvalidNotifySettings("silent_minutes", "silent-range")
    if values.summary_time.strip() and not _TIME.match(values.summary_time.strip()):
        raise InvalidNotifySettings("summary_time", "time")
    host = values.smtp_host.strip()
    if host and not _HOST.match(host):
        raise InvalidNotifySettings("smtp_host", "host")
    if not 1 <= values.smtp_port <= 65535:
        raise InvalidNotifySettings("smtp_port", "port")
    if values.mail_from.strip() and not _ADDRESS.match(values.mail_from.strip()):
        raise InvalidNotifySettings("mail_from", "address")
    if any(not _ADDRESS.match(address) for address in _recipients(values.mail_to)):
        raise InvalidNotifySettings("mail_to", "address")
    if values.smtp_user.strip() and not values.smtp_starttls:
        # A login without STARTTLS would send the password in the clear.
        raise InvalidNotifySettings("smtp_starttls", "login-needs-tls")
    if values.email_enabled:
        if not host:
            raise InvalidNotifySettings("smtp_host", "required")
        if not values.mail_from.strip():
            raise InvalidNotifySettings("mail_from", "required")
        if not _recipients(values.mail_to):
            raise InvalidNotifySettings("mail_to", "required")
        if values.smtp_user.strip() and not (values.smtp_password or has_password):
            raise InvalidNotifySettings("smtp_password", "required")
    token = values.telegram_token.strip()
    if token and not _TOKEN.match(token):
        raise InvalidNotifySettings("telegram_token", "token")
    chat = values.telegram_chat_id.strip()
    if chat and not _CHAT.match(chat):
        raise InvalidNotifySettings("telegram_chat_id", "chat")
    base = values.telegram_api_base.strip().rstrip("/")
    if base and not _API_BASE.match(base):
        raise InvalidNotifySettings("telegram_api_base", "api-base")
    if values.telegram_enabled:
        if not (token or has_token):
            raise InvalidNotifySettings("telegram_token", "required")
        if not chat:
            raise InvalidNotifySettings("telegram_chat_id", "required")
