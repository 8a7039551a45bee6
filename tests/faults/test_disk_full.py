"""A full disk under SQLite: no answer for what was not stored, recovery once space is
freed, no crash; and the portal shows an error page rather than a traceback.

The data folder lives on a tmpfs of 32 MiB (`tiny_disk`), which the test fills.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.database import db as portal_db
from tests.databases import migrated_settings
from tests.faults.disk import fill, tiny_disk
from tests.faults.load import (
    MAC_RE,
    SCALE,
    AccountingLoad,
    assert_stops_stored_once,
    problem_lines,
    stop_packets,
    wait_for_line,
)
from tests.radius.mikrotik import Router
from tests.radius.process import free_port_pair, start_server
from tests.splash.conftest import MAC, router_fields, seed_world, ticket_of

pytestmark = pytest.mark.slow
TOTAL = 1200 * SCALE


@pytest.fixture
def disk(tmp_path):
    with tiny_disk(tmp_path / "disk", size="32m" if SCALE == 1 else "160m") as mounted:
        yield mounted


@pytest.fixture
def settings(disk):  # overrides the shared fixture: SQLite on the tiny disk
    return migrated_settings(disk, "")


def test_full_disk_under_accounting_load(disk, settings, make_gateway, db, tmp_path):
    gateway = make_gateway()
    port, log = free_port_pair(), tmp_path / "radius.log"  # the log is not on the tiny disk
    nas = Router(port, port + 1, gateway.secret.encode(), gateway.nas_identifier)
    packets = stop_packets(nas, TOTAL)
    server = start_server(settings, port, log=log)
    try:
        with AccountingLoad(port + 1, gateway.secret.encode(), packets) as load:
            assert load.wait(TOTAL // 5, timeout=30 * SCALE), "the server never answered"
            filler = fill(disk)
            full = time.monotonic()
            assert wait_for_line(log, "database or disk is full", timeout=20)
            failing = time.monotonic()
            time.sleep(2.0 if SCALE == 1 else 10.0)  # under load, failing
            answered_while_full = len(load.answered)
            filler.unlink()
            freed = time.monotonic()
            assert load.wait(TOTAL, timeout=40 * SCALE), (
                f"{TOTAL - len(load.answered)} never answered"
            )
        assert wait_for_line(log, "database writes succeed again", timeout=10)
        assert server.poll() is None, "the server died"
    finally:
        server.terminate()
        server.wait(10)

    assert answered_while_full < TOTAL
    assert load.sent_between(failing, freed) > 50
    assert load.answered_between(failing + 0.5, freed) == 0
    print(f"full at {full:.1f}, failing from {failing - full:.1f} s, freed {freed - full:.1f} s")
    with db() as session:
        assert_stops_stored_once(session, TOTAL)
        assert session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    text = log.read_text()
    print(text)
    problems = problem_lines(text)
    assert len(problems) == 2, problems
    assert "database or disk is full" in problems[0]
    assert "database writes succeed again" in problems[1]
    assert "Traceback" not in text and not MAC_RE.search(text)


def test_accepting_the_terms_on_a_full_disk_shows_an_error_page(disk, settings):
    app = create_app(migrated_settings(disk, "", public_url="http://portal.test", testing=False))
    logged = _capture(app)
    seed_world(app)
    client = app.test_client()
    splash = client.get(client.post("/hotspot", data=router_fields()).headers["Location"])
    assert splash.status_code == 200
    filler = fill(disk)
    try:
        refused = client.post("/hotspot/accept", data={"t": ticket_of(splash)})
    finally:
        filler.unlink()
    body = refused.get_data(as_text=True)
    assert 500 <= refused.status_code < 600
    assert "Traceback" not in body and "sqlite" not in body.lower()
    assert MAC not in body and "10.5.50.23" not in body
    assert "Terjadi kesalahan" in body  # the error page, in the resident's language
    log = "\n".join(logged)
    assert "database or disk is full" in log
    assert MAC not in log and MAC.replace(":", "") not in log and "10.5.50.23" not in log

    accepted = client.post("/hotspot/accept", data={"t": ticket_of(splash)})  # space again
    assert accepted.status_code == 303
    with app.app_context():
        assert portal_db.engine.hide_parameters  # no bound value ever reaches a log
        portal_db.engine.dispose()


def _capture(app) -> list[str]:
    import logging

    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    app.logger.addHandler(handler)
    return lines
