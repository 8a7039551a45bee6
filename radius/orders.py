"""Sending the domain's orders (`portal.domain.usage.orders`) to a gateway.

Quota enforcement sends from the RADIUS server (radius/enforcement.py); an admin's
**Putuskan** is sent from the portal through `send_kick`, the one piece of radius/ the
portal is handed (`portal.admin.coa` records the answer with
`portal.domain.usage.orders.record_answer`). Either way the packet is a
Disconnect-Request or CoA-Request built from the order's attributes (radius/coa.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from pyrad.dictionary import Dictionary

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
