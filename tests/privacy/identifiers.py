"""The raw identifiers the tests use, and finding them again in any text.

An `Identifiers` holds every MAC address and client IP the tests used: the literals in
the test sources, and what the app actually received while the suite ran (see
`tests.privacy.recorders`). `find` looks for each of them in a text in every notation a
program might write it: ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``aabb.ccdd.eeff``,
bare ``AABBCCDDEEFF``, upper or lower case, and URL-encoded separators (``%3A``).
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

_HEX = "[0-9A-Fa-f]"
_SEPARATED = re.compile(
    rf"(?<!{_HEX}){_HEX}{{2}}(?:(?::|-|%3[Aa]|%2[Dd]){_HEX}{{2}}){{5}}(?!{_HEX})"
)
_DOTTED = re.compile(rf"(?<![0-9A-Fa-f.]){_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}}(?![0-9A-Fa-f])")
_HEX_RUN = re.compile(rf"{_HEX}{{12,}}")
#: A whole IPv4 address: not part of a longer number or dotted run (``10.0.0.12``,
#: ``1.10.0.0.1``); a full stop may follow (``… 10.0.0.1.``). At most one such address
#: starts at any place, so each is found once.
_WHOLE_IPV4 = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9])(?!\.[0-9])")
_NOT_HEX = re.compile(r"%3[Aa]|%2[Dd]|[^0-9A-Fa-f]")

#: Where a client IP stands in the test sources: the router's `ip` field, a
#: Framed-IP-Address, a request's REMOTE_ADDR, the simulator's phone.
_CLIENT_IP_IN_SOURCE = re.compile(
    r"(?:framed_ip|Framed-IP-Address|client_ip|REMOTE_ADDR|[\"']ip[\"'])[^\n\d]{0,20}?"
    r"((?:\d{1,3}\.){3}\d{1,3})"
)


def bare_mac(text: str) -> str | None:
    """``AABBCCDDEEFF`` for a MAC in any notation `find` knows, else None."""
    compact = _NOT_HEX.sub("", text).upper()
    return compact if len(compact) == 12 else None


def client_ip(text: str) -> str | None:
    """The IPv4 address in ``text`` when it may be a phone's, else None (loopback,
    0.0.0.0 and non-addresses are not client IPs)."""
    try:
        address = ipaddress.IPv4Address(text.strip())
    except ValueError:
        return None
    if address.is_loopback or address.is_unspecified:
        return None
    return str(address)


def mask(identifier: str) -> str:
    """The identifier with its middle hidden, for reports: ``BC:…:4D``, ``10.….2``."""
    if len(identifier) == 12 and "." not in identifier:
        return f"{identifier[:2]}:…:{identifier[-2:]}"
    first, *_, last = identifier.split(".")
    return f"{first}.….{last}"


class Identifiers:
    """A thread-safe set of test MACs (bare upper-case hex) and client IPs."""

    def __init__(self) -> None:
        self.macs: set[str] = set()
        self.ips: set[str] = set()
        self._lock = threading.Lock()

    def add_mac(self, raw: object) -> None:
        if isinstance(raw, bytes):
            raw = raw.decode("latin-1")
        if isinstance(raw, str):
            found = bare_mac(raw)
            if found is not None and _looks_like_mac(raw):
                with self._lock:
                    self.macs.add(found)

    def add_ip(self, raw: object) -> None:
        if isinstance(raw, str) and (found := client_ip(raw)) is not None:
            with self._lock:
                self.ips.add(found)

    def add_sources(self, paths: Iterable[Path]) -> None:
        """Every MAC literal and every client-IP literal in these source files."""
        for path in paths:
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in _SEPARATED.finditer(text):
                self.add_mac(match.group())
            for match in _DOTTED.finditer(text):
                self.add_mac(match.group())
            for match in _CLIENT_IP_IN_SOURCE.finditer(text):
                self.add_ip(match.group(1))

    def find(self, text: str) -> Iterator[tuple[str, str]]:
        """Yield (identifier, as written) for every test identifier in ``text``."""
        macs, ips = self.macs, self.ips
        for pattern in (_SEPARATED, _DOTTED):
            for match in pattern.finditer(text):
                found = bare_mac(match.group())
                if found in macs:
                    yield found, match.group()
        for match in _HEX_RUN.finditer(text):
            run = match.group().upper()
            for start in range(len(run) - 11):
                window = run[start : start + 12]
                if window in macs and _distinctive(window):
                    yield window, match.group()[start : start + 12]
        if "." not in text:
            return
        # Every whole address in one pass, each looked up: with thousands of addresses
        # recorded, a search of the text for each of them took most of a scan.
        for match in _WHOLE_IPV4.finditer(text):
            if match.group() in ips:
                yield match.group(), match.group()


def _looks_like_mac(raw: str) -> bool:
    return bool(_SEPARATED.fullmatch(raw) or _DOTTED.fullmatch(raw) or _HEX_RUN.fullmatch(raw))


def _distinctive(bare: str) -> bool:
    """Whether a bare-hex MAC is unlikely to occur by chance in other hex (00…00 is not)."""
    return len(set(bare)) >= 3


# --- what a router sends: RADIUS datagrams -----------------------------------------------

_USER_NAME, _FRAMED_IP, _CALLING_STATION = 1, 8, 31
_REQUEST_CODES = {1, 4, 40, 43}  # Access-, Accounting-, Disconnect-, CoA-Request


def add_datagram(identifiers: Identifiers, data: bytes) -> None:
    """Record Calling-Station-Id, a MAC User-Name and Framed-IP-Address of a RADIUS request
    (anything else, or a malformed packet, records nothing)."""
    if len(data) < 20 or data[0] not in _REQUEST_CODES:
        return
    if int.from_bytes(data[2:4], "big") != len(data):
        return
    position = 20
    while position + 2 <= len(data):
        kind, length = data[position], data[position + 1]
        if length < 2 or position + length > len(data):
            return
        value = data[position + 2 : position + length]
        if kind in (_CALLING_STATION, _USER_NAME):
            identifiers.add_mac(value)
        elif kind == _FRAMED_IP and len(value) == 4:
            identifiers.add_ip(str(ipaddress.IPv4Address(value)))
        position += length
