"""Fuzzing in CI, briefly: the atheris harness in both modes (AT-01) and the network
fuzz against the real server process (AT-02). The long runs are fuzz/ scripts; their
figures are in the README."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fuzz import net_fuzz

ROOT = Path(__file__).resolve().parents[2]
SHM = Path("/dev/shm")  # noqa: S108 (tmpfs: the runs measure the packet path, not the disk)


@pytest.fixture
def workdir(tmp_path: Path):
    if not SHM.is_dir():
        return tmp_path
    with tempfile.TemporaryDirectory(dir=SHM) as folder:
        yield Path(folder)


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
