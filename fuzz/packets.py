"""RADIUS packets for the fuzzers: a lenient attribute-list codec, signing after
mutation, a structure-aware mutator, and reply checks.

Signed-mode inputs are packets in *canonical form*: the User-Password attribute holds
the cleartext and the Message-Authenticator any 16 octets. `sign` turns one into
what a router with the gateway's secret would send: a fresh Request Authenticator
(derived from the input, so a replay of the same input is a retransmission), the
password encrypted (RFC 2865 5.2), the Message-Authenticator computed (RFC 3579 3.2)
and, for accounting, the Request Authenticator (RFC 2866 3).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import struct
from collections.abc import Callable

USER_NAME, USER_PASSWORD, CHAP_PASSWORD, VENDOR_SPECIFIC = 1, 2, 3, 26
CALLING_STATION, NAS_IDENTIFIER, PROXY_STATE = 31, 32, 33
ACCT_STATUS, CHAP_CHALLENGE, MESSAGE_AUTHENTICATOR = 40, 60, 80
ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_REJECT = 1, 2, 3
ACCOUNTING_REQUEST, ACCOUNTING_RESPONSE = 4, 5
STATUS_SERVER = 12
INTEGER_ATTRIBUTES = (5, 6, 27, 28, 40, 41, 42, 43, 45, 46, 47, 48, 49, 52, 53, 55, 61, 85)
INTERESTING_INTEGERS = (0, 1, 2, 3, 7, 8, 15, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 86_400, 1 << 20)

Attributes = list[tuple[int, bytes]]


def parse(data: bytes) -> tuple[int, int, bytes, Attributes, bytes]:
    """Code, identifier, authenticator, the attributes that parse, and the rest.

    Never raises: a short header reads as zeros; parsing stops at the first attribute
    whose length is impossible, and the octets from there on are the rest.
    """
    header = data[:20].ljust(20, b"\0")
    attributes: Attributes = []
    position = 20
    while position + 2 <= len(data):
        size = data[position + 1]
        if size < 2 or position + size > len(data):
            break
        attributes.append((data[position], data[position + 2 : position + size]))
        position += size
    return header[0], header[1], header[4:20], attributes, data[max(position, 20) :]


def build(code: int, ident: int, authenticator: bytes, attributes: Attributes, rest=b"") -> bytes:
    """The packet with these parts; Length is the whole datagram (values cut to 253)."""
    body = b"".join(bytes([key & 0xFF, len(v[:253]) + 2]) + v[:253] for key, v in attributes)
    body += rest
    return struct.pack("!BBH", code & 0xFF, ident & 0xFF, (20 + len(body)) & 0xFFFF) + (
        authenticator[:16].ljust(16, b"\0") + body
    )


def first(attributes: Attributes, key: int) -> bytes | None:
    return next((value for k, value in attributes if k == key), None)


def encrypt_password(cleartext: bytes, secret: bytes, authenticator: bytes) -> bytes:
    """User-Password hiding (RFC 2865 section 5.2); at most 128 octets of cleartext."""
    padded = cleartext[:128]
    if len(padded) % 16 or not padded:
        padded += bytes(16 - len(padded) % 16)
    out, last = b"", authenticator
    for start in range(0, len(padded), 16):
        pad = hashlib.md5(secret + last).digest()  # noqa: S324 (RFC 2865)
        last = bytes(a ^ b for a, b in zip(padded[start : start + 16], pad, strict=True))
        out += last
    return out


def sign(data: bytes, secrets: dict[str, str], default_nas: str) -> bytes:
    """What a router holding the gateway's secret would send for canonical ``data``.

    The secret is the one of the packet's NAS-Identifier (``default_nas``'s if unknown).
    Attributes after an unparseable one are kept as they are (the packet then stays
    malformed). Code 4 is signed as accounting, anything else as an Access-Request.
    """
    code, ident, _, attributes, rest = parse(data)
    nas = (first(attributes, NAS_IDENTIFIER) or b"").decode("utf-8", "replace")
    secret = secrets.get(nas, secrets[default_nas]).encode()
    accounting = code == ACCOUNTING_REQUEST
    if accounting:
        authenticator = bytes(16)
    else:
        authenticator = hashlib.md5(data).digest()  # noqa: S324 (a nonce, not security)
        attributes = [
            (k, encrypt_password(v, secret, authenticator) if k == USER_PASSWORD else v)
            for k, v in attributes
        ]
    packet = build(code, ident, authenticator, attributes, rest)
    position = _message_authenticator_at(packet)
    if position is not None:  # RFC 3579: the HMAC is over the packet with the value zeroed
        packet = packet[: position + 2] + bytes(16) + packet[position + 18 :]
        digest = hmac.new(secret, packet, hashlib.md5).digest()
        packet = packet[: position + 2] + digest + packet[position + 18 :]
    if accounting:
        digest = hashlib.md5(packet + secret).digest()  # noqa: S324 (RFC 2866)
        packet = packet[:4] + digest + packet[20:]
    return packet


def _message_authenticator_at(packet: bytes) -> int | None:
    """Offset of the first well-formed Message-Authenticator, or None."""
    position = 20
    while position + 2 <= len(packet):
        key, size = packet[position], packet[position + 1]
        if size < 2:
            return None
        if key == MESSAGE_AUTHENTICATOR and size == 18:
            return position
        position += size
    return None


def reply_ok(request: bytes, reply: bytes, secret: bytes) -> str | None:
    """None when ``reply`` is a correctly signed answer to ``request``, else what is wrong.

    Access replies, and answers to Status-Server, must carry a Message-Authenticator
    first (BlastRADIUS) that verifies.
    """
    if len(reply) < 20 or struct.unpack("!H", reply[2:4])[0] != len(reply):
        return "reply length"
    if reply[1] != request[1]:
        return "reply identifier"
    accounting = request[0] == ACCOUNTING_REQUEST
    if request[0] == STATUS_SERVER:  # RFC 5997: Accept or Accounting-Response, by port
        expected_codes: tuple[int, ...] = (ACCESS_ACCEPT, ACCOUNTING_RESPONSE)
    else:
        expected_codes = (ACCOUNTING_RESPONSE,) if accounting else (ACCESS_ACCEPT, ACCESS_REJECT)
    if reply[0] not in expected_codes:
        return f"reply code {reply[0]}"
    vector = request[4:20]
    expected = hashlib.md5(reply[:4] + vector + reply[20:] + secret).digest()  # noqa: S324
    if not hmac.compare_digest(expected, reply[4:20]):
        return "response authenticator"
    if not accounting:
        if reply[20:22] != bytes([MESSAGE_AUTHENTICATOR, 18]):
            return "no Message-Authenticator first"
        zeroed = reply[:4] + vector + reply[20:22] + bytes(16) + reply[38:]
        if not hmac.compare_digest(hmac.new(secret, zeroed, hashlib.md5).digest(), reply[22:38]):
            return "Message-Authenticator"
    return None


class Mutator:
    """Structure-aware mutations of canonical packets.

    ``pool`` holds attributes worth inserting (every seed's, plus the world's
    usernames, MACs and codes); ``bytes_mutate(data, max_size)`` mutates octets
    (atheris.Mutate under atheris, a random one otherwise); ``chap`` gives the
    password of a grant username so a mutated login can still prove it.
    """

    def __init__(
        self,
        pool: Attributes,
        bytes_mutate: Callable[[bytes, int], bytes],
        chap: Callable[[str], str | None],
    ) -> None:
        self.pool, self.bytes_mutate, self.chap = pool, bytes_mutate, chap

    def __call__(self, data: bytes, rng: random.Random, max_size: int = 4096) -> bytes:
        code, ident, authenticator, attributes, rest = parse(data)
        choice = rng.randrange(10)
        if choice == 0 or not attributes:
            return self.bytes_mutate(data, max_size)
        index = rng.randrange(len(attributes))
        key, value = attributes[index]
        if choice == 1:
            attributes[index] = (key, self.bytes_mutate(value, 253))
        elif choice == 2:
            del attributes[index]
        elif choice == 3:
            attributes.insert(rng.randrange(len(attributes) + 1), rng.choice(self.pool))
        elif choice == 4:
            attributes.insert(index, (key, value))
        elif choice == 5:
            number = rng.choice((*INTERESTING_INTEGERS, rng.getrandbits(32)))
            target = rng.choice([k for k, _ in attributes if k in INTEGER_ATTRIBUTES] or [key])
            attributes = [
                (k, struct.pack("!L", number) if k == target else v) for k, v in attributes
            ]
        elif choice == 6:
            other = rng.randrange(len(attributes))
            attributes[index], attributes[other] = attributes[other], attributes[index]
        elif choice == 7:
            replacement = rng.choice(self.pool)
            attributes = [a for a in attributes if a[0] != replacement[0]] + [replacement]
        elif choice == 8:
            code = rng.choice((ACCESS_REQUEST, ACCOUNTING_REQUEST, code, rng.randrange(256)))
            ident = rng.randrange(256)
        else:
            rest = self.bytes_mutate(rest, 64) if rng.random() < 0.2 else b""
        return self.fix_chap(build(code, ident, authenticator, attributes, rest), rng)[:max_size]

    def fix_chap(self, data: bytes, rng: random.Random) -> bytes:
        """Now and then, prove a grant's password with CHAP again (a real login)."""
        code, ident, authenticator, attributes, rest = parse(data)
        user = first(attributes, USER_NAME)
        password = self.chap((user or b"").decode("utf-8", "replace"))
        if password is None or rng.random() < 0.5:
            return data
        challenge = first(attributes, CHAP_CHALLENGE) or rng.randbytes(16)
        ident_byte = bytes([rng.randrange(256)])
        response = hashlib.md5(ident_byte + password.encode() + challenge).digest()  # noqa: S324
        attributes = [a for a in attributes if a[0] not in (CHAP_PASSWORD, CHAP_CHALLENGE)]
        attributes += [(CHAP_CHALLENGE, challenge), (CHAP_PASSWORD, ident_byte + response)]
        return build(code, ident, authenticator, attributes, rest)


def random_bytes_mutate(rng: random.Random) -> Callable[[bytes, int], bytes]:
    """A plain octet mutator (flip, set, insert, delete, truncate) for use without atheris."""

    def mutate(data: bytes, max_size: int) -> bytes:
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            action = rng.randrange(5)
            position = rng.randrange(len(out) + 1)
            if action == 0 and out:
                out[min(position, len(out) - 1)] ^= 1 << rng.randrange(8)
            elif action == 1 and out:
                out[min(position, len(out) - 1)] = rng.choice((0, 1, 2, 0xFF, rng.randrange(256)))
            elif action == 2:
                out[position:position] = rng.randbytes(rng.randint(1, 8))
            elif action == 3:
                del out[position : position + rng.randint(1, 8)]
            else:
                del out[position:]
        return bytes(out[:max_size])

    return mutate
