"""How long a round of the notification worker takes for a whole province.

    python bench/notify_bench.py [--backend sqlite|postgresql|both] [--villages 841]

Every desa of Kalimantan Timur (841, from the bundled list) with one gateway; a tenth of
the gateways silent for an hour, a twentieth with a contract ending within 30 days; the
province and each of its ten regencies with both channels on and the daily summary due.
The senders are no-ops that count (this measures the worker's own work — finding the
events, the outbox, rendering — not an SMTP server's), so the figures are:

- the first round, which queues and "sends" every message (down alerts and contract
  notices at the province and at each regency, and eleven daily summaries, per channel);
- a steady round a minute later, which finds the same events queued and sends nothing —
  what `wifidesa notify --every 60` costs every minute of a quiet day.

PostgreSQL runs in a schema of its own on WIFIDESA_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test), dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_databases import database

from portal import create_app, notifier
from portal.config import Settings
from portal.domain.network.regions import villages_under
from portal.domain.notify import channels
from portal.migrations import upgrade_database
from portal.models import Gateway, Village
from portal.storage import make_engine, make_sessionmaker, unit_of_work

PROVINCE = "64"
NOW = datetime(2026, 11, 22, 9, 5)  # 17.05 WITA: the 17.00 summary is due
KEY = "bench-secret-key-" + "0" * 48


def populate(session: sa.orm.Session, villages: int) -> list[str]:
    """Villages with a gateway each, some silent, some with a contract ending; returns the
    areas (province first, then its regencies)."""
    regions = villages_under(PROVINCE)[:villages]
    session.execute(sa.insert(Village), [
        {"kode": r.kode, "slug": r.kode.replace(".", "-"), "name": r.nama,
         "district_name": r.kecamatan, "regency_name": r.kabupaten, "province_name": r.provinsi,
         "timezone": "WITA", "ssid": "WifiDesa", "created_at": NOW} for r in regions
    ])  # fmt: skip
    session.execute(sa.insert(Gateway), [
        {"village_kode": r.kode, "nas_identifier": f"gw-{n}", "source_address": "10.8.0.0/16",
         "secret": "s" * 24, "heartbeat_token": f"t{n}", "created_at": NOW, "updated_at": NOW,
         "last_seen_at": NOW - timedelta(minutes=60 if n % 10 == 0 else 2),
         "contract_end": (NOW + timedelta(days=10)).date() if n % 20 == 1 else None}
        for n, r in enumerate(regions)
    ])  # fmt: skip
    return [PROVINCE, *sorted({r.kode[:5] for r in regions})]


def configure(session: sa.orm.Session, areas: list[str]) -> None:
    values = channels.SettingsInput(
        email_enabled=True, smtp_host="127.0.0.1", smtp_port=2525, smtp_starttls=True,
        mail_from="wifidesa@kaltimprov.go.id", mail_to="kominfo@kaltimprov.go.id",
        telegram_enabled=True, telegram_token="123456789:" + "A" * 35,
        telegram_chat_id="-1001234567890", silent_minutes=30, summary_time="17:00",
    )  # fmt: skip
    for area in areas:
        channels.save_settings(session, area, values, master=KEY, now=NOW)


def run(backend: str, villages: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, database(backend, Path(folder), "notify") as url:
        settings = Settings(data_dir=Path(folder), database_url=url, secret_key=KEY)
        app = create_app(settings)
        upgrade_database(app)
        engine = make_engine(settings)
        factory = make_sessionmaker(engine)
        with unit_of_work(factory) as session:
            areas = populate(session, villages)
            configure(session, areas)
        sent: list[str] = []
        senders = notifier.Senders(
            email=lambda channel, notice: sent.append(notice.subject),
            telegram=lambda channel, notice: sent.append(notice.subject),
        )
        started = time.perf_counter()
        first = notifier.run_round(factory, settings, NOW, senders)
        first_s = time.perf_counter() - started
        steady = []
        for minute in range(1, 6):
            started = time.perf_counter()
            quiet = notifier.run_round(factory, settings, NOW + timedelta(minutes=minute), senders)
            steady.append(time.perf_counter() - started)
            assert quiet.queued == quiet.sent == 0, quiet
        engine.dispose()
        return {
            "areas": len(areas), "rows": first.sent, "messages": first.messages,
            "first_round_s": first_s, "per_message_ms": 1000 * first_s / max(1, first.messages),
            "steady_round_s": statistics.median(steady),
        }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--villages", type=int, default=841)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        figures = run(backend, args.villages)
        print(
            f"{backend:<10} {args.villages} villages, {figures['areas']} areas:"
            f" first round {figures['rows']} events×channels in {figures['messages']} messages,"
            f" {figures['first_round_s']:.2f} s"
            f" ({figures['per_message_ms']:.1f} ms each);"
            f" steady round (nothing due) {figures['steady_round_s'] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
