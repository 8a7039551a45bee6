"""`wifidesa demo` as a real process: serves /healthz, stops cleanly on SIGINT, re-seeds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.config import Settings
from portal.database import make_engine
from portal.models import AdminUser, Announcement, Gateway, Village

REPO = Path(__file__).resolve().parent.parent


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen[bytes], seconds: float) -> int:
    """The /healthz status once it answers (0 if the process died or time ran out)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                return response.status
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return 0


def run_demo(data_dir: Path, log: Path, stop: int = signal.SIGINT) -> tuple[int, str]:
    """Start the demo, wait for /healthz, signal it; returns (exit code, its output)."""
    port, radius_port = free_port(), free_port(socket.SOCK_DGRAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIFIDESA_")}
    env |= {"WIFIDESA_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "portal.cli", "demo", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [*command, "--radius-port", str(radius_port)],
            env=env,
            cwd=data_dir.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            status = wait_for_health(f"http://127.0.0.1:{port}/healthz", process, 90)
            assert status == 200, log.read_text()
            process.send_signal(stop)
            code = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return code, log.read_text()


def counts(data_dir: Path) -> dict[str, int]:
    engine = make_engine(Settings(data_dir=data_dir))
    try:
        with engine.connect() as connection:
            return {
                model.__name__: connection.scalar(sa.select(sa.func.count()).select_from(model))
                or 0
                for model in (Village, Gateway, Announcement, AdminUser)
            }
    finally:
        engine.dispose()


@pytest.mark.slow
def test_demo_serves_stops_cleanly_on_sigint_or_sigterm_and_reseeds_idempotently(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"

    code, output = run_demo(data_dir, tmp_path / "first.log")
    assert code == 0, output
    assert "/admin/login" in output
    assert "wifidesa simulate --nas-id desa-samurangau --secret " in output
    first = counts(data_dir)

    code, second_output = run_demo(data_dir, tmp_path / "second.log", signal.SIGTERM)
    assert code == 0, second_output
    assert (
        counts(data_dir)
        == first
        == {
            "Village": 3,
            "Gateway": 3,
            "Announcement": 9,
            "AdminUser": 2,
        }
    )
    assert _passwords(output) != _passwords(second_output)


def _passwords(output: str) -> list[str]:
    return [line.rsplit(" ", 1)[-1] for line in output.splitlines() if "password: " in line]
