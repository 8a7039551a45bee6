"""The fault tests at the reference's sizes, not in CI: a longer, heavier run.

    python bench/faults.py [--scale 10]

Runs ``tests/faults`` and ``tests/radius/test_crash.py`` with WIFIDESA_FAULTS_SCALE set,
which multiplies their sizes and time limits. At 10 (the default): 20 SIGKILLs during
15,000 accounting requests (AT-10), PostgreSQL down for 10 s and a full disk for 10 s,
each under 12,000 requests (AT-12), a reboot closing 3,000 sessions, and a stale sweep
over 4,000 sessions of which 200 went quiet (AT-13; ``--scale 25`` gives its 10,000).
Set WIFIDESA_TEST_DATABASE_URL to run each on PostgreSQL too, as the tests do. The same
assertions hold at every scale; this prints each test's outcome and time and writes
them to ``bench/RESULTS-faults.md``. It takes several minutes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/faults", "tests/radius/test_crash.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="size multiplier (CI runs 1)")
    args = parser.parse_args()
    env = {**os.environ, "WIFIDESA_FAULTS_SCALE": str(args.scale)}
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        began = time.monotonic()
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:logging"]
        result = subprocess.run(
            [*command, f"--junitxml={report}", *TESTS],
            cwd=ROOT,
            env=env,
            check=False,
        )
        elapsed = time.monotonic() - began
        rows = _rows(report) if report.exists() else []
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        "# Fault tests at scale",
        "",
        f"`python bench/faults.py --scale {args.scale}` on {time.strftime('%Y-%m-%d %H:%M')}"
        f" UTC, {os.cpu_count()} cores, load average afterwards {load}; "
        f"PostgreSQL: {'yes' if os.environ.get('WIFIDESA_TEST_DATABASE_URL') else 'no'}.",
        f"All tests {'passed' if result.returncode == 0 else 'did NOT pass'} in {elapsed:.0f} s.",
        "",
        "| test | outcome | seconds |",
        "|---|---|---|",
        *(f"| `{name}` | {outcome} | {seconds:.1f} |" for name, outcome, seconds in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "RESULTS-faults.md").write_text(text)
    return result.returncode


def _rows(report: Path) -> list[tuple[str, str, float]]:
    rows = []
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 (our own file)
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "FAILED"
            elif child.tag == "skipped":
                outcome = f"skipped: {child.get('message', '')}"
        rows.append((case.get("name", "?"), outcome, float(case.get("time", 0))))
    return rows


if __name__ == "__main__":
    sys.exit(main())
