"""Fuzzing in CI, briefly: the atheris harness in both modes (AT-01) and the network
fuzz against the real server process (AT-02). The long runs are fuzz/ scripts; their
figures are in the README."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fuzz import net_fuzz, world
from tests.privacy import session as privacy_scan

ROOT = Path(__file__).resolve().parents[2]
SHM = Path("/dev/shm")  # noqa: S108 (tmpfs: the runs measure the packet path, not the disk)
#: Inputs libFuzzer and the harness save in the folder: crash-…, failure-…, and the like.
ARTIFACTS = ("crash-", "failure-", "timeout-", "oom-", "leak-", "slow-unit-")


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A folder in /dev/shm (else in the test's own), deleted after the test once the
    privacy scan has read what the server wrote there."""
    with tempfile.TemporaryDirectory(dir=SHM if SHM.is_dir() else tmp_path) as name:
        folder = Path(name)
        yield folder
        _close_databases(folder)
        inputs = _record_inputs(folder)
        catalogue = folder / "db" / "catalogue.json"  # the world's list of its identifiers
        privacy_scan.scan_now("fuzz folder", folder=folder, skip=[*inputs, catalogue])


def _close_databases(folder: Path) -> None:
    """Checkpoint each SQLite database's WAL away, as the server's last connection does
    when it stops. Neither run ends so: libFuzzer's time limit exits at once, and the
    network fuzz's world setup keeps a connection open. Left alone, a WAL keeps frames a
    checkpoint made stale, such as a session's Framed-IP from before it was closed."""
    for database in folder.glob("**/*.sqlite3"):
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _record_inputs(folder: Path) -> list[Path]:
    """Record for the scan what the harness process was given (the world's devices, the
    corpus's packets) and saved (what it learnt from, failing inputs); returns the files."""
    for mac in world.MACS:
        privacy_scan.record_mac(mac)
    inputs = [*(ROOT / "fuzz" / "corpus").rglob("*"), *(folder / "corpus").rglob("*")]
    inputs += [p for prefix in ARTIFACTS for p in folder.glob(f"{prefix}*")]
    inputs = [p for p in inputs if p.is_file()]
    for data in inputs:
        privacy_scan.record_datagram(data.read_bytes())
    return inputs


@pytest.mark.parametrize("mode", ["raw", "signed"])
def test_fuzz_harness_finds_nothing(mode, workdir):
    command = [sys.executable, "-m", "fuzz.radius_fuzz", "--mode", mode]
    command += ["--runs", "20000", "--workdir", str(workdir), "-max_total_time=5"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603

    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((workdir / "summary.json").read_text())
    assert summary["failures"] == 0 and summary["executions"] >= 250
    outcomes = summary["outcomes"]
    assert outcomes.get("drop:malformed", 0) > 0
    if mode == "signed":  # re-signed inputs get past the checks into the handlers
        assert outcomes.get("accounting:stored", 0) > 0
        assert sum(n for k, n in outcomes.items() if k.startswith("access:")) > 0


def test_network_fuzz_never_stops_valid_logins(workdir):
    report = net_fuzz.run(count=10_000, rate=3000, workdir=workdir)

    assert report.problems == []
    assert report.canaries == 10 and report.canaries_accepted == 10
    assert report.server_alive and report.malformed_drops > 0
    assert report.drops.get("bad-message-authenticator", 0) > 0  # mutated, not re-signed
