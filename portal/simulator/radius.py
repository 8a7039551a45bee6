"""The RADIUS half of the simulator: what a RouterOS 7 hotspot sends after /login."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyrad import packet
from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary

from portal.simulator import web

if TYPE_CHECKING:
    from portal.simulator import Options

GIGAWORD = 1 << 32
_CODES = {packet.AccessAccept: "Access-Accept", packet.AccessReject: "Access-Reject"}


@dataclass(frozen=True)
class Login:
    """The credentials the router got, and the CHAP values it issued."""

    credentials: web.RouterLogin
    chap_id: bytes
    chap_challenge: bytes
    portal: str


def _client(options: Options) -> Client:
    from portal.simulator import DICTIONARY

    client = Client(
        server=options.radius_host,
        authport=options.radius_port,
        acctport=options.radius_port + 1,
        secret=options.secret.encode(),
        dict=Dictionary(str(DICTIONARY)),
        retries=2,
        timeout=options.timeout,
    )
    return client


def common_attributes(options: Options, session_id: str, username: str) -> dict[str, object]:
    """Attributes every hotspot request carries (reference §2.2, a RouterOS 7 capture)."""
    return {
        "NAS-Port-Type": "Wireless-802.11",
        "Calling-Station-Id": options.mac.upper(),
        "Called-Station-Id": options.server_name,
        "NAS-Port-Id": "bridge-hotspot",
        "User-Name": username,
        "NAS-Port": 2148532244,
        "Acct-Session-Id": session_id,
        "Framed-IP-Address": options.client_ip,
        "Mikrotik-Host-IP": options.client_ip,
        "NAS-Identifier": options.nas_id,
        "NAS-IP-Address": "127.0.0.1",
    }


def _show(reply: packet.Packet, say: Callable[[str], None]) -> None:
    # pyrad's keys() decodes attribute names; iterating the dict gives raw codes.
    for name in sorted(str(key) for key in reply.keys()):  # noqa: SIM118
        values = reply[name]
        say(f"     {name} = {', '.join(_printable(value) for value in values)}")


def _printable(value: object) -> str:
    """Octets as text when they are plain ASCII (a Class such as wd:g:1), else hex."""
    if isinstance(value, bytes):
        text = value.decode("ascii", "replace")
        return text if text.isprintable() and "\ufffd" not in text else value.hex()
    return str(value)


def access_request(
    client: Client, options: Options, login: Login, session_id: str
) -> packet.AuthPacket:
    """The Access-Request the router sends for the credentials in ``login``.

    HTTP-CHAP: the phone's "password" is the hex CHAP response, which the router
    sends as CHAP-Password (its chap-id byte + the 16-byte digest) beside the
    CHAP-Challenge it issued. A plain password goes as PAP (User-Password).
    """
    client = _client(options)
    credentials = login.credentials
    request = client.CreateAuthPacket(code=packet.AccessRequest)
    for name, value in common_attributes(options, session_id, credentials.username).items():
        request[name] = value
    request["Service-Type"] = "Login-User"
    request["WISPr-Logoff-URL"] = f"http://{options.hotspot_host}/logout"
    try:
        digest = bytes.fromhex(credentials.password)
    except ValueError:
        digest = b""
    if len(digest) == 16:
        request["CHAP-Password"] = login.chap_id + digest
        request["CHAP-Challenge"] = login.chap_challenge
    else:
        request["User-Password"] = request.PwCrypt(credentials.password)
    return request


def session_steps(options: Options, login: Login, say: Callable[[str], None]) -> int:
    """Access-Request, then Start, Interim-Updates and Stop; 0 when all were answered."""
    client = _client(options)
    try:
        return _session_steps(client, options, login, say)
    finally:
        client._CloseSocket()  # pyrad has no public close


def _session_steps(
    client: Client, options: Options, login: Login, say: Callable[[str], None]
) -> int:
    session_id = f"8{secrets.randbelow(16**7):07x}"
    request = access_request(client, options, login, session_id)
    where = f"{options.radius_host}:{options.radius_port}"
    try:
        reply = client.SendPacket(request)
    except Timeout:
        silence = why_silent(options.radius_host, options.radius_port, options.nas_id)
        say(f"6. Access-Request to {where}: {silence}")
        return 1
    answer = _CODES.get(reply.code, str(reply.code))
    say(f"6. Access-Request (CHAP, Message-Authenticator) to {where}: {answer}")
    _show(reply, say)
    if reply.code != packet.AccessAccept:
        return 1
    klass = reply.get("Class", [None])[0]
    started = int(time.time())
    steps = [("Start", 0, 0)]
    for index in range(1, options.interim_updates + 1):
        share = index / (options.interim_updates + 1)
        steps.append(
            ("Interim-Update", int(options.bytes * share), int(options.minutes * 60 * share))
        )
    steps.append(("Stop", options.bytes, options.minutes * 60))
    for number, (kind, octets, seconds) in enumerate(steps, start=7):
        accounting = client.CreateAcctPacket()
        attributes = common_attributes(options, session_id, login.credentials.username)
        for name, value in attributes.items():
            accounting[name] = value
        accounting["Acct-Status-Type"] = kind
        accounting["Event-Timestamp"] = started + seconds
        accounting["Acct-Delay-Time"] = 0
        if klass is not None:
            accounting["Class"] = klass
        if kind != "Start":
            add_traffic(accounting, octets, seconds)
        if kind == "Stop":
            accounting["Acct-Terminate-Cause"] = "User-Request"
        try:
            answer = client.SendPacket(accounting)
        except Timeout:
            say(f"{number}. Accounting {kind}: no answer")
            return 1
        say(f"{number}. Accounting {kind} ({octets} bytes, {seconds} s): code {answer.code}")
    _status_page(login, say)
    return 0


def why_silent(host: str, port: int, nas_id: str, timeout: float = 1.0) -> str:
    """Why the RADIUS server at host:port did not answer an Access-Request.

    Our server drops a request whose Message-Authenticator does not verify without a word
    (as RFC 3579 asks), so a wrong secret and a stopped server both look like silence. A
    datagram to a port where nothing listens comes back as ICMP port-unreachable, which a
    connected UDP socket reports as a refusal: so send one more (a bare 20-byte
    Status-Server header, which no server answers without a valid Message-Authenticator)
    and tell the two apart. Without the ICMP answer (a firewall that drops it) the
    message says both."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(timeout)
        try:
            probe.connect((host, port))
            probe.send(bytes([12, 0, 0, 20]) + bytes(16))
            probe.recv(4096)
        except ConnectionRefusedError:
            return f"no answer: nothing listens at {host}:{port} (is `wifidesa radius` running?)"
        except OSError:
            pass  # silence: something took the datagram and said nothing
    return (
        f"no answer: a RADIUS server listens at {host}:{port} but dropped the request, so "
        f"the shared secret given for {nas_id} is wrong (the server drops a request whose "
        "Message-Authenticator does not verify), or this machine is not the gateway's "
        "registered source address"
    )


def add_traffic(accounting: packet.Packet, octets: int, seconds: int) -> None:
    """A fifth up, the rest down, split into 32-bit counters and gigawords as RouterOS does."""
    upload = octets // 5
    download = octets - upload
    accounting["Acct-Session-Time"] = seconds
    accounting["Acct-Input-Octets"] = upload % GIGAWORD
    accounting["Acct-Input-Gigawords"] = upload // GIGAWORD
    accounting["Acct-Output-Octets"] = download % GIGAWORD
    accounting["Acct-Output-Gigawords"] = download // GIGAWORD
    accounting["Acct-Input-Packets"] = upload // 1200
    accounting["Acct-Output-Packets"] = download // 1200


def _status_page(login: Login, say: Callable[[str], None]) -> None:
    """The phone opens ``dst`` when it is the portal's status page (never elsewhere)."""
    dst = login.credentials.dst
    if not web.same_origin(dst, login.portal):
        say(f"   phone continues to {dst} (not fetched: outside the portal)")
        return
    status, _, body = web.fetch(dst)
    connected = "tersambung" in body.lower() or "connected" in body.lower()
    say(f"   status page: HTTP {status}{' — connected' if connected else ''}")
