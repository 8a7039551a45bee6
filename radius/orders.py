"""Sending the domain's orders (`portal.domain.usage.orders`) to a gateway.

Quota enforcement sends from the RADIUS server (radius/enforcement.py); an admin's
**Putuskan** is sent from the portal through `disconnect`, the one piece of radius/ the
portal is handed. Either way the packet is a Disconnect-Request or CoA-Request built
from the order's attributes (radius/coa.py), and the answer goes back to the domain.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache

from pyrad.dictionary import Dictionary
from sqlalchemy.orm import Session

from portal.domain.usage import orders
from portal.models import AccountingSession, Gateway
from radius import coa
from radius.decode import load_dictionary

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    return load_dictionary()


def send(
    order: orders.Order,
    *,
    host: str,
    port: int,
    secret: bytes,
    timeout: float = 2.0,
    retries: int = 2,
    dictionary_: Dictionary | None = None,
) -> coa.CoaResult:
    """Send an order to the gateway at ``host``:``port`` and return its answer."""
    return coa.send(
        host=host,
        port=port,
        secret=secret,
        dictionary=dictionary_ or dictionary(),
        disconnect=order.action == orders.DISCONNECT,
        attributes=list(order.attributes),
        timeout=timeout,
        retries=retries,
    )


def answer_of(result: coa.CoaResult) -> orders.Answer:
    """The domain's view of a gateway's answer."""
    return orders.Answer(result.outcome.value, result.error_cause)


def disconnect(
    session: Session,
    accounting_session: AccountingSession,
    *,
    now: datetime,
    timeout: float = 2.0,
    retries: int = 2,
) -> coa.CoaResult:
    """Send an admin's Disconnect-Request for an open session and return the answer.

    After an ACK the router's Stop closes the session; after a NAK 503 (no such session
    on the router) it is closed here at ``now`` (flushed, not committed). Raises
    SessionNotOpen when the session is closed and GatewayUnreachable when the gateway
    has no single address. (The console does the same in two steps: `send_kick` on a
    thread, then `portal.domain.usage.orders.record_answer`.)
    """
    gateway = session.get(Gateway, accounting_session.gateway_id)
    order = orders.kick(accounting_session, gateway)
    result = send_kick(
        gateway=gateway, session=accounting_session, timeout=timeout, retries=retries
    )
    orders.apply_answer(session, order, answer_of(result), now=now)
    return result


def send_kick(
    *, gateway: Gateway, session: AccountingSession, timeout: float = 2.0, retries: int = 2
) -> coa.CoaResult:
    """Send the Disconnect-Request of an admin's Putuskan and return the router's answer
    (no database: the sender `portal.admin.coa` hands its orders to). Raises
    SessionNotOpen or GatewayUnreachable (see `portal.domain.usage.orders.kick`)."""
    order = orders.kick(session, gateway)
    result = send(
        order, host=orders.single_address(gateway) or "", port=gateway.coa_port,
        secret=gateway.secret.encode(), timeout=timeout, retries=retries,
    )  # fmt: skip
    log.info("disconnect of session %d: %s", session.id, result.label)
    return result
