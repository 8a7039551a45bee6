"""A small stand-in for a router's `/radius incoming`: answers Disconnect and CoA requests.

It verifies each request as RouterOS would (Request Authenticator per RFC 5176 section
3.3, the Message-Authenticator when present), records the attributes, and answers
ACK, NAK with an Error-Cause, or nothing at all (so the sender times out).
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from pyrad import packet

from tests.radius.mikrotik import DICTIONARY


@dataclass
class NasListener:
    secret: bytes
    mode: str = "ack"  # ack | nak | silent | forged (an ACK no one with the secret signed)
    error_cause: int = 503
    received: list[dict[str, object]] = field(default_factory=list)
    datagrams: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.sock.close()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(4096)
            except OSError:
                return
            request = packet.CoAPacket(secret=self.secret, dict=DICTIONARY, packet=data)
            if not request.VerifyCoARequest():
                continue
            if request.message_authenticator and not request.verify_message_authenticator():
                continue
            self.received.append(
                {"code": request.code, **{k: request[k][0] for k in request.keys()}}  # noqa: SIM118
            )
            self.datagrams.append(data)
            if self.mode == "silent":
                continue
            reply = request.CreateReply()
            if self.mode == "nak":
                reply.code = packet.DisconnectNAK if request.code == 40 else packet.CoANAK
                reply["Error-Cause"] = self.error_cause
            if self.mode == "forged":
                self._send_forgeries(request, addr)
                continue
            reply.add_message_authenticator()
            self.sock.sendto(reply.ReplyPacket(), addr)

    def _send_forgeries(self, request: packet.CoAPacket, addr: tuple) -> None:
        """An ACK signed with another secret, and one with a zero authenticator."""
        code = packet.DisconnectACK if request.code == 40 else packet.CoAACK
        other = packet.CoAPacket(
            code=code, id=request.id, secret=b"not-the-shared-secret", dict=DICTIONARY
        )
        other.authenticator = request.authenticator
        other.add_message_authenticator()
        self.sock.sendto(other.ReplyPacket(), addr)
        unsigned = bytes([code, request.id, 0, 20]) + bytes(16)
        self.sock.sendto(unsigned, addr)
