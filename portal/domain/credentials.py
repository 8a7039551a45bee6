"""How credentials are named on the wire, shared by the decision and the accounting.

A one-time grant's user name is ``wd-`` and 16 lowercase hex digits (anything else, a
NUL octet included, never reaches a grant query). A click-through from the router's own
page is ``wd-t`` and the id of the terms version the page showed. Every Access-Accept
carries a Class naming the credential it accepted, which the router echoes in its
accounting: "wd:g:<grant id>", "wd:v:<voucher id>", "wd:t:<terms version>" or "wd:m"
(MAC login). None carries personal data.
"""

from __future__ import annotations

import re

USERNAME_PREFIX = "wd-"
_GRANT_USERNAME = re.compile(re.escape(USERNAME_PREFIX) + "[0-9a-f]{16}")
_CLICK_THROUGH = re.compile(re.escape(USERNAME_PREFIX) + "t([1-9][0-9]{0,9})")
GRANT, VOUCHER, CLICK, MAC = "grant", "voucher", "click", "mac"
_KINDS = {GRANT: "g", VOUCHER: "v", CLICK: "t"}


def is_grant_username(username: str) -> bool:
    """Whether ``username`` has a grant's shape: the prefix and 16 lowercase hex digits."""
    return _GRANT_USERNAME.fullmatch(username) is not None


def click_through_username(terms_version_id: int) -> str:
    """The user name of a click-through that showed terms version ``terms_version_id``."""
    return f"{USERNAME_PREFIX}t{terms_version_id}"


def click_through_version(username: str) -> int | None:
    """The terms version a click-through user name names, or None when it is not one."""
    found = _CLICK_THROUGH.fullmatch(username)
    return int(found[1]) if found else None


def class_value(kind: str, ident: int | None = None) -> bytes:
    """The Class attribute for a credential: ``class_value("grant", 12)`` is b"wd:g:12"."""
    return b"wd:m" if kind == MAC else f"wd:{_KINDS[kind]}:{ident}".encode()


def parse_class(value: bytes | None) -> tuple[str, int | None, int | None]:
    """Credential kind, grant id and voucher id from our Class ("wd:g:12", "wd:v:3",
    "wd:t:4", "wd:m"); anything else is taken for a grant of unknown id."""
    text = (value or b"").decode("ascii", "replace")
    parts = text.split(":")
    if len(parts) == 3 and parts[0] == "wd" and parts[2].isdigit():
        if parts[1] == "g":
            return GRANT, int(parts[2]), None
        if parts[1] == "v":
            return VOUCHER, None, int(parts[2])
        if parts[1] == "t":
            return CLICK, None, None
    if text == "wd:m":
        return MAC, None, None
    return GRANT, None, None
