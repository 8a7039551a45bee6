"""Status-Server (RFC 5997) on both ports, sent with FreeRADIUS's radclient and by hand.

RFC 5997 section 3: answered with an Access-Accept on the authentication port and an
Accounting-Response on the accounting port; a Status-Server must carry a
Message-Authenticator and one without it is silently discarded; like every packet, one
from an unknown client or with the wrong secret gets nothing. What gets no reply is
proved by the server's drop counters (radclient ignores a reply it cannot verify).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import socket
import struct

import pytest

from tests.radius.radclient import (
    NAS_ID,
    answered,
    dropped,
    eventually,
    radclient,
)

pytestmark = pytest.mark.skipif(
    shutil.which("radclient") is None,
    reason="radclient not on PATH (install freeradius-utils to run these tests)",
)
PORTS = {"auth": "auth_port", "acct": "acct_port"}
STATUS = f'NAS-Identifier = "{NAS_ID}", Message-Authenticator = 0x00\n'  # radclient signs
UNSIGNED = f'NAS-Identifier = "{NAS_ID}"\n'


def status(server, port: str, secret: str, attributes: str = STATUS, **options: float):
    return radclient(getattr(server, PORTS[port]), "status", secret, attributes, **options)


@pytest.mark.parametrize(
    ("port", "answer"), [("auth", "Access-Accept"), ("acct", "Accounting-Response")]
)
def test_radclient_status_server_is_answered_on_both_ports(
    make_gateway, radius_server, port, answer
):
    """radclient verifies the Response Authenticator and the Message-Authenticator of
    what it takes; it takes our answer, and the server counts one status answer."""
    gateway = make_gateway()
    server = radius_server()

    done = status(server, port, gateway.secret)

    assert done.code == answer, done
    assert done.sent == 1
    assert answered(server) == {"status/alive": 1}


@pytest.mark.parametrize("port", list(PORTS))
def test_radclient_status_server_with_a_wrong_secret_is_dropped(make_gateway, radius_server, port):
    make_gateway()
    server = radius_server()

    done = status(server, port, "not-the-right-secret-at-all", timeout=0.5, retries=1)

    assert done.code is None and done.sent == 1
    eventually(lambda: dropped(server, "bad-message-authenticator") == 1)
    assert dropped(server, "bad-message-authenticator") == 1
    assert answered(server) == {}


@pytest.mark.parametrize("port", list(PORTS))
def test_radclient_status_server_without_message_authenticator_is_discarded(
    make_gateway, radius_server, port
):
    """RFC 5997 section 3: without a Message-Authenticator, silently discarded."""
    gateway = make_gateway()
    server = radius_server()

    done = status(server, port, gateway.secret, UNSIGNED, timeout=0.5, retries=1)

    assert done.code is None and done.sent == 1
    reason = "status-server-without-message-authenticator"
    eventually(lambda: dropped(server, reason) == 1)
    assert dropped(server, reason) == 1
    assert answered(server) == {}


def test_radclient_status_server_from_an_unknown_gateway_is_dropped(make_gateway, radius_server):
    gateway = make_gateway()
    server = radius_server()
    attributes = 'NAS-Identifier = "desa-tidak-dikenal", Message-Authenticator = 0x00\n'

    done = status(server, "auth", gateway.secret, attributes, timeout=0.5, retries=1)

    assert done.code is None
    eventually(lambda: dropped(server, "unknown-client") == 1)
    assert answered(server) == {}


def test_status_server_is_not_answered_while_the_database_fails(make_gateway, radius_server):
    """A server that answers no login must not tell a health check it is alive."""
    gateway = make_gateway()
    server = radius_server()
    server.outages.failed(RuntimeError("database or disk is full"))

    done = status(server, "acct", gateway.secret, timeout=0.5, retries=1)

    assert done.code is None
    eventually(lambda: dropped(server, "status-server-while-database-fails") == 1)
    assert answered(server) == {}


def _signed_status(secret: bytes, identifier: int) -> bytes:
    """A Status-Server built by hand (RFC 5997 section 3, RFC 3579 section 3.2)."""
    vector = os.urandom(16)
    body = bytes([32, 2 + len(NAS_ID)]) + NAS_ID.encode() + bytes([80, 18]) + bytes(16)
    header = struct.pack("!BBH", 12, identifier, 20 + len(body))
    digest = hmac.new(secret, header + vector + body, hashlib.md5).digest()
    return header + vector + body[:-16] + digest


@pytest.mark.parametrize(("port", "code"), [("auth", 2), ("acct", 5)])
def test_status_answer_has_a_verifying_message_authenticator_first(
    make_gateway, radius_server, port, code
):
    """Checked by hand, octet by octet: code, identifier, Response Authenticator, and
    a Message-Authenticator as first attribute over the request's Authenticator."""
    gateway = make_gateway()
    server = radius_server()
    secret = gateway.secret.encode()
    request = _signed_status(secret, 77)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(request, ("127.0.0.1", getattr(server, PORTS[port])))
        reply = sock.recv(4096)

    assert reply[0] == code and reply[1] == 77
    assert struct.unpack("!H", reply[2:4])[0] == len(reply)
    vector = request[4:20]
    expected = hashlib.md5(reply[:4] + vector + reply[20:] + secret).digest()  # noqa: S324
    assert hmac.compare_digest(expected, reply[4:20])
    assert reply[20:22] == bytes([80, 18])
    zeroed = reply[:4] + vector + reply[20:22] + bytes(16) + reply[38:]
    assert hmac.compare_digest(hmac.new(secret, zeroed, hashlib.md5).digest(), reply[22:38])
