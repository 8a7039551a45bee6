"""Hypothesis strategies for RADIUS datagrams: arbitrary octets, signed MikroTik-shaped
requests edited octet by octet (`tampered`), and requests edited attribute by attribute
and signed again with the gateway's secret (`resigned`), which pass the integrity checks
and reach the decoders and handlers. Used by tests/radius/test_property.py.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from hypothesis import strategies as st

from fuzz.packets import (
    INTEGER_ATTRIBUTES,
    INTERESTING_INTEGERS,
    Attributes,
    build,
    parse,
    sign,
)

MAX_DATAGRAM = 4096  # RFC 2865 section 3
CLASS, ACCT_STATUS, VENDOR_SPECIFIC, MESSAGE_AUTHENTICATOR = 25, 40, 26, 80


# -- strategies ---------------------------------------------------------------------------

# The attributes the server reads (radius/decode.py), and the vendor wrapper.
READ = [1, 2, 3, 8, 25, 26, 31, 32, 40, 41, 42, 43, 44, 46, 49, 52, 53, 60, 80]
ATTRIBUTE_TYPES = st.one_of(st.integers(0, 255), st.sampled_from(READ))


@st.composite
def vendor_attributes(draw: st.DrawFn) -> tuple[int, bytes]:
    """A Vendor-Specific attribute (MikroTik's, WISPr's or anyone's), its inner length
    right or wrong."""
    vendor = draw(st.sampled_from([14988, 14122, 0, 0xFFFFFFFF]))
    kind, value = draw(st.integers(0, 255)), draw(st.binary(max_size=240))
    length = draw(st.one_of(st.just(len(value) + 2), st.integers(0, 255)))
    return VENDOR_SPECIFIC, struct.pack("!LBB", vendor, kind, length) + value


RANDOM_ATTRIBUTES = st.one_of(
    st.tuples(ATTRIBUTE_TYPES, st.binary(max_size=253)), vendor_attributes()
)


def any_datagram() -> st.SearchStrategy[bytes]:
    """Arbitrary octets (0 to 4096), or random attributes behind a header with a
    request's code and the right Length."""
    headed = st.builds(
        build,
        st.sampled_from([1, 4]),
        st.integers(0, 255),
        st.binary(min_size=16, max_size=16),
        st.lists(RANDOM_ATTRIBUTES, max_size=20),
    )
    return st.one_of(st.binary(max_size=MAX_DATAGRAM), headed)


def attribute_offsets(data: bytes) -> list[int]:
    """Where each attribute that parses starts."""
    offsets, position = [], 20
    while position + 2 <= len(data) and data[position + 1] >= 2:
        offsets.append(position)
        position += data[position + 1]
    return offsets


Edit = Callable[[st.DrawFn, bytearray], bytearray]


def flip_bits(draw: st.DrawFn, data: bytearray) -> bytearray:
    if data:
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return data


def cut_short(draw: st.DrawFn, data: bytearray) -> bytearray:
    return data[: draw(st.integers(0, max(len(data) - 1, 0)))]


def extend(draw: st.DrawFn, data: bytearray) -> bytearray:
    room = MAX_DATAGRAM - len(data)
    return data + draw(st.binary(min_size=min(1, room), max_size=min(room, 300)))


def insert_octets(draw: st.DrawFn, data: bytearray) -> bytearray:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]


def corrupt_attribute_length(draw: st.DrawFn, data: bytearray) -> bytearray:
    offsets = attribute_offsets(bytes(data))
    if offsets:
        data[draw(st.sampled_from(offsets)) + 1] = draw(st.integers(0, 255))
    return data


def corrupt_length_field(draw: st.DrawFn, data: bytearray) -> bytearray:
    if len(data) >= 4:
        data[2:4] = struct.pack("!H", draw(st.integers(0, 0xFFFF)))
    return data


OCTET_EDITS: list[Edit] = [
    flip_bits,
    cut_short,
    extend,
    insert_octets,
    corrupt_attribute_length,
    corrupt_length_field,
]


@st.composite
def tampered(draw: st.DrawFn, originals: list[bytes]) -> tuple[bytes, bytes]:
    """(original, tampered copy): a signed request edited by one to three octet edits."""
    original = draw(st.sampled_from(originals))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(OCTET_EDITS))(draw, data)
    return original, bytes(data[:MAX_DATAGRAM])


@st.composite
def edited_attributes(draw: st.DrawFn, attributes: Attributes, pool: Attributes) -> Attributes:
    """The attribute list after one edit: dropped, doubled, swapped, a value replaced,
    resized, flipped or set to an awkward integer, or another attribute inserted. Half
    the time the attribute edited is one of a type the server reads."""
    attributes = list(attributes)
    if not attributes:
        return [draw(RANDOM_ATTRIBUTES)]
    read = sorted({kind for kind, _ in attributes if kind in READ})
    if read and draw(st.booleans()):
        kind = draw(st.sampled_from(read))
        index = draw(st.sampled_from([i for i, a in enumerate(attributes) if a[0] == kind]))
    else:
        index = draw(st.integers(0, len(attributes) - 1))
    kind, value = attributes[index]
    edits = ["drop", "double", "swap", "replace", "resize", "flip", "integer", "add"]
    edit = draw(st.sampled_from(edits))
    if edit == "drop":
        del attributes[index]
    elif edit == "double":
        attributes.insert(index, (kind, value))
    elif edit == "swap":
        other = draw(st.integers(0, len(attributes) - 1))
        attributes[index], attributes[other] = attributes[other], attributes[index]
    elif edit == "replace":
        attributes[index] = (kind, draw(st.binary(max_size=253)))
    elif edit == "resize":  # the decoders check lengths: integers 4, CHAP 17, and so on
        size = draw(st.integers(0, len(value) + 8).filter(lambda n: n != len(value)))
        attributes[index] = (kind, (value + draw(st.binary(min_size=8, max_size=8)))[:size])
    elif edit == "flip" and value:
        flipped = flip_bits(draw, bytearray(value))
        attributes[index] = (kind, bytes(flipped))
    elif edit == "integer":
        targets = [k for k, _ in attributes if k in INTEGER_ATTRIBUTES] or [kind]
        target = draw(st.sampled_from(targets))
        number = draw(st.one_of(st.sampled_from(INTERESTING_INTEGERS), st.integers(0, 2**32 - 1)))
        attributes = [(k, struct.pack("!L", number) if k == target else v) for k, v in attributes]
    else:
        new = draw(st.one_of(st.sampled_from(pool), RANDOM_ATTRIBUTES))
        attributes.insert(draw(st.integers(0, len(attributes))), new)
    return attributes


@st.composite
def resigned(
    draw: st.DrawFn, canonicals: list[bytes], pool: Attributes, secrets: dict[str, str]
) -> bytes:
    """A request edited attribute by attribute (now and then its code changed or an
    attribute length corrupted), then signed with the gateway's secret as a router
    would (`fuzz.packets.sign` recomputes the Message-Authenticator)."""
    code, ident, authenticator, attributes, _ = parse(draw(st.sampled_from(canonicals)))
    for _ in range(draw(st.integers(1, 3))):
        attributes = draw(edited_attributes(attributes, pool))
    code = draw(st.sampled_from([code] * 20 + [1, 4, 43]))
    data = bytearray(build(code, ident, authenticator, attributes))
    if draw(st.integers(0, 9)) == 0:
        data = corrupt_attribute_length(draw, data)
    return sign(bytes(data[:MAX_DATAGRAM]), secrets, next(iter(secrets)))
