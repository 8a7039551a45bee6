"""Packets shaped like a RouterOS 7 hotspot's (reference §2.2 and §2.5), sent with pyrad.

`Router` plays one gateway: it builds Access-Requests with CHAP or PAP and a
Message-Authenticator, and Start/Interim/Stop/Accounting-On requests, with the
attributes and order a real hotspot uses.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from pyrad import packet
from pyrad.client import Client, Timeout

from radius.decode import load_dictionary

DICTIONARY = load_dictionary()
GIB4 = 1 << 32


def chap(password: str, challenge: bytes | None = None, ident: int | None = None):
    """CHAP-Password and CHAP-Challenge values for ``password`` (as the hotspot page does)."""
    challenge = challenge or os.urandom(16)
    ident_byte = bytes([os.urandom(1)[0] if ident is None else ident])
    response = hashlib.md5(ident_byte + password.encode() + challenge).digest()  # noqa: S324
    return ident_byte + response, challenge


@dataclass
class Router:
    """One MikroTik gateway talking to our server on loopback."""

    auth_port: int
    acct_port: int
    secret: bytes
    nas_identifier: str
    timeout: float = 2.0
    retries: int = 1
    host: str = "127.0.0.1"
    session_counter: int = field(default=0x80100000)

    def client(self, timeout: float | None = None, retries: int | None = None) -> Client:
        c = Client(
            server=self.host,
            authport=self.auth_port,
            acctport=self.acct_port,
            secret=self.secret,
            dict=DICTIONARY,
            retries=retries or self.retries,
            timeout=timeout or self.timeout,
            enforce_ma=True,
        )
        return c

    def access_request(
        self,
        user_name: str,
        password: str | None = None,
        *,
        mac: str = "BC:24:11:EB:56:4D",
        pap: bool = False,
        message_authenticator: bool = True,
        framed_ip: str = "10.5.88.2",
        chap_password: tuple[bytes, bytes] | None = None,
    ) -> packet.AuthPacket:
        pkt = self.client().CreateAuthPacket(
            code=packet.AccessRequest, message_authenticator=message_authenticator
        )
        pkt.secret = self.secret
        pkt["NAS-Port-Type"] = 19
        pkt["Calling-Station-Id"] = mac
        pkt["Called-Station-Id"] = "hs-desa"
        pkt["NAS-Port-Id"] = "bridge-hotspot"
        pkt["User-Name"] = user_name
        pkt["NAS-Port"] = 2148532244
        pkt["Acct-Session-Id"] = "80100014"
        pkt["Framed-IP-Address"] = framed_ip
        pkt["Mikrotik-Host-IP"] = framed_ip
        if pap:
            pkt["User-Password"] = pkt.PwCrypt(password or "")
        else:
            response, challenge = chap_password or chap(password or "")
            pkt["CHAP-Challenge"] = challenge
            pkt["CHAP-Password"] = response
        pkt["Service-Type"] = 1
        pkt["WISPr-Logoff-URL"] = "http://10.5.88.1/logout"
        pkt["NAS-Identifier"] = self.nas_identifier
        pkt["NAS-IP-Address"] = "10.0.0.1"
        return pkt

    def accounting_request(
        self,
        status: int,
        session_id: str = "80100014",
        *,
        mac: str = "BC:24:11:EB:56:4D",
        user_name: str = "wd-0000000000000000",
        class_: bytes | None = None,
        seconds: int = 0,
        input_octets: int = 0,
        output_octets: int = 0,
        delay: int = 0,
        terminate_cause: int | None = None,
        framed_ip: str = "10.5.88.2",
    ) -> packet.AcctPacket:
        pkt = self.client().CreateAcctPacket()
        pkt["Acct-Status-Type"] = status
        if status in (1, 2, 3):
            pkt["NAS-Port-Type"] = 19
            pkt["Calling-Station-Id"] = mac
            pkt["Called-Station-Id"] = "hs-desa"
            pkt["NAS-Port-Id"] = "bridge-hotspot"
            pkt["User-Name"] = user_name
            pkt["NAS-Port"] = 2148532244
            pkt["Acct-Session-Id"] = session_id
            pkt["Framed-IP-Address"] = framed_ip
            pkt["Mikrotik-Host-IP"] = framed_ip
            if class_ is not None:
                pkt["Class"] = class_
        if status in (2, 3):
            pkt["Acct-Session-Time"] = seconds
            pkt["Acct-Input-Octets"] = input_octets % GIB4
            pkt["Acct-Input-Gigawords"] = input_octets // GIB4
            pkt["Acct-Output-Octets"] = output_octets % GIB4
            pkt["Acct-Output-Gigawords"] = output_octets // GIB4
            pkt["Acct-Input-Packets"] = input_octets // 1000
            pkt["Acct-Output-Packets"] = output_octets // 1000
        if terminate_cause is not None:
            pkt["Acct-Terminate-Cause"] = terminate_cause
        pkt["Event-Timestamp"] = 1_700_000_000
        pkt["NAS-Identifier"] = self.nas_identifier
        pkt["Acct-Delay-Time"] = delay
        pkt["NAS-IP-Address"] = "10.0.0.1"
        return pkt

    def send(self, pkt: packet.Packet, timeout: float | None = None) -> packet.Packet | None:
        """Send and return the verified reply, or None when none came (Timeout)."""
        client = self.client(timeout=timeout)
        try:
            return client.SendPacket(pkt)
        except Timeout:
            return None
        finally:
            client._CloseSocket()


def attributes(reply: packet.Packet) -> dict[str, object]:
    """Reply attributes by name, single values unwrapped."""
    out: dict[str, object] = {}
    for key in reply.keys():  # noqa: SIM118 (pyrad's keys() gives names)
        name = key if isinstance(key, str) else str(key)
        values = reply[key]
        out[name] = values[0] if len(values) == 1 else values
    return out
