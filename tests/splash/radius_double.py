"""A stand-in RADIUS server for tests: checks what a router sends, the way ours will.

It verifies the Message-Authenticator, then CHAP (or PAP) against the one-time grant
password derived from the installation key (or the voucher code, where username =
password = the code), and answers Access-Accept/Reject with Message-Authenticator.
Accounting requests are verified and answered. Used where the real server (branch
radius) is not importable.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyrad import packet
from pyrad.dictionary import Dictionary

from portal.domain.access import grants
from portal.simulator import DICTIONARY


@dataclass
class RadiusDouble:
    secret: bytes
    master_key: str
    auth_port: int = 0
    #: When set, every Access-Request is rejected with this Reply-Message.
    reject_message: str | None = None
    seen: list[packet.Packet] = field(default_factory=list)

    def expected_password(self, username: str) -> str:
        if grants.is_grant_username(username):
            return grants.grant_password(self.master_key, username)
        return username  # a voucher: username = password = the code

    def answer(self, data: bytes, dictionary: Dictionary) -> bytes | None:
        code = data[0]
        if code == packet.AccessRequest:
            request = packet.AuthPacket(packet=data, secret=self.secret, dict=dictionary)
            if not request.message_authenticator or not request.verify_message_authenticator():
                return None  # dropped, as BlastRADIUS rules ask
            self.seen.append(request)
            username = request["User-Name"][0]
            if "CHAP-Password" in request:
                ok = request.VerifyChapPasswd(self.expected_password(username))
            else:
                ok = request.PwDecrypt(request["User-Password"][0]) == self.expected_password(
                    username
                )
            if ok and self.reject_message is None:
                reply = request.CreateReply(Session_Timeout=3600, Class=b"grant")
                reply.code = packet.AccessAccept
                reply["Mikrotik-Rate-Limit"] = "2M/4M"
            else:
                reply = request.CreateReply(Reply_Message=self.reject_message or "Kode tidak sah.")
                reply.code = packet.AccessReject
            return reply.ReplyPacket()
        if code == packet.AccountingRequest:
            request = packet.AcctPacket(packet=data, secret=self.secret, dict=dictionary)
            if not request.VerifyAcctRequest():
                return None
            self.seen.append(request)
            reply = request.CreateReply()
            return reply.ReplyPacket()
        return None


@contextmanager
def radius_double(secret: str, master_key: str) -> Iterator[RadiusDouble]:
    """Serve auth on a free loopback port and accounting on the next one."""
    dictionary = Dictionary(str(DICTIONARY))
    double = RadiusDouble(secret.encode(), master_key)
    sockets = []
    for _ in range(20):
        auth = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        auth.bind(("127.0.0.1", 0))
        acct = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            acct.bind(("127.0.0.1", auth.getsockname()[1] + 1))
        except OSError:
            auth.close()
            acct.close()
            continue
        sockets = [auth, acct]
        break
    double.auth_port = sockets[0].getsockname()[1]
    stop = threading.Event()

    def serve(sock: socket.socket) -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            answer = double.answer(data, dictionary)
            if answer is not None:
                sock.sendto(answer, peer)

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in sockets]
    for thread in threads:
        thread.start()
    try:
        yield double
    finally:
        stop.set()
        for thread in threads:
            thread.join(2)
        for sock in sockets:
            sock.close()
