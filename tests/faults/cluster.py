"""A private PostgreSQL cluster for a test that must stop and start its database.

The shared server on 127.0.0.1:5432 is never touched: `PrivateCluster` runs Debian's
`initdb` and `pg_ctl` as the ``postgres`` OS user in a temporary folder and listens on
127.0.0.1 at a free port, its log in that folder. `require_private_cluster` skips the
test, with the reason, where the binaries or the user are missing. `PrivateCluster.remove`
has the privacy scan read the cluster (rows, data files, WAL, log) before deleting it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.privacy import session as privacy_scan

BINARIES = "/usr/lib/postgresql/*/bin"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, or None."""
    found = sorted(glob.glob(BINARIES), key=lambda p: int(p.split("/")[-2].split(".")[0]))
    for folder in reversed(found):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def require_private_cluster() -> Path:
    """The bin folder; skips the test when a private cluster cannot be run here."""
    folder = postgres_bin()
    if folder is None:
        pytest.skip(f"no PostgreSQL binaries in {BINARIES} (apt-get install postgresql)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no 'postgres' OS user to run a private PostgreSQL cluster")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("a private PostgreSQL cluster needs root (runuser -u postgres)")
    return folder


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """initdb, start, stop (``-m immediate``: a crash) and remove a throwaway cluster."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = free_tcp_port()
        self.home = Path(tempfile.mkdtemp(prefix="wifidesa-pg-"))
        self.data = self.home / "data"
        self.log = self.home / "server.log"
        owner = pwd.getpwnam("postgres")
        os.chown(self.home, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        # fsync off: the test crashes the server process, never the machine, so what a
        # commit handed to the kernel survives either way; it spares the shared disk.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.home} -c fsync=off"
        start = ["-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "30"]
        self._run("pg_ctl", *start, "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Scan what the tests left (rows while the server runs, then every file), stop the
        server and delete the folder."""
        running = (self.data / "postmaster.pid").exists()
        try:
            url = self.url if running else None
            privacy_scan.scan_now("private PostgreSQL cluster", folder=self.home, database_url=url)
        finally:
            if running:
                self.stop()
            shutil.rmtree(self.home, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", str(self.bin / program), *args],  # noqa: S607
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.home,
            timeout=60,
        )
