"""The RADIUS server as a separate process (`wifidesa radius`), for crash and fault tests.

`free_port_pair` finds an auth port whose neighbour (accounting) is free too;
`start_server` runs the command against a test's settings, its log in a file (by default
``<data>/radius.log``, which the privacy scan reads after the suite).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from portal.config import Settings


def free_port_pair() -> int:
    """A free UDP port on loopback whose successor is free as well."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
                    b.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue


def start_server(
    settings: Settings, port: int, *, log: Path | None = None, extra: list[str] | None = None
) -> subprocess.Popen:
    """Start `wifidesa radius` on 127.0.0.1 (auth ``port``, accounting ``port + 1`` unless
    ``extra`` options say otherwise).

    Its output is appended to ``log`` (default ``<data>/radius.log``).
    """
    log = log or settings.data_dir / "radius.log"
    env = {
        **os.environ,
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
    }
    code = "from portal.cli.radius import radius_command; radius_command()"
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", code, "--port", str(port), *(extra or [])],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
