"""The hot path of the packet codec: pyrad with a leaner request decoder and reply encoder.

pyrad stays the codec: its dictionary, value encoders, password cipher
and vendor-attribute parser. Two of its steps cost more than everything else a request
needs on these small machines, so they are done directly here:

* `decode_request` splits a received request's attributes into a plain dict by code
  (building a pyrad packet costs more than the split itself: its constructor and an
  ordered-dict insert per attribute), and is stricter: an attribute running past the
  packet's Length is malformed (RFC 2865 section 5), where pyrad silently shortens it.
  pyrad still parses vendor attributes and decrypts User-Password.
* `ReplyEncoder` builds a reply from already encoded attributes in one pass, with the
  Message-Authenticator as first attribute (BlastRADIUS), where pyrad encodes the
  attribute list twice and looks every name up again.

The tests check both against pyrad's own client, which verifies every reply.
"""

from __future__ import annotations

import hashlib
import struct
from collections import OrderedDict

from pyrad import tools
from pyrad.dictionary import Dictionary
from pyrad.packet import AuthPacket, PacketError

from portal.domain.keyring import prepared_hmac

MAX_LENGTH = 4096  # RFC 2865 section 3
PROXY_STATE, MESSAGE_AUTHENTICATOR, VENDOR_SPECIFIC = 33, 80, 26
_ZERO16 = bytes(16)
_MA_HEADER = bytes([MESSAGE_AUTHENTICATOR, 18])
_MA_PLACEHOLDER = _MA_HEADER + _ZERO16


class ReceivedPacket:
    """A received request: its header, and its attributes raw by code.

    ``attributes`` maps an attribute code (a ``(vendor, type)`` pair for vendor
    attributes) to its raw values in packet order. ``ma_offset`` is where the
    Message-Authenticator attribute starts (None when absent), so verifying it needs
    no second pass. ``secret`` is set by the shell once the client is known.
    """

    __slots__ = ("attributes", "authenticator", "code", "id", "ma_offset", "raw_packet", "secret")

    def __init__(self, data: bytes, attributes: dict, ma_offset: int | None) -> None:
        self.code, self.id, self.authenticator = data[0], data[1], data[4:20]
        self.raw_packet, self.attributes, self.ma_offset = data, attributes, ma_offset
        self.secret = b""

    def zeroed_message_authenticator(self) -> bytes:
        """The attributes with the (first) Message-Authenticator's value zeroed."""
        data, offset = self.raw_packet, self.ma_offset
        if offset is None:
            return data[20:]
        return data[20 : offset + 2] + _ZERO16 + data[offset + 18 :]

    def decrypt_password(self, value: bytes) -> str:
        """A User-Password in clear (pyrad's cipher, RFC 2865 section 5.2).

        Raises PacketError unless ``value`` is exactly the encryption of the result: pyrad
        refuses a length that is not a multiple of 16 octets but silently skips octets
        that are not UTF-8, and this also refuses those and passwords over 128 octets,
        so only exactly what the router sent can match (found by fuzz/radius_fuzz.py).
        """
        cipher = AuthPacket(id=self.id, secret=self.secret, authenticator=self.authenticator)
        password = cipher.PwDecrypt(value)
        try:
            exact = cipher.PwCrypt(password) == value
        except ValueError:  # over 128 octets
            exact = False
        if not exact:
            raise PacketError("User-Password is not a clean encryption")
        return password


def decode_request(dictionary: Dictionary, packet: bytes) -> ReceivedPacket:
    """Split a received datagram into its attributes (pyrad parses vendor attributes).

    Stricter than pyrad: an attribute running past the packet's Length is malformed
    (RFC 2865 section 5), where pyrad silently shortens it. Raises PacketError.
    """
    if len(packet) < 20:
        raise PacketError("Packet header is corrupt")
    length = (packet[2] << 8) | packet[3]
    if length < 20 or len(packet) < length:
        raise PacketError("Packet has invalid length")
    if length > MAX_LENGTH:
        raise PacketError("Packet length is too long")
    packet = packet[:length]  # octets past Length are padding (RFC 2865 section 3)
    attributes: dict[object, list[bytes]] = {}
    found = attributes.get
    vendor_parser = None
    ma_offset = None
    position = 20
    while position < length:
        if length - position < 2:
            raise PacketError("Attribute header is corrupt")
        key, end = packet[position], position + packet[position + 1]
        if end < position + 2 or end > length:
            raise PacketError("Attribute length is invalid")
        if key == VENDOR_SPECIFIC:
            vendor_parser = vendor_parser or _vendor_parser(dictionary)
            for vendor_key, value in vendor_parser._PktDecodeVendorAttribute(
                packet[position + 2 : end]
            ):
                attributes.setdefault(vendor_key, []).append(value)
        else:
            if key == MESSAGE_AUTHENTICATOR and ma_offset is None:
                ma_offset = position
            values = found(key)
            if values is None:
                attributes[key] = [packet[position + 2 : end]]
            else:
                values.append(packet[position + 2 : end])
        position = end
    if vendor_parser is not None:  # pyrad adds TLV attributes to the parsing packet itself
        for key, values in OrderedDict.items(vendor_parser):
            attributes.setdefault(key, []).extend(values)
    return ReceivedPacket(packet, attributes, ma_offset)


def _vendor_parser(dictionary: Dictionary) -> AuthPacket:
    parser = AuthPacket.__new__(AuthPacket)
    OrderedDict.__init__(parser)
    parser.dict = dictionary
    return parser


class ReplyEncoder:
    """Encodes replies from (attribute name, value) pairs with a dictionary."""

    def __init__(self, dictionary: Dictionary) -> None:
        self._dictionary = dictionary
        # Most reply attributes repeat (timeouts, rate limits): remember their encoding.
        self._cache: dict[tuple[str, object], bytes] = {}

    def attribute(self, name: str, value: object) -> bytes:
        """One encoded attribute (a Vendor-Specific wrapper for vendor attributes).

        Raises KeyError for an unknown name, ValueError for a value over 253 octets.
        """
        key = (name, value)
        encoded = self._cache.get(key)
        if encoded is None:
            encoded = self._encode(name, value)
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = encoded
        return encoded

    def _encode(self, name: str, value: object) -> bytes:
        attr = self._dictionary.attributes[name]
        if attr.values.HasForward(value):
            encoded = attr.values.GetForward(value)
        else:
            encoded = tools.EncodeAttr(attr.type, value)
        if len(encoded) > 253 or (attr.vendor and len(encoded) > 247):
            raise ValueError(f"value of {name} is too long")
        if not attr.vendor:
            return bytes([attr.code, len(encoded) + 2]) + encoded
        vendor = self._dictionary.vendors.GetForward(attr.vendor)
        inner = bytes([attr.code, len(encoded) + 2]) + encoded
        return bytes([VENDOR_SPECIFIC, len(inner) + 6]) + struct.pack("!L", vendor) + inner

    def reply(
        self,
        request: ReceivedPacket,
        code: int,
        attributes: tuple[tuple[str, object], ...] = (),
        *,
        sign: bool,
    ) -> bytes:
        """The reply to ``request`` (its id, Request Authenticator and secret).

        Proxy-State attributes are copied in order (RFC 2865 section 5.33). With
        ``sign`` a Message-Authenticator comes first, computed over the reply with the
        Request Authenticator in the Authenticator field (RFC 3579 section 3.2).
        """
        body = b"".join(self.attribute(name, value) for name, value in attributes)
        for state in request.attributes.get(PROXY_STATE, ()):
            body += bytes([PROXY_STATE, len(state) + 2]) + state
        secret, vector = request.secret, request.authenticator
        if sign:
            length = 20 + len(_MA_PLACEHOLDER) + len(body)
            header = struct.pack("!BBH", code, request.id, length)
            digest = prepared_hmac(secret, "md5").digest(header + vector + _MA_PLACEHOLDER + body)
            body = _MA_HEADER + digest + body
        else:
            header = struct.pack("!BBH", code, request.id, 20 + len(body))
        authenticator = hashlib.md5(header + vector + body + secret).digest()  # noqa: S324
        return header + authenticator + body
