"""gunicorn's own error log, from a real gunicorn on 127.0.0.1: no client address, no MAC.

gunicorn names the client of a malformed request in its error log ("Invalid request
from ip=…") and quotes the bad line, where a phone's address or MAC may stand. The
portal runs it with `portal.weblog.PrivateLogger`; here a real gunicorn, started as
``wifidesa serve`` starts it, gets malformed requests on 127.0.0.1, and its log file,
kept under pytest's folder, is read here and again by the after-suite privacy scan
(which looks for ``client_ip`` below, a non-loopback address as a phone's would be).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.config import Settings
from portal.weblog import ClientAddressFilter, scrub
from tests.conftest import settings_env

REPO = Path(__file__).resolve().parents[1]
client_ip = "10.5.50.23"  # a phone behind the hotspot (the privacy scan looks for it)
MAC = "BC:24:11:EB:56:4D"
# `wifidesa serve`'s gunicorn, with the log in a file.
SERVE = """
import sys
from portal.cli.common import load_settings
from portal.cli.serve import PortalServer, gunicorn_options

port, log = int(sys.argv[1]), sys.argv[2]
options = gunicorn_options("127.0.0.1", port, 1)
options["errorlog"] = log
server = PortalServer(load_settings(), options)
if "control_socket_disable" in server.cfg.settings:
    server.cfg.set("control_socket_disable", True)
server.run()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ask(port: int, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection; the answer until gunicorn closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        return answer


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("gunicorn did not start")


@pytest.mark.slow
def test_gunicorn_error_log_names_no_client_of_a_malformed_request(
    app: object, settings: Settings, tmp_path: Path
) -> None:
    port, log = free_port(), tmp_path / "gunicorn-error.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    env |= {k: v for k, v in settings_env(settings).items() if v is not None}
    env["PYTHONPATH"] = str(REPO)
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-c", SERVE, str(port), str(log)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, process)
        answers = [
            ask(port, b"BOGUS\r\n\r\n"),  # "Invalid request from ip=127.0.0.1: …"
            ask(port, f"GET / HTTP/1.1\r\nX-Forwarded-For {client_ip}\r\n\r\n".encode()),
            ask(port, f"GET /login mac={MAC}&ip={client_ip}\r\n\r\n".encode()),
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    assert all(answer.startswith(b"HTTP/1.1 400") for answer in answers), answers
    written = log.read_text()
    assert written.count("Invalid request from ip=<address>: ") == 3, written
    assert "<address>" in written.split("X-Forwarded-For", 1)[1].splitlines()[0]
    assert "mac=<mac>" in written
    assert client_ip not in written and "ip=127.0.0.1" not in written
    assert "BC:24" not in written.upper()
    assert f"Listening at: http://127.0.0.1:{port}" in written  # where it listens, kept


def test_the_filter_scrubs_addresses_in_messages_arguments_and_tracebacks() -> None:
    import logging

    record = logging.LogRecord(
        "gunicorn.error", logging.ERROR, __file__, 1, "from %s and %s", (client_ip, MAC), None
    )
    try:
        raise ValueError(f"peer 2001:db8::7 sent mac={MAC}")
    except ValueError:
        record.exc_info = sys.exc_info()

    assert ClientAddressFilter(keep={"127.0.0.1"}).filter(record)

    assert record.getMessage() == "from <address> and <mac>"
    assert "2001:db8::7" not in record.exc_text and MAC not in record.exc_text
    assert scrub("Listening at: http://127.0.0.1:8080", frozenset({"127.0.0.1"})).endswith(
        "127.0.0.1:8080"
    )
    assert scrub("at 12:30:45, gunicorn 27.0.1") == "at 12:30:45, gunicorn 27.0.1"
