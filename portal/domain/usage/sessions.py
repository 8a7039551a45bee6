"""Ending a resident's hotspot session from the server side (an admin's "kick").

The portal reaches the router through RADIUS dynamic authorization (RFC 5176), the one
place portal code uses radius/. The session is named by User-Name (when a grant
username was stored; voucher codes never are), Acct-Session-Id and Framed-IP-Address,
which RouterOS needs to find a hotspot session.

A NAK with Error-Cause 503 (Session-Context-Not-Found) means the router has no such
session: its Stop was lost. The session is closed here at once rather than left open
until the stale sweep, so the live list stops showing a device that is gone.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.usage.accounting import GONE_CAUSE, close
from portal.models import AccountingSession, Gateway

log = logging.getLogger(__name__)
SESSION_CONTEXT_NOT_FOUND = 503


class SessionNotOpen(Exception):
    """The session already ended (nothing to disconnect)."""


class GatewayUnreachable(Exception):
    """The gateway's source is a network, so there is no single address to send to."""


def disconnect(
    session: Session,
    accounting_session: AccountingSession,
    *,
    now: datetime,
    timeout: float = 2.0,
    retries: int = 2,
):  # -> radius.coa.CoaResult (imported lazily: radius imports the portal, not the reverse)
    """Send the gateway a Disconnect-Request for an open session and return its answer.

    Returns a `radius.coa.CoaResult`: ACK, NAK with its Error-Cause, or TIMEOUT. After
    an ACK the router's Stop closes the session; after a NAK 503 (no such session on
    the router) it is closed here at ``now`` (flushed, not committed). Raises
    SessionNotOpen when the session is closed and GatewayUnreachable when the gateway
    has no single address.
    """
    from radius import coa
    from radius.decode import load_dictionary

    if accounting_session.stopped_at is not None:
        raise SessionNotOpen(accounting_session.acct_session_id)
    gateway = session.get(Gateway, accounting_session.gateway_id)
    if gateway is None:
        raise GatewayUnreachable("unknown gateway")
    network = ipaddress.ip_network(gateway.source_address.strip(), strict=False)
    if network.num_addresses != 1:
        raise GatewayUnreachable(gateway.nas_identifier)
    attributes: list[tuple[str, object]] = []
    if accounting_session.user_name:
        attributes.append(("User-Name", accounting_session.user_name))
    attributes.append(("Acct-Session-Id", accounting_session.acct_session_id))
    if accounting_session.framed_ip:
        attributes.append(("Framed-IP-Address", accounting_session.framed_ip))
    result = coa.send(
        host=str(network.network_address),
        port=gateway.coa_port,
        secret=gateway.secret.encode(),
        dictionary=load_dictionary(),
        disconnect=True,
        attributes=attributes,
        timeout=timeout,
        retries=retries,
    )
    log.info("disconnect of session %d: %s", accounting_session.id, result.label)
    if result.error_cause == SESSION_CONTEXT_NOT_FOUND:
        close(accounting_session, at=now, cause=GONE_CAUSE)
        session.flush()
    return result
