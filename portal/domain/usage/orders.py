"""Orders for a router: end a hotspot session, or slow it down, as data.

An admin's **Putuskan** and mid-session quota enforcement both end in an order: a
Disconnect-Request, or a CoA-Request with the throttle rate (RFC 5176). The domain only
builds it; the RADIUS side sends it and hands the router's answer back to `apply_answer`.
The session is named the way RouterOS needs to find a hotspot session: User-Name (when a
grant user name was stored; voucher codes never are), Acct-Session-Id and
Framed-IP-Address.

A NAK with Error-Cause 503 (Session-Context-Not-Found) means the router has no such
session: its Stop was lost. The session is closed at once rather than left open until
the stale sweep, so the live list stops showing a device that is gone.
"""

from __future__ import annotations

import ipaddress
from datetime import date, datetime
from typing import NamedTuple, Protocol

from sqlalchemy.orm import Session

from portal.domain import audit
from portal.domain.errors import DomainError
from portal.domain.network.gateways import AccessPoint
from portal.domain.network.policies import PolicyCache
from portal.domain.usage.allowance import DayUsage, compute
from portal.domain.usage.closing import GONE_CAUSE, close
from portal.domain.usage.sessions import SessionRow
from portal.models import AccountingSession, Gateway, RouterOrder, Voucher

DISCONNECT, THROTTLE = "disconnect", "throttle"
ACK, NAK, TIMEOUT, ERROR = "ack", "nak", "timeout", "error"
SESSION_CONTEXT_NOT_FOUND = 503


class OrderRefused(DomainError):
    """No order can be made for this session."""


class SessionNotOpen(OrderRefused):
    """The session already ended (nothing to disconnect)."""


class GatewayUnreachable(OrderRefused):
    """The gateway's source is a network, so there is no single address to send to."""


class Order(NamedTuple):
    """What to send to which gateway about which session.

    ``action`` is "disconnect" or "throttle" (a CoA with a new Mikrotik-Rate-Limit);
    ``attributes`` are (name, value) pairs in the RADIUS dictionary's names. The user
    name exists only in memory when it came from a packet (it may be a voucher code).
    """

    gateway_id: int
    session_id: int
    action: str
    attributes: tuple[tuple[str, object], ...]


class Answer(NamedTuple):
    """The router's answer: "ack", "nak" (with its Error-Cause, if any), "timeout", or
    "error" when the order could not be sent at all."""

    outcome: str
    error_cause: int | None = None


def order_for(
    *,
    gateway_id: int,
    session_id: int,
    acct_session_id: str,
    user_name: str | None,
    framed_ip: str | None,
    action: str = DISCONNECT,
    rate_limit: str | None = None,
) -> Order:
    """The order for one session: the one place its attributes are built."""
    attributes: list[tuple[str, object]] = []
    if user_name:
        attributes.append(("User-Name", user_name))
    attributes.append(("Acct-Session-Id", acct_session_id))
    if framed_ip:
        attributes.append(("Framed-IP-Address", framed_ip))
    if action == THROTTLE:
        attributes.append(("Mikrotik-Rate-Limit", rate_limit or ""))
    return Order(gateway_id, session_id, action, tuple(attributes))


def kick(accounting_session: AccountingSession, gateway: Gateway) -> Order:
    """An admin's order to end an open session of ``gateway``.

    Raises SessionNotOpen when it has ended and GatewayUnreachable when the gateway
    has no single address to send to.
    """
    if accounting_session.stopped_at is not None:
        raise SessionNotOpen(accounting_session.acct_session_id)
    if not single_address(gateway):
        raise GatewayUnreachable(gateway.nas_identifier)
    return order_for(
        gateway_id=gateway.id,
        session_id=accounting_session.id,
        acct_session_id=accounting_session.acct_session_id,
        user_name=accounting_session.user_name,
        framed_ip=accounting_session.framed_ip,
    )


def single_address(gateway: Gateway) -> str | None:
    """The one address a gateway's packets come from, or None when it is a network."""
    network = ipaddress.ip_network(gateway.source_address.strip(), strict=False)
    return str(network.network_address) if network.num_addresses == 1 else None


def apply_answer(
    session: Session, session_id: int, action: str, answer: Answer, *, now: datetime
) -> bool:
    """Take the router's answer to an order of ``action`` about accounting session
    ``session_id`` into account; True when it closed the session (a NAK 503 to a
    Disconnect: the router has no such session). Only flushes."""
    if action != DISCONNECT or answer.error_cause != SESSION_CONTEXT_NOT_FOUND:
        return False
    row = session.get(AccountingSession, session_id)
    if row is None or row.stopped_at is not None:
        return False
    close(row, at=now, cause=GONE_CAUSE)
    session.flush()
    return True


def place(
    session: Session,
    order: Order,
    *,
    requested_by_id: int | None,
    requested_by: str,
    now: datetime,
) -> RouterOrder:
    """Note an order as on its way (for any worker to show); only flushes."""
    placed = RouterOrder(
        gateway_id=order.gateway_id,
        accounting_session_id=order.session_id,
        action=order.action,
        requested_at=now,
        requested_by_id=requested_by_id,
        requested_by_label=requested_by[:64],
    )
    session.add(placed)
    session.flush()
    return placed


def record_answer(session: Session, placed: RouterOrder, answer: Answer, *, now: datetime) -> None:
    """Note the router's answer to a placed order, act on it (`apply_answer`) and audit
    it in the name of who asked. ``answer.outcome`` may also be "error" (the order could
    not be sent). Only flushes."""
    placed.outcome, placed.error_cause, placed.answered_at = (
        answer.outcome,
        answer.error_cause,
        now,
    )
    apply_answer(session, placed.accounting_session_id or 0, placed.action, answer, now=now)
    gateway = session.get(Gateway, placed.gateway_id)
    audit.record(
        session, now=now, actor=placed.requested_by_label, actor_id=placed.requested_by_id,
        action=f"session.{placed.action}", object_type="accounting_session",
        object_id=placed.accounting_session_id or "-",
        scope_kode=gateway.village_kode if gateway else None, detail=answer.outcome,
    )  # fmt: skip
    session.flush()


class Reported(Protocol):
    """What an accounting report says that an order needs: its gateway's zone, and the
    user name the router knows the session by (in memory only: it may be a code)."""

    @property
    def point(self) -> AccessPoint: ...

    @property
    def user_name(self) -> str | None: ...


def for_spent_allowances(
    session: Session,
    touched: dict[tuple[str, date, str], list[tuple[SessionRow, Reported]]],
    totals: dict[tuple[str, date, str], tuple[int, int]],
    policies: PolicyCache,
    now: datetime,
) -> list[Order]:
    """Orders for the open sessions of devices whose allowance the batch used up: a
    Disconnect, or a CoA with the throttle rate where the policy throttles.

    ``totals`` are the device-days' bytes and seconds after the batch (`UsageBatch.totals`).
    The user name in an order comes from the packet and lives in memory only.
    """
    found = []
    for key, entries in touched.items():
        used_bytes, used_seconds = totals.get(key, (0, 0))
        row, report = entries[-1]
        voucher = None
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id, populate_existing=True)
        left = compute(
            policies.get(session, key[0]),
            DayUsage(used_bytes, used_seconds, None, row.voucher_id),
            voucher,
            now=now,
            timezone=report.point.timezone,
        )
        if not left.exhausted:
            continue
        action = THROTTLE if left.throttled else DISCONNECT
        seen = set()
        for row, report in entries:
            if row.id in seen:
                continue
            seen.add(row.id)
            found.append(
                order_for(
                    gateway_id=row.gateway_id,
                    session_id=row.id,
                    acct_session_id=row.acct_session_id,
                    user_name=report.user_name,
                    framed_ip=row.framed_ip,
                    action=action,
                    rate_limit=left.rate_limit,
                )
            )
    return found
