"""Dynamic authorization client (RFC 5176): Disconnect-Request and CoA-Request to a gateway.

The result is never collapsed to yes/no: an ACK, a NAK with its Error-Cause (503
Session-Context-Not-Found means the session is already gone, 401/404 that the router
disliked the request), or a TIMEOUT after the retries (router unreachable, incoming
RADIUS not enabled, firewall). Each is logged and counted by the caller.
"""

from __future__ import annotations

import enum
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pyrad.dictionary import Dictionary
from pyrad.packet import (
    CoAACK,
    CoANAK,
    CoAPacket,
    CoARequest,
    DisconnectACK,
    DisconnectNAK,
    DisconnectRequest,
    Packet,
    PacketError,
)

log = logging.getLogger(__name__)
ERROR_CAUSE = 101


class Outcome(enum.Enum):
    ACK = "ack"
    NAK = "nak"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class CoaResult:
    """What the gateway answered. ``error_cause`` is the NAK's Error-Cause, if any."""

    outcome: Outcome
    error_cause: int | None = None

    @property
    def label(self) -> str:
        """A metric label: ack, timeout, nak or nak-<cause>."""
        if self.outcome is Outcome.NAK and self.error_cause is not None:
            return f"nak-{self.error_cause}"
        return self.outcome.value


def send(
    *,
    host: str,
    port: int,
    secret: bytes,
    dictionary: Dictionary,
    disconnect: bool,
    attributes: list[tuple[str, object]],
    timeout: float = 2.0,
    retries: int = 2,
) -> CoaResult:
    """Send a Disconnect-Request (``disconnect``) or CoA-Request and wait for the answer.

    The request carries Event-Timestamp (replay protection, RFC 5176 section 6.3) and a
    Message-Authenticator; retransmissions reuse the same packet (same Identifier), and
    a reply counts only when its Response Authenticator and Message-Authenticator
    verify. Raises OSError only when no socket can be opened.
    """
    code = DisconnectRequest if disconnect else CoARequest
    request = CoAPacket(code=code, id=os.urandom(1)[0], secret=secret, dict=dictionary)
    for name, value in attributes:
        request.AddAttribute(name, value)
    request.AddAttribute("Event-Timestamp", int(datetime.now(UTC).timestamp()))
    request.add_message_authenticator()
    data = request.RequestPacket()
    acks = (DisconnectACK,) if disconnect else (CoAACK,)
    naks = (DisconnectNAK,) if disconnect else (CoANAK,)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        for _ in range(retries + 1):
            sock.send(data)
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                sock.settimeout(left)
                try:
                    answer = sock.recv(4096)
                except TimeoutError:
                    break
                except OSError:  # ICMP port unreachable shows up here
                    time.sleep(min(left, 0.05))
                    continue
                result = _check(request, answer, acks, naks)
                if result is not None:
                    return result
    return CoaResult(Outcome.TIMEOUT)


def _check(request: CoAPacket, answer: bytes, acks: tuple, naks: tuple) -> CoaResult | None:
    """The result an answer carries, or None when it is not a valid answer to ``request``."""
    try:
        reply = Packet(secret=request.secret, dict=request.dict, packet=answer)
    except PacketError:
        return None
    if reply.code not in acks + naks or not request.VerifyReply(reply, answer):
        return None
    if reply.code in acks:
        return CoaResult(Outcome.ACK)
    values = dict.get(reply, ERROR_CAUSE)
    cause = int.from_bytes(values[0], "big") if values and len(values[0]) == 4 else None
    return CoaResult(Outcome.NAK, cause)
