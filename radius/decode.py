"""From a decoded pyrad packet to the plain request dataclasses the handlers take.

Attributes are read raw by number and decoded here, so the types are exactly what the
handlers expect (pyrad would turn integers with named values into names). Anything
malformed raises `Malformed`; the shell drops the packet and counts it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from pathlib import Path

from pyrad.dictionary import Dictionary
from pyrad.packet import PacketError

from portal.domain.keyring import prepared_hmac
from portal.domain.pseudonyms import InvalidMac, normalize_mac
from portal.domain.usage.updates import combine_gigawords
from radius.accounting import AccountingRequest
from radius.clients import Client
from radius.handlers import AccessRequest, Credentials
from radius.wire import ReceivedPacket

DICTIONARY_PATH = Path(__file__).resolve().parent / "dictionaries" / "dictionary"

USER_NAME, USER_PASSWORD, CHAP_PASSWORD = 1, 2, 3
FRAMED_IP, CLASS, CALLING_STATION, NAS_IDENTIFIER, PROXY_STATE = 8, 25, 31, 32, 33
ACCT_STATUS, ACCT_DELAY, ACCT_IN, ACCT_OUT, ACCT_SESSION_ID = 40, 41, 42, 43, 44
ACCT_SESSION_TIME, ACCT_TERMINATE, ACCT_IN_GIGA, ACCT_OUT_GIGA = 46, 49, 52, 53
CHAP_CHALLENGE, EAP_MESSAGE, MESSAGE_AUTHENTICATOR = 60, 79, 80

TERMINATE_CAUSES = {
    1: "User-Request",
    2: "Lost-Carrier",
    3: "Lost-Service",
    4: "Idle-Timeout",
    5: "Session-Timeout",
    6: "Admin-Reset",
    7: "Admin-Reboot",
    8: "Port-Error",
    9: "NAS-Error",
    10: "NAS-Request",
    11: "NAS-Reboot",
    12: "Port-Unneeded",
    13: "Port-Preempted",
    14: "Port-Suspended",
    15: "Service-Unavailable",
    16: "Callback",
    17: "User-Error",
    18: "Host-Request",
}


# Gigawords make the octet counters 64-bit, but the database's are signed 64-bit and
# sum many sessions: a session's count above 2**44 octets (17.6 TB, a day at 1.6 Tbit/s)
# is a broken counter, and storing it would overflow (found by fuzz/radius_fuzz.py).
MAX_SESSION_OCTETS = 1 << 44


class Malformed(ValueError):
    """The packet cannot be read: the reason is a short label for the drop counter."""


def load_dictionary() -> Dictionary:
    """Our own dictionaries (RFC 2865/2866/2869/5176, MikroTik, WISPr)."""
    return Dictionary(str(DICTIONARY_PATH))


def raw(packet: ReceivedPacket, code: int) -> bytes | None:
    """The first raw value of an attribute, or None."""
    values = packet.attributes.get(code)
    return values[0] if values else None


def text(packet: ReceivedPacket, code: int) -> str | None:
    value = raw(packet, code)
    return None if value is None else value.decode("utf-8", "replace")


def integer(packet: ReceivedPacket, code: int) -> int:
    """A 32-bit integer attribute (0 when absent). Raises Malformed for a bad length."""
    value = raw(packet, code)
    if value is None:
        return 0
    if len(value) != 4:
        raise Malformed("bad-integer")
    return int.from_bytes(value, "big")


def nas_identifier(packet: ReceivedPacket) -> str | None:
    return text(packet, NAS_IDENTIFIER)


_CANONICAL_MAC = re.compile(r"(?:[0-9A-F]{2}:){5}[0-9A-F]{2}")


def mac_of(packet: ReceivedPacket) -> str | None:
    """The normalised Calling-Station-Id, or None. Lives in memory only."""
    value = text(packet, CALLING_STATION)
    if value is None:
        return None
    if _CANONICAL_MAC.fullmatch(value):  # RouterOS's default radius-mac-format
        return value
    try:
        return normalize_mac(value)
    except InvalidMac:
        return None


def message_authenticator_ok(
    packet: ReceivedPacket, secret: bytes, vector: bytes | None = None
) -> bool:
    """Verify a present Message-Authenticator (HMAC-MD5 over the packet, RFC 2869 5.14).

    ``vector`` replaces the Authenticator field (16 zero octets for accounting). The
    value must be exactly 16 octets; the comparison is constant-time.
    """
    values = packet.attributes.get(MESSAGE_AUTHENTICATOR)
    if not values or len(values) != 1 or len(values[0]) != 16:
        return False
    data = packet.raw_packet
    body = packet.zeroed_message_authenticator()
    digest = prepared_hmac(secret, "md5").digest(data[:4] + (vector or data[4:20]) + body)
    return hmac.compare_digest(digest, values[0])


def accounting_authenticator_ok(packet: ReceivedPacket, secret: bytes) -> bool:
    """Verify an Accounting-Request's Request Authenticator (RFC 2866 section 3)."""
    data = packet.raw_packet
    expected = hashlib.md5(data[:4] + bytes(16) + data[20:] + secret).digest()  # noqa: S324
    return hmac.compare_digest(expected, data[4:20])


def verify(packet: ReceivedPacket, client: Client, *, access: bool) -> str | None:
    """Check a packet against its client's secret; None when it may be processed.

    Otherwise returns the drop reason. Access-Requests: the Message-Authenticator is
    verified whenever present, and required when the gateway requires it (BlastRADIUS),
    or when the request carries Proxy-State, even from a legacy gateway: our gateways
    talk to us directly, and Proxy-State is what the BlastRADIUS forgery hides its
    collision in (FreeRADIUS's limit_proxy_state). It is also required with an
    EAP-Message, from any gateway: RFC 3579 section 3.2 says a server receiving an
    Access-Request with EAP-Message and no Message-Authenticator MUST silently discard it.
    Accounting-Requests: the Request Authenticator, and a Message-Authenticator if any.
    """
    has_ma = MESSAGE_AUTHENTICATOR in packet.attributes
    if access:
        if has_ma and not message_authenticator_ok(packet, client.secret):
            return "bad-message-authenticator"
        if not has_ma and EAP_MESSAGE in packet.attributes:
            return "eap-message-without-message-authenticator"
        if not has_ma and client.require_message_authenticator:
            return "missing-message-authenticator"
        if not has_ma and PROXY_STATE in packet.attributes:
            return "proxy-state-without-message-authenticator"
        return None
    if not accounting_authenticator_ok(packet, client.secret):
        return "bad-authenticator"
    if has_ma and not message_authenticator_ok(packet, client.secret, bytes(16)):
        return "bad-message-authenticator"
    return None


def verify_status(packet: ReceivedPacket, client: Client) -> str | None:
    """Check a Status-Server (RFC 5997) against its client's secret; None when it may be
    answered, else the drop reason.

    RFC 5997 section 3: every Status-Server carries a Message-Authenticator, computed
    like an Access-Request's over its random Request Authenticator, on the accounting
    port too; one without it is silently discarded.
    """
    if MESSAGE_AUTHENTICATOR not in packet.attributes:
        return "status-server-without-message-authenticator"
    if not message_authenticator_ok(packet, client.secret):
        return "bad-message-authenticator"
    return None


def access_request(packet: ReceivedPacket, client: Client) -> AccessRequest:
    """The handler's view of an Access-Request. Raises Malformed."""
    user_name = text(packet, USER_NAME)
    if not user_name:
        raise Malformed("no-user-name")
    if "\x00" in user_name:  # RFC 2865: not NUL-terminated; PostgreSQL text refuses NUL
        raise Malformed("bad-user-name")
    chap = raw(packet, CHAP_PASSWORD)
    if chap is not None:
        challenge = raw(packet, CHAP_CHALLENGE) or packet.authenticator
        credentials = Credentials(chap_password=chap, chap_challenge=challenge)
    elif (hidden := raw(packet, USER_PASSWORD)) is not None:
        try:
            password = packet.decrypt_password(hidden)
        except PacketError:
            raise Malformed("bad-password") from None
        credentials = Credentials(password=password)
    else:
        credentials = Credentials()
    return AccessRequest(client, user_name, credentials, mac_of(packet))


def accounting_request(packet: ReceivedPacket, client: Client) -> AccountingRequest:
    """The handler's view of an Accounting-Request. Raises Malformed.

    Start, Stop and Interim-Update must name their session (RFC 2866 section 5.5);
    octet counters over `MAX_SESSION_OCTETS` are "bad-counter".
    """
    status = integer(packet, ACCT_STATUS)
    session_id = text(packet, ACCT_SESSION_ID)
    if status in (1, 2, 3) and not session_id:
        raise Malformed("no-session-id")
    if session_id is not None and (len(session_id) > 64 or "\x00" in session_id):
        raise Malformed("bad-session-id")
    input_octets = combine_gigawords(integer(packet, ACCT_IN), integer(packet, ACCT_IN_GIGA))
    output_octets = combine_gigawords(integer(packet, ACCT_OUT), integer(packet, ACCT_OUT_GIGA))
    if max(input_octets, output_octets) > MAX_SESSION_OCTETS:
        raise Malformed("bad-counter")
    framed = raw(packet, FRAMED_IP)
    framed_ip = str(ipaddress.IPv4Address(framed)) if framed and len(framed) == 4 else None
    cause = integer(packet, ACCT_TERMINATE)
    return AccountingRequest(
        point=client,
        status=status,
        acct_session_id=session_id,
        mac=mac_of(packet),
        user_name=text(packet, USER_NAME),
        class_=raw(packet, CLASS),
        session_seconds=integer(packet, ACCT_SESSION_TIME),
        input_octets=input_octets,
        output_octets=output_octets,
        framed_ip=framed_ip,
        terminate_cause=TERMINATE_CAUSES.get(cause, str(cause)) if cause else None,
        delay_seconds=integer(packet, ACCT_DELAY),
    )
