"""FreeRADIUS's radclient driven from the tests, with requests shaped like a RouterOS 7
hotspot's (reference §2.2 and §2.5), and the server's own counters to judge it by.

Unanswered, radclient resends the identical packet (same source port, Identifier and
Authenticator) whenever its clock, which counts whole seconds, ticks over: the first
resend comes 0-1 s after the request, then one a second. It ignores a reply it cannot
verify by itself, so "no reply" is proved by the server's drop counters, not by it.
"""

from __future__ import annotations

import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.radius.mikrotik import GIB4

MAC = "BC:24:11:EB:56:4D"
NAS_ID = "desa-sungai-terik"


@dataclass
class Exchange:
    """What one radclient run did: copies of the request sent, and the reply it took."""

    sent: int
    code: str | None  # e.g. "Access-Accept"; None when no reply came (or none verified)
    reply: dict[str, str]  # reply attributes by name, strings without their quotes


def radclient(
    port: int, kind: str, secret: str, attributes: str, *, timeout: float = 2.0, retries: int = 3
) -> Exchange:
    """Send one request with radclient, which sends ``retries`` copies at most.

    It resends when ``timeout`` has passed by its whole-second clock (see above), so a
    timeout under 1 s means "at the next tick". A busy CI machine can be slow, hence the
    defaults.
    """
    # The secret goes in a file: a generated one may start with "-", which radclient's
    # command line would take for an option.
    with tempfile.NamedTemporaryFile("w", suffix=".secret") as secret_file:
        secret_file.write(secret + "\n")
        secret_file.flush()
        options = ["-x", "-r", str(retries), "-t", str(timeout), "-S", secret_file.name]
        done = subprocess.run(  # noqa: S603 (a fixed tool, our own arguments)
            [shutil.which("radclient") or "radclient", *options, f"127.0.0.1:{port}", kind],
            input=attributes,
            capture_output=True,
            text=True,
            timeout=max(timeout, 1.0) * (retries + 1) + 10,
            check=False,
        )
    sent, code, reply = 0, None, {}
    for line in done.stdout.splitlines():
        if line.startswith("Sent "):
            sent += 1
        elif line.startswith("Received "):
            code = line.split()[1]
        elif code and line.startswith("\t"):
            name, _, value = line.strip().partition(" = ")
            reply.setdefault(name, value.strip('"'))
    return Exchange(sent, code, reply)


def auth(server, secret: str, attributes: str, **options: float) -> Exchange:
    return radclient(server.auth_port, "auth", secret, attributes, **options)


def acct(server, secret: str, attributes: str, **options: float) -> Exchange:
    return radclient(server.acct_port, "acct", secret, attributes, **options)


def unanswered(send: Callable[..., Exchange], *args: object, attempts: int = 1) -> Exchange:
    """``send`` (`auth` or `acct`) with a short wait, for requests the server must not
    answer. radclient may give up before a reply could come: the server's counters, not
    radclient, prove the drop."""
    return send(*args, timeout=0.5, retries=attempts)


def hotspot_login(
    user_name: str,
    password: str,
    *,
    pap: bool = False,
    mac: str = MAC,
    nas_identifier: str = NAS_ID,
    message_authenticator: bool = True,
) -> str:
    """An Access-Request as a RouterOS 7 hotspot sends it (radclient computes CHAP)."""
    credentials = (
        [f'User-Password = "{password}"']
        if pap
        else [
            "CHAP-Challenge = 0x19a63ce2e283187f977609b470b01368",
            f'CHAP-Password = "{password}"',
        ]
    )
    return _attribute_list(
        *_hotspot_session(user_name, mac, "80100014"),
        *credentials,
        "Service-Type = Login-User",
        'WISPr-Logoff-URL = "http://10.5.88.1/logout"',
        f'NAS-Identifier = "{nas_identifier}"',
        "NAS-IP-Address = 10.0.0.1",
        *(["Message-Authenticator = 0x00"] if message_authenticator else []),  # radclient signs
    )


def hotspot_accounting(
    status: str,
    *,
    session_id: str = "80100014",
    nas_identifier: str = NAS_ID,
    seconds: int = 0,
    input_octets: int = 0,
    output_octets: int = 0,
) -> str:
    """An Accounting-Request as a RouterOS 7 hotspot sends it: Start, Interim-Update, or
    Accounting-On (which names only the router). Octets above 4 GiB go in gigawords."""
    session = _hotspot_session("wd-0123456789abcdef", MAC, session_id)
    counters = [
        f"Acct-Session-Time = {seconds}",
        f"Acct-Input-Octets = {input_octets % GIB4}",
        f"Acct-Input-Gigawords = {input_octets // GIB4}",
        f"Acct-Output-Octets = {output_octets % GIB4}",
        f"Acct-Output-Gigawords = {output_octets // GIB4}",
    ]
    return _attribute_list(
        f"Acct-Status-Type = {status}",
        *(session if status != "Accounting-On" else []),
        *(counters if status == "Interim-Update" else []),
        "Event-Timestamp = 1700000000",
        f'NAS-Identifier = "{nas_identifier}"',
        "Acct-Delay-Time = 0",
        "NAS-IP-Address = 10.0.0.1",
    )


def _hotspot_session(user_name: str, mac: str, session_id: str) -> list[str]:
    """What a hotspot's Access- and Accounting-Requests both begin with (§2.2, §2.5)."""
    return [
        "NAS-Port-Type = Wireless-802.11",
        f'Calling-Station-Id = "{mac}"',
        'Called-Station-Id = "hs-desa"',
        'NAS-Port-Id = "bridge-hotspot"',
        f'User-Name = "{user_name}"',
        "NAS-Port = 2148532244",
        f'Acct-Session-Id = "{session_id}"',
        "Framed-IP-Address = 10.5.88.2",
        "Mikrotik-Host-IP = 10.5.88.2",
    ]


def _attribute_list(*attributes: str) -> str:
    return ", ".join(attributes) + "\n"


# -- the server's own account of what it did (prometheus_client's public sample API) --------


def dropped(server, reason: str) -> float:
    registry = server.metrics.registry
    return registry.get_sample_value("wifidesa_radius_dropped_total", {"reason": reason}) or 0


def duplicates(server, kind: str = "access") -> float:
    registry = server.metrics.registry
    return registry.get_sample_value("wifidesa_radius_duplicates_total", {"kind": kind}) or 0


def answered(server) -> dict[str, float]:
    """Requests the server processed and answered, as {"kind/result": count}."""
    return {
        f"{sample.labels['kind']}/{sample.labels['result']}": sample.value
        for metric in server.metrics.requests.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.value
    }


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``condition`` holds or, generously (CI is slow), ``timeout`` passes;
    the assertion that follows says what went wrong."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def assert_dropped_unanswered(server, reason: str, exchange: Exchange) -> None:
    """Every copy radclient sent was dropped for ``reason``, and nothing was answered."""
    assert exchange.sent >= 1
    eventually(lambda: dropped(server, reason) >= exchange.sent)
    assert dropped(server, reason) == exchange.sent
    assert answered(server) == {}
    assert exchange.code is None


class LossyLink:
    """A UDP relay on loopback that loses the server's first reply (a village radio link).

    Send to its ``auth_port`` instead of the server's. Requests pass on from one socket,
    so the server sees one source port throughout. ``replies``: all the server sent.
    """

    def __init__(self, server_port: int) -> None:
        self.replies: list[bytes] = []
        self._outside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._outside.bind(("127.0.0.1", 0))
        self.auth_port = self._outside.getsockname()[1]
        self._inside = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._inside.bind(("127.0.0.1", 0))
        self._server = ("127.0.0.1", server_port)
        self._stopping = False
        self._thread = threading.Thread(target=self._relay, daemon=True)
        self._thread.start()

    def _relay(self) -> None:
        client = None
        while not self._stopping:
            ready, _, _ = select.select([self._outside, self._inside], [], [], 0.05)
            if self._outside in ready:
                data, client = self._outside.recvfrom(4096)
                self._inside.sendto(data, self._server)
            if self._inside in ready:
                self.replies.append(self._inside.recv(4096))
                if len(self.replies) > 1 and client is not None:
                    self._outside.sendto(self.replies[-1], client)

    def __enter__(self) -> LossyLink:
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping = True
        self._thread.join(timeout=5)
        self._outside.close()
        self._inside.close()
