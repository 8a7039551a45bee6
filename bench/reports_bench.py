"""Benchmark the reports on a year of rollups for 1,000 villages, on SQLite and PostgreSQL.

    python bench/reports_bench.py [--backend sqlite|postgresql|both] [--villages 1000] [--days 365]

Generates 1,000 villages of Kalimantan Timur (WITA) with one gateway each, a UsageDaily
row per village per day for 365 days, and 24 hours of 5-minute uptime buckets; then
times, through the Flask test client with everything a real request does:

- the overview page (/reports/) for a province admin: target under 500 ms;
- a year's CSV export of all villages (/api/v1/usage?group=day&format=csv): under 2 s;
- for information: the open-data variant of that export (suppression + area totals),
  30 days as JSON, and a village page over a year.

PostgreSQL runs in a schema of its own on WIFIDESA_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test), dropped afterwards. Figures are printed and
written to bench/RESULTS-reports.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_databases import database

from portal import create_app
from portal.adapters import export_files
from portal.config import Settings, utcnow
from portal.database import db
from portal.domain import clock
from portal.domain.accounts.tokens import token_hash
from portal.domain.network.regions import villages_under
from portal.maintenance import warm_exports
from portal.migrations import upgrade_database
from portal.models import (
    AdminUser,
    ApiToken,
    Gateway,
    GatewayUptime,
    UsageDaily,
    Village,
)
from portal.web import login

PROVINCE = "64"
RESULTS = Path(__file__).resolve().parent / "RESULTS-reports.md"
TARGETS = {"overview": 0.5, "csv_year": 2.0, "csv_after_warmup": 2.0}
CHUNK = 20_000
LOAD = {"start": os.getloadavg()[0]}


def generate(session: sa.orm.Session, villages: int, days: int, now: datetime) -> int:
    """Insert villages, gateways, daily rollups and a day of uptime; returns rollup rows."""
    rng = random.Random(20261122)
    regions = villages_under(PROVINCE)[:villages]
    session.execute(sa.insert(Village), [
        {"kode": r.kode, "slug": r.kode.replace(".", "-"), "name": r.nama,
         "district_name": r.kecamatan, "regency_name": r.kabupaten, "province_name": r.provinsi,
         "timezone": "WITA", "ssid": "WifiDesa", "created_at": now} for r in regions
    ])  # fmt: skip
    session.execute(sa.insert(Gateway), [
        {"village_kode": r.kode, "nas_identifier": f"gw-{n}", "source_address": "10.8.0.0/16",
         "secret": "s" * 24, "heartbeat_token": f"t{n}", "created_at": now, "updated_at": now,
         "last_seen_at": now - timedelta(minutes=rng.choice([1, 2, 3, 90]))}
        for n, r in enumerate(regions)
    ])  # fmt: skip
    today = clock.local_day(now, "WITA")
    rows = 0
    batch: list[dict] = []
    for region in regions:
        size = rng.randint(5, 120)
        for offset in range(days):
            devices = max(0, int(rng.gauss(size, size / 3)))
            sessions = devices + rng.randint(0, devices)
            batch.append({
                "village_kode": region.kode, "local_date": today - timedelta(days=offset),
                "sessions": sessions, "devices": devices,
                "bytes_down": devices * rng.randint(20, 400) * 1_000_000,
                "bytes_up": devices * rng.randint(2, 40) * 1_000_000,
                "seconds_online": sessions * rng.randint(300, 3600),
                "peak_concurrent": min(devices, rng.randint(1, 30)),
                "terms_accepted": sessions, "vouchers_redeemed": rng.randint(0, 3),
                "quota_refusals": rng.randint(0, 5),
            })  # fmt: skip
            if len(batch) >= CHUNK:
                session.execute(sa.insert(UsageDaily), batch)
                rows += len(batch)
                batch.clear()
    if batch:
        session.execute(sa.insert(UsageDaily), batch)
        rows += len(batch)
    gateway_ids = session.scalars(sa.select(Gateway.id)).all()
    bucket = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    uptime = [
        {"gateway_id": gid, "bucket_start": bucket - timedelta(minutes=5 * n)}
        for gid in gateway_ids
        for n in range(288)
        if rng.random() < 0.95
    ]
    for start in range(0, len(uptime), CHUNK):
        session.execute(sa.insert(GatewayUptime), uptime[start : start + CHUNK])
    session.add(AdminUser(username="prov", password_hash="x", role="province",  # noqa: S106
                          scope_kode=PROVINCE, created_at=now))  # fmt: skip
    session.add(ApiToken(token_hash=token_hash("bench-token"), scope_kode=PROVINCE,
                         label="bench", created_at=now))  # fmt: skip
    session.commit()
    return rows


def timed(action: Callable[[], int], runs: int) -> tuple[float, float, float, int]:
    """(first, best, median) seconds: the first call, then ``runs`` more; and the size.

    The first call of the CSV export also writes the export cache of finished months.
    """
    start = time.perf_counter()
    size = action()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return first, min(times), statistics.median(times), size


def run(backend: str, villages: int, days: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, database(backend, Path(folder), "reports") as url:
        settings = Settings(data_dir=Path(folder), database_url=url, secret_key="b" * 64)
        app = create_app(settings)
        upgrade_database(app)
        now = utcnow()
        with app.app_context():
            started = time.perf_counter()
            rows = generate(db.session, villages, days, now)
            generated = time.perf_counter() - started
            if backend == "postgresql":
                db.session.execute(sa.text("ANALYZE"))
                db.session.commit()
            else:
                db.session.execute(sa.text("ANALYZE"))
            admin_id = db.session.scalar(sa.select(AdminUser.id))
            first_village = db.session.scalar(sa.select(Village.kode).order_by(Village.kode))
            db.session.remove()
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = f"{admin_id}:1"
            # A login that just completed (portal.web.login.start), or the pages refuse it.
            flask_session[login.STARTED] = flask_session[login.SEEN] = utcnow().timestamp()
        end = clock.local_day(now, "WITA")
        start = end - timedelta(days=days - 1)
        bearer = {"Authorization": "Bearer bench-token"}
        export = f"/api/v1/usage?scope={PROVINCE}&from={start}&to={end}&group=day"
        month = f"/api/v1/usage?scope={PROVINCE}&from={end - timedelta(days=29)}&to={end}"

        def get(path: str, headers: dict | None = None) -> int:
            response = client.get(path, headers=headers or {})
            assert response.status_code == 200, (path, response.status_code)
            return len(response.get_data())

        results = {
            "overview": timed(lambda: get("/reports/"), runs),
            "csv_year": timed(lambda: get(export + "&format=csv", bearer), runs),
            "csv_year_open": timed(lambda: get(export + "&format=csv&variant=open", bearer), runs),
            "json_month": timed(lambda: get(month, bearer), runs),
            "village_year": timed(
                lambda: get(f"/reports/desa/{first_village}?dari={start}&sampai={end}"), runs
            ),
        }
        # What a server sees after its daily housekeeping: the cache rebuilt by the warm-up.
        cache = export_files.MonthFiles(export_files.folder_of(settings.data_dir))
        shutil.rmtree(cache.folder, ignore_errors=True)
        with app.app_context():
            started = time.perf_counter()
            warm_exports(db.session, cache, now)
            warmed = time.perf_counter() - started
            db.session.remove()
        results["csv_after_warmup"] = timed(lambda: get(export + "&format=csv", bearer), runs)
        with app.app_context():
            db.engine.dispose()
        return {"backend": backend, "rows": rows, "generate_s": generated, "warm_s": warmed,
                **results}  # fmt: skip


def report(results: list[dict[str, object]], villages: int, days: int) -> str:
    labels = {
        "overview": "Overview page, province admin (target < 0,5 s)",
        "csv_year": "CSV export, a year of all villages, internal (target < 2 s)",
        "csv_after_warmup": "CSV export, a year, after the daily cache warm-up (target < 2 s)",
        "csv_year_open": "CSV export, a year, open data (suppression + area totals)",
        "json_month": "JSON export, 30 days of all villages (JSON stops at 100,000 rows)",
        "village_year": "Village page over a year (charts + tables)",
    }
    lines = [
        "# Reports benchmark",
        "",
        f"{villages:,} villages × {days} days of daily rollups ({villages * days:,} rows),",
        "one gateway each with 24 hours of 5-minute uptime buckets. Timed through the Flask",
        "test client (query, formatting, template or CSV writing): the first request, then",
        "best and median of the following runs. The first CSV request reads the database and",
        "writes the export cache of finished months; later ones read those files and compute",
        "only the current month.",
        f"Machine: {platform.platform()}, Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs shared with other work: load average"
        f" {LOAD['start']:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
        " Generated by `python bench/reports_bench.py`.",
        "",
        "| measurement | backend | first s | best s | median s | bytes | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for key, label in labels.items():
            first, best, median, size = result[key]  # type: ignore[misc]
            target = TARGETS.get(key)
            verdict = ""
            if target is not None:
                verdict = "met" if median < target else "MISSED"
                if first >= target:
                    verdict += "; first request MISSED"
            lines.append(
                f"| {label} | {result['backend']} | {first:.3f} | {best:.3f} | {median:.3f}"
                f" | {size:,} |"
                f" {verdict} |"
            )
    lines += [
        "",
        "The verdict compares the median with the target, and says so when the first",
        "request (before the export cache holds the finished months) missed it.",
        "",
    ]
    for result in results:
        lines.append(
            f"Generating {result['rows']:,} rollup rows on {result['backend']}:"
            f" {result['generate_s']:.1f} s; the daily export warm-up (province and"
            f" regencies): {result['warm_s']:.1f} s."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        print(f"{backend}: generating and timing …", flush=True)
        results.append(run(backend, args.villages, args.days, args.runs))
    text = report(results, args.villages, args.days)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
