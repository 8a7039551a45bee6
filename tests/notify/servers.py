"""The far ends of the notification channels, on loopback: a real SMTP server (aiosmtpd,
STARTTLS with a throwaway CA's certificate, AUTH LOGIN) and a small fake of the Telegram
Bot API's ``sendMessage`` (http.server on a thread). Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.live import serving

MAIL_USER = "diskominfo@paserkab.go.id"
MAIL_PASSWORD = "sandi-smtp-yang-benar"
BOT_TOKEN = "123456789:AAE-uji_tokenBotWifiDesa0123456789ab"
CHAT_ID = "-1001234567890"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MailBox:
    """What the SMTP server received, and how it should answer the next messages."""

    host: str = "127.0.0.1"
    port: int = 0
    ca_file: str = ""
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[str]:
        with self.lock:
            return [f"{m['Subject']}\n{m.get_content()}" for m in self.messages]

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(m["Subject"]) for m in self.messages]


class _Handler:
    def __init__(self, box: MailBox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.box.lock:
            if self.box.fail_next > 0:
                self.box.fail_next -= 1
                return "451 4.3.0 Try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.box.messages.append(message)  # type: ignore[arg-type]
            self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK"


def _authenticator(box: MailBox):
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        ok = (user, password) == (MAIL_USER, MAIL_PASSWORD)
        if ok:
            with box.lock:
                box.logins.append((mechanism, user))
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(folder: Path) -> Iterator[MailBox]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS before AUTH LOGIN (PLAIN is
    switched off, so the client must speak LOGIN). Its certificate is issued by a
    throwaway CA whose PEM is at ``box.ca_file``."""
    ca = trustme.CA()
    ca_file = folder / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    box = MailBox(port=free_port(), ca_file=str(ca_file))
    controller = Controller(
        _Handler(box), hostname="127.0.0.1", port=box.port, tls_context=server_context,
        require_starttls=True, auth_required=True, auth_require_tls=True,
        auth_exclude_mechanism=["PLAIN"], authenticator=_authenticator(box),
    )  # fmt: skip
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class BotApi:
    """What the fake Bot API received, and how it should answer."""

    base_url: str = ""
    messages: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self) -> list[str]:
        with self.lock:
            return [str(m["text"]) for m in self.messages]


def _refusal(code: int, description: str) -> dict[str, object]:
    return {"ok": False, "error_code": code, "description": description}


@contextmanager
def bot_api() -> Iterator[BotApi]:
    """A fake of ``POST /bot<token>/sendMessage`` on 127.0.0.1: 401 for another token,
    400 for another chat, 502 while ``fail_next`` > 0, else ``{"ok": true}``."""
    state = BotApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append(self.path)
                if self.path != f"/bot{BOT_TOKEN}/sendMessage":
                    status, answer = 401, _refusal(401, "Unauthorized")
                elif str(body.get("chat_id")) != CHAT_ID:
                    status, answer = 400, _refusal(400, "Bad Request: chat not found")
                elif state.fail_next > 0:
                    state.fail_next -= 1
                    status, answer = 502, _refusal(502, "Bad Gateway")
                else:
                    state.messages.append(body)
                    status = 200
                    answer = {"ok": True, "result": {"message_id": len(state.messages),
                                                     "text": body.get("text")}}  # fmt: skip
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # the token is in the path
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_port}"
    with serving(server):
        yield state
