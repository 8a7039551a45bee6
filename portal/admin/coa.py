"""The admin side of Disconnect-Request: one function between the view and the CoA client.

The Disconnect-Request itself is `portal.domain.usage.sessions.disconnect` (over the CoA
client in ``radius.coa``); tests put a fake in ``app.config["WIFIDESA_DISCONNECT"]``.
Whatever the client returns is reduced to three outcomes the page shows distinctly:
ACK, NAK with its Error-Cause, TIMEOUT (plus ERROR when no client is installed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from flask import current_app

from portal.admin import now
from portal.database import db
from portal.domain.usage import sessions
from portal.models import AccountingSession, Gateway

OUTCOMES = ("ack", "nak", "timeout", "error")

#: RFC 5176 Error-Cause values an admin may meet, in words.
ERROR_CAUSES = {
    401: "atribut tidak didukung router",
    402: "atribut yang diperlukan tidak ada",
    403: "NAS-Identifier tidak cocok",
    404: "permintaan tidak valid",
    405: "layanan tidak didukung",
    406: "ekstensi tidak didukung",
    407: "nilai atribut tidak valid",
    501: "ditolak secara administratif",
    502: "permintaan tidak dapat diteruskan",
    503: "sesi tidak ditemukan (mungkin sudah terputus)",
    504: "sesi tidak dapat diputus",
    505: "router tidak mendukung permintaan ini",
    506: "sumber daya router habis",
}


@dataclass(frozen=True)
class DisconnectOutcome:
    outcome: str  # one of OUTCOMES
    reason: str = ""


Sender = Callable[..., object]


def _sender() -> Sender:
    configured = current_app.config.get("WIFIDESA_DISCONNECT")
    return configured if configured is not None else _disconnect


def _disconnect(*, gateway: Gateway, session: AccountingSession) -> object:
    return sessions.disconnect(db.session, session, now=now())


def send_disconnect(gateway: Gateway, session: AccountingSession) -> DisconnectOutcome:
    """Ask the gateway to end ``session`` and say how it answered.

    Never raises for network trouble: a missing client or an exception is reported
    as the ``error`` outcome.
    """
    try:
        result = _sender()(gateway=gateway, session=session)
    except sessions.SessionNotOpen:
        return DisconnectOutcome("error", "sesi sudah berakhir")
    except sessions.GatewayUnreachable:
        return DisconnectOutcome("error", "alamat gateway berupa jaringan, bukan satu alamat")
    except Exception as error:
        current_app.logger.warning("disconnect failed: %s", type(error).__name__)
        return DisconnectOutcome("error", type(error).__name__)
    return normalise(result)


def normalise(result: object) -> DisconnectOutcome:
    """Reduce a CoA client's result (object, enum or string) to a DisconnectOutcome."""
    raw = result
    for name in ("outcome", "result", "status", "kind"):
        if hasattr(result, name):
            raw = getattr(result, name)
            break
    if isinstance(raw, Enum):
        raw = raw.name
    outcome = str(raw).lower()
    if outcome not in OUTCOMES:
        return DisconnectOutcome("error", f"jawaban tidak dikenal: {outcome[:40]}")
    cause = getattr(result, "error_cause", None)
    if outcome != "nak":
        return DisconnectOutcome(outcome)
    if isinstance(cause, int):
        return DisconnectOutcome("nak", f"{cause}: {ERROR_CAUSES.get(cause, 'tidak dikenal')}")
    return DisconnectOutcome("nak", str(cause or getattr(result, "reason", "") or ""))
