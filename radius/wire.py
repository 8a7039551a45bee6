"""The hot path of the packet codec: pyrad's packets with a leaner decoder and reply encoder.

pyrad stays the codec: its packet classes, dictionary, value encoders, password cipher
and vendor-attribute parser. Two of its steps cost more than everything else a request
needs on these small machines, so they are done directly here:

* `DecodePacket` splits attributes with plain dict operations (pyrad calls a dictionary
  lookup and overridden ``__contains__``/``__setitem__`` per attribute), and is stricter:
  an attribute running past the packet's Length is malformed (RFC 2865 section 5),
  where pyrad silently shortens it.
* `ReplyEncoder` builds a reply from already encoded attributes in one pass, with the
  Message-Authenticator as first attribute (BlastRADIUS), where pyrad encodes the
  attribute list twice and looks every name up again.

The tests check both against pyrad's own client, which verifies every reply.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections import OrderedDict

from pyrad import tools
from pyrad.dictionary import Dictionary
from pyrad.packet import AcctPacket, AuthPacket, PacketError

MAX_LENGTH = 4096  # RFC 2865 section 3
PROXY_STATE, MESSAGE_AUTHENTICATOR, VENDOR_SPECIFIC = 33, 80, 26
_MA_PLACEHOLDER = bytes([MESSAGE_AUTHENTICATOR, 18]) + bytes(16)


class _LeanDecode:
    """Replaces `pyrad.packet.Packet.DecodePacket` (same resulting packet contents)."""

    def DecodePacket(self, packet: bytes) -> None:  # noqa: N802 (pyrad's method name)
        if len(packet) < 20:
            raise PacketError("Packet header is corrupt")
        length = (packet[2] << 8) | packet[3]
        if length < 20 or len(packet) < length:
            raise PacketError("Packet has invalid length")
        if length > MAX_LENGTH:
            raise PacketError("Packet length is too long")
        packet = packet[:length]  # octets past Length are padding (RFC 2865 section 3)
        self.code, self.id, self.authenticator = packet[0], packet[1], packet[4:20]
        self.raw_packet = packet
        self.clear()
        attributes: dict[object, list[bytes]] = {}
        position = 20
        while position < length:
            if length - position < 2:
                raise PacketError("Attribute header is corrupt")
            key, size = packet[position], packet[position + 1]
            if size < 2 or position + size > length:
                raise PacketError("Attribute length is invalid")
            value = packet[position + 2 : position + size]
            if key == VENDOR_SPECIFIC:
                for vendor_key, vendor_value in self._PktDecodeVendorAttribute(value):
                    attributes.setdefault(vendor_key, []).append(vendor_value)
            else:
                if key == MESSAGE_AUTHENTICATOR:
                    self.message_authenticator = True
                attributes.setdefault(key, []).append(value)
            position += size
        for key, values in attributes.items():
            OrderedDict.__setitem__(self, key, values)


class AccessRequestPacket(_LeanDecode, AuthPacket):
    """A received Access-Request."""


class AccountingRequestPacket(_LeanDecode, AcctPacket):
    """A received Accounting-Request."""


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
        request: AuthPacket | AcctPacket,
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
        for state in dict.get(request, PROXY_STATE, ()):
            body += bytes([PROXY_STATE, len(state) + 2]) + state
        secret, vector = request.secret, request.authenticator
        if sign:
            length = 20 + len(_MA_PLACEHOLDER) + len(body)
            header = struct.pack("!BBH", code, request.id, length)
            digest = hmac.new(secret, header + vector + _MA_PLACEHOLDER + body, hashlib.md5)
            body = bytes([MESSAGE_AUTHENTICATOR, 18]) + digest.digest() + body
        else:
            header = struct.pack("!BBH", code, request.id, 20 + len(body))
        authenticator = hashlib.md5(header + vector + body + secret).digest()  # noqa: S324
        return header + authenticator + body
