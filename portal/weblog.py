"""gunicorn's own log without client addresses.

gunicorn writes the client's address into its error log when a request is malformed
("Invalid request from ip=…"), and a malformed request line or header can carry a
MAC address (the hotspot's login URL does). The README promises no client IP and no
raw MAC in any log, so `PrivateLogger` (gunicorn's ``logger_class``, set by ``wifidesa
serve`` and ``deploy/gunicorn.conf.py``) puts `ClientAddressFilter` on gunicorn's
error and access loggers: every IP address except the ones gunicorn listens on, and
every MAC address, becomes a placeholder in the message and in a traceback's text.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable

from gunicorn.glogging import Logger

ADDRESS = "<address>"
MAC = "<mac>"
_HEX = "[0-9A-Fa-f]"
_MAC = re.compile(
    rf"(?<!{_HEX}){_HEX}{{2}}(?:(?::|-|%3[Aa]|%2[Dd]){_HEX}{{2}}){{5}}(?![0-9A-Fa-f:-])"
    rf"|(?<![0-9A-Fa-f.]){_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}}(?![0-9A-Fa-f.])"
)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])")


def scrub(text: str, keep: frozenset[str] = frozenset()) -> str:
    """``text`` with every MAC address and every IP address replaced, except an
    address written as one of the ``keep`` binds ("127.0.0.1:8080", "[::1]:8080"):
    where gunicorn listens, never a client (one on the same host included)."""
    text = _MAC.sub(MAC, text)
    for pattern in (_IPV4, _IPV6):
        text = pattern.sub(lambda found: _replacement(found, keep), text)
    return text


def _replacement(found: re.Match[str], keep: frozenset[str]) -> str:
    value, start = found.group(0), found.start()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return value  # a time of day, a version number: not an address
    written = found.string[start - 1 if start and found.string[start - 1] == "[" else start :]
    for bind in keep:
        if written.startswith(bind) and not written[len(bind) : len(bind) + 1].isdigit():
            return value
    return ADDRESS


class ClientAddressFilter(logging.Filter):
    """Replaces client addresses in a record's message and exception text; passes all."""

    def __init__(self, keep: Iterable[str] = ()) -> None:
        super().__init__()
        self.keep = frozenset(keep)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message, self.keep)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, self.keep)
        return True


class PrivateLogger(Logger):
    """gunicorn's logger with `ClientAddressFilter` on its error and access logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        keep = [bind for bind in cfg.bind if not bind.startswith("unix:")]
        for log in (self.error_log, self.access_log):
            for old in [f for f in log.filters if isinstance(f, ClientAddressFilter)]:
                log.removeFilter(old)  # a reload runs setup again
            log.addFilter(ClientAddressFilter(keep))
