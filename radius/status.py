"""Status-Server (RFC 5997): the answer a health check or a router's probe gets.

RFC 5997 section 3: a Status-Server is sent to the authentication or the accounting
port and answered there, with an Access-Accept on the first and an Accounting-Response
on the second. It must carry a Message-Authenticator, computed like an Access-Request's
over its random Request Authenticator, on the accounting port too; one without it is
silently discarded, like any packet from a client the server does not know (RFC 2865
section 3). Our answers carry a Message-Authenticator first, computed over the
request's Authenticator, as every answer to an Access-Request does (BlastRADIUS); for
the Accounting-Response this is how FreeRADIUS signs and verifies it too.

A Status-Server has no side effect (section 3): it touches no database and no duplicate
cache, so a resend is answered afresh. While the database fails the server answers
nothing else, so it does not claim to be alive either, and a health check moves the
router on to its other server.
"""

from __future__ import annotations

from pyrad.dictionary import Dictionary
from pyrad.packet import PacketError

from radius import decode
from radius.clients import ClientCache
from radius.wire import ReplyEncoder, decode_request

STATUS_SERVER = 12
ACCESS_ACCEPT, ACCOUNTING_RESPONSE = 2, 5


def reply(
    dictionary: Dictionary,
    encoder: ReplyEncoder,
    clients: ClientCache,
    data: bytes,
    addr: tuple,
    *,
    access: bool,
    database_failing: bool,
) -> tuple[bytes | None, str]:
    """The answer to the Status-Server ``data`` from ``addr`` on the authentication
    (``access``) or accounting port, and the result label; or None and the reason it
    is dropped. Never raises for what a packet contains.
    """
    try:
        packet = decode_request(dictionary, data)
        nas_id = decode.nas_identifier(packet)
    except (PacketError, ValueError, KeyError, IndexError):
        return None, "malformed"
    client = clients.lookup(addr[0], nas_id)
    if client is None:
        return None, "unknown-client"
    refused = decode.verify_status(packet, client)
    if refused is not None:
        return None, refused
    if database_failing:
        return None, "status-server-while-database-fails"
    packet.secret = client.secret
    code = ACCESS_ACCEPT if access else ACCOUNTING_RESPONSE
    return encoder.reply(packet, code, sign=True), "alive"
