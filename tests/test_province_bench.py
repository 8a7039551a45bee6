"""bench/province.py in miniature, so the script cannot rot: a few villages for a few
seconds on SQLite, real `wifidesa radius` and portal processes, and its reconciliation."""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

from portal.models import DeviceDay
from portal.storage import make_engine, make_sessionmaker

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_a_small_province_day_reconciles_and_a_changed_row_is_caught(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("province", None)
    import province

    small = {"villages": 3, "minutes": 0.15, "devices": "3-4", "portal-share": 0.5, "heavy": 0.3}
    small |= {"reboots": 1, "silent": 1, "stale-wait": 0, "grant-workers": 1}
    args = province.parser().parse_args(
        [part for name, value in small.items() for part in (f"--{name}", str(value))]
    )
    report = province.run_phase(args, province.Phase("sqlite", 1, 1), tmp_path, keep=True)

    assert report.ok, "\n".join(report.lines)
    assert report.checked["answered sessions"] > 0
    assert report.checked["device days"] > 0
    text = "\n".join(report.lines)
    for kind in ("grant via portal", "grant via domain", "Access-Accept", "Interim-Update"):
        assert kind in text

    # The same check after one stored counter and one answered value changed: both caught.
    engine = make_engine(report.settings)
    with make_sessionmaker(engine)() as session:
        session.execute(sa.update(DeviceDay).values(bytes_total=DeviceDay.bytes_total + 1))
        entry = next(e for e in report.ledger.sessions.values() if e.last is not None)
        entry.last = (entry.last[0] + 1, *entry.last[1:])
        problems, _ = province.reconcile(session, report.ledger)
    engine.dispose()
    assert any("device day" in problem for problem in problems)
    assert any(entry.acct_session_id in problem for problem in problems)
