"""The servers under test as real processes on loopback: `wifidesa radius` and `wifidesa serve`.

They run from this checkout (``python -m portal.cli``), with their output in a log file
each, and are stopped with SIGTERM. CPU time is read from /proc, a process and its
children together (gunicorn's workers).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from portal.config import Settings

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and, recursively, of its living children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / TICK
    return own + sum(cpu_seconds(int(kid)) for kid in kids)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    log: Path
    ports: tuple[int, ...]

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def environment(settings: Settings, portal_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
        "WIFIDESA_DATABASE_URL": settings.database_url,
        "WIFIDESA_SECRET_KEY": settings.secret_key,
        "WIFIDESA_PUBLIC_URL": portal_url,
    }


def _spawn(name: str, arguments: list[str], env: dict, folder: Path, ports) -> Server:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", *arguments],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(name, process, log, tuple(ports))


def start_radius(name: str, env: dict, folder: Path) -> Server:
    auth, acct = free_port(), free_port()
    server = _spawn(
        name, ["radius", "--port", str(auth), "--acct-port", str(acct)], env, folder, (auth, acct)
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "RADIUS on" in server.log.read_text(errors="replace") and _bound(acct):
            return server
        if server.process.poll() is not None:
            break
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not start:\n{server.tail()}")


def _bound(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def start_portal(env: dict, folder: Path, port: int, workers: int) -> Server:
    server = _spawn(
        "portal",
        ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env,
        folder,
        (port,),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            if server.process.poll() is not None:
                break
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the portal did not start:\n{server.tail()}")


def close_stale_now(env: dict) -> str:
    """`wifidesa close-stale --missed 0`: what the server's sweep would do, now."""
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "close-stale", "--missed", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()
