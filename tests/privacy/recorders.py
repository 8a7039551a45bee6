"""What the app actually received during the run, recorded as test identifiers.

Literals in the sources miss generated MACs (``f"02:00:…:{n:02X}"``) and addresses a
helper builds; these hooks record them where they enter the app:

- every MAC the app (or a test helper) normalises, through `normalize_mac` and the
  RADIUS decoder's `mac_of`, and every Framed-IP-Address the decoder reads;
- every request a Flask app in this process served: its REMOTE_ADDR (unless
  loopback), X-Forwarded-For, and the router's ``mac`` and ``ip`` fields;
- every RADIUS request the tests send over UDP (`add_datagram`, called by the
  loopback guard), which is how identifiers reach servers in other processes.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import flask

from tests.privacy.identifiers import Identifiers

_ROUTER_FIELDS = {"mac": "mac", "ip": "ip", "mac-esc": "mac"}
_WRAPPED = "__privacy_recorder__"
_WRAPPERS: dict[Any, Any] = {}


def install(ids: Identifiers) -> None:
    """Connect the Flask recorder (once per process)."""

    def served(sender: flask.Flask, **extra: Any) -> None:
        request = flask.request
        ids.add_ip(request.remote_addr or "")
        for forwarded in request.headers.getlist("X-Forwarded-For"):
            for address in forwarded.split(","):
                ids.add_ip(address)
        sources = [request.args]
        if "form" in request.__dict__:  # only what the view parsed: reading it could fail
            sources.append(request.form)
        for values in sources:
            for field, kind in _ROUTER_FIELDS.items():
                for value in values.getlist(field):
                    (ids.add_mac if kind == "mac" else ids.add_ip)(value)

    flask.request_finished.connect(served, weak=False)
    flask.got_request_exception.connect(served, weak=False)


def wrap_loaded(ids: Identifiers) -> None:
    """Point every loaded module's `normalize_mac`, and the decoder's `mac_of` and
    `accounting_request`, at recording wrappers (modules loaded since are caught on
    the next call; wrapping twice is avoided)."""
    pseudonyms = sys.modules.get("portal.domain.pseudonyms")
    if pseudonyms is not None:
        original = _unwrapped(pseudonyms.normalize_mac)
        wrapper = _WRAPPERS.get(original)
        if wrapper is None:
            wrapper = _recording(original, lambda args, result: ids.add_mac(result))
            _WRAPPERS[original] = wrapper
        for name, module in list(sys.modules.items()):
            ours = name.startswith(("portal", "radius", "tests")) and module is not None
            if ours and getattr(module, "normalize_mac", None) is original:
                module.normalize_mac = wrapper  # type: ignore[attr-defined]
    decode = sys.modules.get("radius.decode")
    if decode is not None and not hasattr(decode.mac_of, _WRAPPED):
        decode.mac_of = _recording(decode.mac_of, lambda args, result: ids.add_mac(result))
        decode.accounting_request = _recording(
            decode.accounting_request, lambda args, result: ids.add_ip(result.framed_ip)
        )


def _unwrapped(function: Any) -> Any:
    return getattr(function, _WRAPPED, function)


def _recording(function: Callable[..., Any], record: Callable[[tuple, Any], None]) -> Any:
    if hasattr(function, _WRAPPED):
        return function

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if result is not None:
            record(args, result)
        return result

    setattr(wrapper, _WRAPPED, function)
    return wrapper
