"""The portal served on 127.0.0.1 in a thread, for a browser or another process.

Werkzeug's request log writes the whole request line, and a router's ``GET /hotspot``
carries the phone's MAC and IP in its query string; the server here logs the method,
path and status only, as a deployment's logs must (gunicorn runs with no access log).
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class PathOnlyRequestHandler(WSGIRequestHandler):
    """Logs ``"GET /hotspot HTTP/1.1" 303 -``: never the query string."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(getattr(self, "path", "") or "").path
        line = f"{getattr(self, 'command', '-')} {path} {getattr(self, 'request_version', '')}"
        self.log("info", '"%s" %s %s', line.translate(self._control_char_table), code, size)


@contextmanager
def serve(app: Flask) -> Iterator[BaseWSGIServer]:
    """Serve ``app`` on 127.0.0.1 (a free port) until the block ends; yields the server."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=PathOnlyRequestHandler)
    with serving(server):
        yield server


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """Run ``server`` (bound already, loopback only) in a thread until the block ends;
    then stop it, close its socket and wait for the thread."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
