"""pytest plugin: after the suite, no raw test MAC or client IP may be stored or logged.

It collects the identifiers the tests use (`tests.privacy.recorders`, plus the literals
in the test sources), writes every log record of the session and every test's captured
output to ``<basetemp>/privacy/``, scans each PostgreSQL schema before it is dropped
(`scan_schema`, called by `tests.databases`), scans what a test deletes or keeps
outside pytest's folder before its teardown removes it (`scan_now`: the fault tests'
tmpfs and private PostgreSQL cluster, the fuzz tests' folder in /dev/shm), and at the
end scans everything under pytest's base temporary directory: SQLite databases with
their WAL, backups, server logs of subprocesses, and those two files. Any finding fails
the session with a report that names file or schema, table.column or line, and the
identifier, masked.

Under pytest-xdist each worker records, writes its logs and scans schemas and `scan_now`
folders as above; at its end it hands its identifiers and findings to the controller
(``workeroutput``), which scans the whole base temporary directory (the workers' folders
are inside it) for the identifiers of every worker, and fails the run.

Disable with ``-p no:tests.privacy.plugin``.
"""

from __future__ import annotations

import glob
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest

from tests.privacy import recorders, stores
from tests.privacy import session as privacy_session
from tests.privacy.session import State

REPO = Path(__file__).resolve().parents[2]
#: Sources whose MAC and client-IP literals are test identifiers.
SOURCES = ("tests/**/*.py", "portal/simulator/**/*.py", "portal/cli/simulate.py")
#: PostgreSQL's own log, where it writes failing rows and statements (Debian's place,
#: or WIFIDESA_TEST_POSTGRES_LOG); read from where it stood when the run began.
POSTGRES_LOGS = "/var/log/postgresql/*.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: The report of findings: at most this many lines of one place, and about this many in all.
PER_PLACE, REPORT_LINES = 5, 200


STATE: State | None = None


def pytest_configure(config: pytest.Config) -> None:
    global STATE
    STATE = privacy_session.start()
    STATE.ids.add_sources(p for pattern in SOURCES for p in sorted(REPO.glob(pattern)))
    recorders.install(STATE.ids)


def pytest_unconfigure(config: pytest.Config) -> None:
    global STATE
    STATE = privacy_session.stop()


def pytest_sessionstart(session: pytest.Session) -> None:
    assert STATE is not None
    # The public tmp_path_factory is a fixture; a hook reaches the same object here.
    basetemp = session.config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    STATE.folder = basetemp / "privacy"
    STATE.folder.mkdir(exist_ok=True)
    # Every record of every logger, at the level the servers run at (INFO).
    STATE.handler = logging.FileHandler(STATE.folder / "session.log", encoding="utf-8")
    STATE.handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(STATE.handler)
    if os.environ.get("WIFIDESA_TEST_DATABASE_URL"):
        named = os.environ.get("WIFIDESA_TEST_POSTGRES_LOG")
        for log in [Path(named)] if named else map(Path, glob.glob(POSTGRES_LOGS)):
            if os.access(log, os.R_OK):
                STATE.server_logs[log] = log.stat().st_size
    STATE.root_level = root.level
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


@pytest.fixture(autouse=True, scope="session")
def _record_datagrams() -> Iterator[None]:
    """Record each RADIUS request any test sends (under the loopback guards, which wrap
    whatever `sendto` is when they start)."""
    original = socket.socket.sendto

    def sendto(sock: socket.socket, data: Any, *args: Any) -> Any:
        privacy_session.record_datagram(data)
        return original(sock, data, *args)

    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
    yield
    socket.socket.sendto = original  # type: ignore[method-assign]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if STATE is not None:
        STATE.test = item.nodeid
        recorders.wrap_loaded(STATE.ids)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep each test's captured stdout, stderr and log (all phases are in teardown's)."""
    if STATE is None or STATE.folder is None or report.when != "teardown":
        return
    if getattr(report, "node", None) is not None:  # an xdist worker's, which wrote it
        return
    with (STATE.folder / "captured.txt").open("a", encoding="utf-8") as out:
        for title, content in report.sections:
            out.write(f"--- {report.nodeid} {title}\n{content}\n")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if STATE is None or STATE.folder is None:
        return
    if STATE.handler is not None:
        logging.getLogger().removeHandler(STATE.handler)
        logging.getLogger().setLevel(STATE.root_level)
        STATE.handler.close()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller scans the files
        workeroutput["privacy"] = _handed_over(STATE)
        return
    started = time.perf_counter()
    root = STATE.folder.parent
    STATE.findings += stores.scan_tree(root, STATE.ids)
    for log, offset in STATE.server_logs.items():
        STATE.findings += stores.scan_tail(log, offset, STATE.ids, str(log))
    STATE.files += len(stores.files_under(root))
    STATE.seconds += time.perf_counter() - started
    if STATE.findings and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _handed_over(state: State) -> dict[str, Any]:
    """What a worker hands the controller (plain values execnet can send)."""
    return {
        "macs": sorted(state.ids.macs),
        "ips": sorted(state.ids.ips),
        "findings": [astuple(finding) for finding in state.findings],
        "counts": [state.schemas, state.files, state.files_now, state.seconds],
    }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """An xdist worker finished: take over its identifiers and findings."""
    handed = getattr(node, "workeroutput", {}).get("privacy")
    if STATE is None or handed is None:
        return
    for mac in handed["macs"]:
        STATE.ids.add_mac(mac)
    for ip in handed["ips"]:
        STATE.ids.add_ip(ip)
    STATE.findings += [stores.Finding(*finding) for finding in handed["findings"]]
    schemas, files, files_now, seconds = handed["counts"]
    STATE.schemas += schemas
    STATE.files += files
    STATE.files_now += files_now
    STATE.seconds += seconds


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STATE is None or STATE.folder is None:
        return
    ids = STATE.ids
    summary = (
        f"privacy scan: {len(ids.macs)} test MACs and {len(ids.ips)} client IPs looked for in"
        f" {STATE.files} files ({STATE.files_now} before their test removed them) and"
        f" {STATE.schemas} PostgreSQL schemas ({STATE.seconds:.1f} s): {len(STATE.findings)} found"
    )
    if not STATE.findings:
        terminalreporter.write_line(summary)
        return
    terminalreporter.section("raw MAC addresses or client IPs stored or logged", red=True)
    for line in _report(STATE.findings):
        terminalreporter.write_line(line)
    terminalreporter.write_line(summary, red=True)


def _report(findings: list[stores.Finding]) -> Iterator[str]:
    """The report's lines: findings by place (file or schema), at most `PER_PLACE` of
    each, so that a place with thousands cannot hide the others (about `REPORT_LINES`
    lines in all)."""
    places: dict[str, set[str]] = {}
    for finding in findings:
        places.setdefault(finding.where, set()).add(str(finding))
    ordered = sorted(places.items())
    shown = 0
    for number, (where, lines) in enumerate(ordered):
        if shown >= REPORT_LINES:
            rest = sum(len(more) for _, more in ordered[number:])
            yield f"… and {rest} more in {len(ordered) - number} more places"
            return
        yield from sorted(lines)[:PER_PLACE]
        shown += min(len(lines), PER_PLACE)
        if len(lines) > PER_PLACE:
            yield f"… and {len(lines) - PER_PLACE} more in {where}"
            shown += 1
