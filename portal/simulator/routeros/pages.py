"""The router's html-directory (its flash) and the `$(…)` variables of each page.

Variables and where each exists: MikroTik manual, "Hotspot customisation" → "Variables"
(reference §1.2, §8.2). error, error-orig, chap-id, chap-challenge and popup exist on the
login page only; traffic counters on the status page only. chap-id and chap-challenge are
written as 3-digit backslash-octal escapes per byte (§1.5). errors.txt maps error keys to
text, with variables allowed (§1.6).
"""

from __future__ import annotations

import threading

from portal.simulator.routeros.hotspot import Host
from portal.simulator.routeros.substitution import render

__all__ = ["FILES", "Flash", "page_variables"]

#: The files the scheduler fetches into the html-directory (issue 12's contract).
FILES = ("login.html", "status.html", "alogin.html", "logout.html", "flogin.html",
         "errors.txt", "api.json")  # fmt: skip
_LOGIN_PAGES = ("login.html", "flogin.html")

# Stock errors.txt keys and their English texts (reference §1.6). VERIFY-ON-ROUTER T7: the
# exact default wording; our pages get Indonesian ones from errors.txt anyway.
DEFAULT_ERRORS = {
    "invalid-username": "invalid username or password",
    "radius-timeout": "RADIUS server is not responding",
    "uptime-limit": "user $(username) has reached uptime limit",
    "traffic-limit": "user $(username) has reached traffic limit",
    "chap-missing": "web browser did not send challenge response (try again, enable JavaScript)",
    "radius-reply": "$(error-orig)",
}


class Flash:
    """Files by name, replaced all at once by a fetch; `version` is what the router holds."""

    def __init__(self, files: dict[str, bytes] | None = None, version: str = "") -> None:
        self._files = dict(files or {})
        self.version = version
        self._lock = threading.Lock()

    def has(self, name: str) -> bool:
        return name in self._files

    def read(self, name: str) -> bytes:
        return self._files[name]

    def replace(self, files: dict[str, bytes], version: str) -> None:
        with self._lock:
            self._files, self.version = dict(files), version

    def size(self) -> int:
        return sum(len(data) for data in self._files.values())

    def error_text(self, key: str, orig: str, username: str) -> str:
        """`$(error)`: errors.txt's text for `key`. A RADIUS Reply-Message overrides
        invalid-username (the stock errors.txt comment, §1.6)."""
        if key == "invalid-username" and orig:
            return orig
        texts = dict(DEFAULT_ERRORS)
        if self.has("errors.txt"):
            texts.update(_parse_errors(self.read("errors.txt").decode("utf-8", "replace")))
        return render(texts.get(key, key), {"username": username, "error-orig": orig})


def _parse_errors(text: str) -> dict[str, str]:
    """`key = text` lines; `#` starts a comment line (the stock file's format)."""
    texts = {}
    for line in text.splitlines():
        key, found, value = line.partition("=")
        if found and not line.lstrip().startswith("#"):
            texts[key.strip()] = value.strip()
    return texts


def octal(data: bytes) -> str:
    return "".join(f"\\{byte:03o}" for byte in data)


def _nice(octets: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if octets >= size:
            return f"{octets / size:.1f} {unit}"
    return f"{octets} B"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs or not text else "")


def page_variables(servlet, host: Host, page: str, headers: dict[str, str], **extra: str) -> dict:
    """Every variable of `page` for `host` (names as in the manual)."""
    hotspot, base = servlet.hotspot, f"http://{servlet.hostname}"
    session = host.active
    now = hotspot.clock.seconds()
    dst = extra.get("dst", "")
    values = {
        "hostname": servlet.hostname,
        "identity": hotspot.config.identity,
        "server-name": hotspot.config.server_name,
        "server-address": servlet.hostname,
        "ssl-login": "no",
        "plain-passwd": "yes" if "http-pap" in hotspot.login_by else "no",
        "login-by": "trial" if session and session.trial else ("http-chap" if session else ""),
        "link-login": f"{base}/login?dst={_esc(dst)}",
        "link-login-only": f"{base}/login",
        "link-logout": f"{base}/logout",
        "link-status": f"{base}/status",
        "link-orig": dst,
        "link-redirect": f"{base}/login",
        "mac": host.mac,
        "ip": host.ip,
        "logged-in": "yes" if session else "no",
        "trial": "yes" if hotspot.trial_available(host) else "no",
        "username": extra.get("username", session.username if session else ""),
        "session-id": "",
        "var": "",
        "advert-pending": "no",
    }
    values.update({name.lower(): value for name, value in headers.items()})
    if page in _LOGIN_PAGES:
        values.update(
            {
                "error": extra.get("error", ""),
                "error-orig": extra.get("error_orig", ""),
                "chap-id": octal(host.chap_id) if "http-chap" in hotspot.login_by else "",
                "chap-challenge": octal(host.chap_challenge)
                if "http-chap" in hotspot.login_by
                else "",
                "popup": "true",
            }
        )
    if session is not None:
        uptime = now - session.started
        left = None if session.session_timeout is None else session.session_timeout - uptime
        values.update(
            {
                "uptime": _duration(uptime),
                "uptime-secs": str(int(uptime)),
                "session-time-left": "" if left is None else _duration(max(left, 0)),
                "session-time-left-secs": "0" if left is None else str(int(max(left, 0))),
                "limit-bytes-total": "---"
                if session.total_limit is None
                else str(session.total_limit),
            }
        )
        if page == "status.html" or page == "logout.html":
            used = session.bytes_in + session.bytes_out
            remain = None if session.total_limit is None else max(session.total_limit - used, 0)
            values.update(
                {
                    "bytes-in": str(session.bytes_in),
                    "bytes-out": str(session.bytes_out),
                    "bytes-in-nice": _nice(session.bytes_in),
                    "bytes-out-nice": _nice(session.bytes_out),
                    # VERIFY-ON-ROUTER T6: remain-bytes-total (§8.2; not in the manual's list)
                    "remain-bytes-total": "---" if remain is None else str(remain),
                    "remain-bytes-total-nice": "---" if remain is None else _nice(remain),
                }
            )
    return values


def _esc(value: str) -> str:
    from portal.simulator.routeros.substitution import escape

    return escape(value)
