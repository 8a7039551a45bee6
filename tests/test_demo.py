"""`wifidesa demo` as a real process: serves /healthz, answers the simulated phone it
prints (portal and RADIUS both up), stops cleanly on SIGINT, re-seeds."""

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
from portal.models import AdminUser, Announcement, Gateway, Village
from portal.storage import make_engine

REPO = Path(__file__).resolve().parent.parent
DEMO_PHONE = "02:DE:30:00:00:01"


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


def simulate_printed_phone(log: Path, env: dict[str, str], cwd: Path) -> str:
    """Run the first `wifidesa simulate` line the demo printed; returns its output."""
    line = next(line for line in log.read_text().splitlines() if "wifidesa simulate" in line)
    arguments = line.split("wifidesa simulate", 1)[1].split()
    command = [sys.executable, "-m", "portal.cli", "simulate", *arguments]
    done = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [*command, "--mac", DEMO_PHONE, "--timeout", "10"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def run_demo(
    data_dir: Path, log: Path, stop: int = signal.SIGINT, *, simulate: bool = False
) -> tuple[int, str]:
    """Start the demo, wait for /healthz (and, with ``simulate``, log a phone in through
    its first gateway), signal it; returns (exit code, its output)."""
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
            if simulate:
                phone = simulate_printed_phone(log, env, data_dir.parent)
                assert "Access-Accept" in phone and "Accounting Stop" in phone, phone
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

    code, output = run_demo(data_dir, tmp_path / "first.log", simulate=True)
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
