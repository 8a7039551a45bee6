"""The hotspot servlet: the router's own web server that phones talk to (loopback HTTP).

MikroTik manual, "Hotspot customisation" → "Serving Servlet Pages" (reference §1.1):
* a request for another host → rlogin.html, or redirect.html (here: a 302) to the login page;
* "/" → rstatus/rlogin, or a redirect to the status or login page;
* "/login": logged in → alogin.html; no username and no error → login.html; a failed login
  → flogin.html, else login.html;
* "/status": logged in → status.html, else fstatus.html or a redirect to login;
* "/logout": logged in → logout.html (the session ends), else flogout.html or a redirect;
* any other file of the html-directory is served as is; .html/.htm/.txt are substituted
  (`substitution.render_response`); a missing file is a 404 ("Note" of that section).
Login data come by POST or GET (reference §1.3). `md5.js` is the router's own file: the
twin serves `routeros/md5.js` when the html-directory has none.

The twin cannot see a phone's MAC at layer 2, so the phone names it in an `X-Twin-Mac`
header (the stand-in for the hotspot's host table); a request without one is device
02:00:00:00:00:01.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from portal.simulator.routeros.pages import Flash, page_variables
from portal.simulator.routeros.substitution import TemplateError, render_response

__all__ = ["Servlet"]

MD5_JS = Path(__file__).with_name("md5.js").read_bytes()
DEFAULT_MAC = "02:00:00:00:00:01"
_TYPES = {".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".js": "application/javascript",
          ".json": "application/json", ".css": "text/css"}  # fmt: skip


class Servlet:
    """Serves `flash` for `hotspot` on 127.0.0.1; `.address` is (host, port)."""

    def __init__(self, hotspot, flash: Flash) -> None:
        self.hotspot = hotspot
        self.flash = flash
        self.requests = 0
        handler = type("Handler", (_Handler,), {"servlet": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.address = self._server.server_address[:2]
        # $(hostname): the hotspot's address on the village network; phones reach it there
        self.hostname = hotspot.config.hotspot_address
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Servlet:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    servlet: Servlet
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass  # a router's log is no place for a phone's address; the twin logs nothing

    def do_GET(self) -> None:
        self._route({})

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self._route(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))

    def _route(self, form: dict[str, str]) -> None:
        servlet = self.servlet
        servlet.requests += 1
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        params.update(form)
        mac = self.headers.get("X-Twin-Mac", DEFAULT_MAC)[:17]
        host = servlet.hotspot.host(mac)
        logged_in = host.active is not None
        if (self.headers.get("Host") or servlet.hostname) != servlet.hostname:
            if logged_in:  # the internet, as far as the twin goes: the phone's probe passes
                return self._send(204, b"", "text/plain")
            orig = f"http://{self.headers.get('Host')}{self.path}"
            return self._redirect(f"http://{servlet.hostname}/login?dst={_esc(orig)}")
        path = url.path
        if path == "/":
            target = "status" if logged_in else "login"
            return self._redirect(f"http://{servlet.hostname}/{target}")
        if path == "/login":
            return self._login(host, params)
        if path == "/status":
            if logged_in:
                return self._page("status.html", host)
            return self._fallback("fstatus.html", host)
        if path == "/logout":
            if logged_in:
                self._page("logout.html", host)  # final figures, then the session ends
                servlet.hotspot.logout(mac, "User-Request")
                return None
            return self._fallback("flogout.html", host)
        name = path.lstrip("/")
        if name == "md5.js" and not servlet.flash.has(name):
            return self._send(200, MD5_JS, _TYPES[".js"])
        if servlet.flash.has(name):
            return self._page(name, host)
        return self._send(404, b"Error 404", "text/plain")

    def _login(self, host, params: dict[str, str]) -> None:
        hotspot = self.servlet.hotspot
        username = params.get("username", "")
        dst = params.get("dst", "")
        if host.active is None and username:
            result = hotspot.login(host.mac, username, params.get("password", ""))
            if not result.ok:
                page = "flogin.html" if self.servlet.flash.has("flogin.html") else "login.html"
                error = self.servlet.flash.error_text(result.error_key, result.error_orig, username)
                return self._page(page, host, error=error, error_orig=result.error_orig or error,
                                  dst=dst, username=username)  # fmt: skip
        if host.active is not None:
            if self.servlet.flash.has("alogin.html"):
                return self._page("alogin.html", host, dst=dst)
            return self._redirect(dst or f"http://{self.servlet.hostname}/status")
        return self._page("login.html", host, dst=dst)

    def _fallback(self, name: str, host) -> None:
        if self.servlet.flash.has(name):
            return self._page(name, host)
        return self._redirect(f"http://{self.servlet.hostname}/login")

    def _page(self, name: str, host, **extra: str) -> None:
        data = self.servlet.flash.read(name)
        suffix = Path(name).suffix
        if suffix not in (".html", ".htm", ".txt"):
            return self._send(200, data, _TYPES.get(suffix, "application/octet-stream"))
        variables = page_variables(self.servlet, host, name, dict(self.headers), **extra)
        try:
            rendered = render_response(data.decode("utf-8", "replace"), variables)
        except TemplateError:
            return self._send(500, b"Error 500", "text/plain")
        status = rendered.status[0] if rendered.status else 200
        headers = {"Content-Type": _TYPES[suffix], "Cache-Control": "no-cache", **rendered.headers}
        return self._send(status, rendered.body.encode(), headers)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", {"Location": location, "Cache-Control": "no-cache"})

    def _send(self, status: int, body: bytes, headers: dict[str, str] | str) -> None:
        if isinstance(headers, str):
            headers = {"Content-Type": headers}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _esc(value: str) -> str:
    return urllib.parse.quote_plus(value, safe="")
