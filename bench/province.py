"""Province-scale simulation: every desa of Kalimantan Timur on one machine, a day compressed.

    python bench/province.py                        # 841 villages, SQLite then PostgreSQL
    python bench/province.py --villages 20 --minutes 0.5 --backend sqlite   # ~1 minute
    python bench/province.py --backend sqlite --radius-processes 2   # two servers, one file

Each village (from the bundled Kemendagri list) is registered with one gateway through
the domain layer; every gateway is a simulated RouterOS 7 hotspot on its own loopback
address (see province_sim.py). The servers run as real processes: `wifidesa radius` (one
on SQLite, two on PostgreSQL by default, or --radius-processes on either; every router is
configured with all of them, each preferring another)
and `wifidesa serve` (gunicorn). Residents log in in bursts after office hours (20–60
devices per village), a share of them through the portal over HTTP and the rest through
the same domain calls in this process; then Accounting Start, Interim-Updates and Stop.
Some devices blow through the daily quota (Disconnect or CoA mid-session, then Access-
Rejects with the Indonesian message), a few gateways reboot (Accounting-On) and a few
fall silent (their sessions closed by the stale sweep).

It prints requests/s, p50/p99 per request type, the CPU each server process used, and
reconciles the gateways' view with the database; any mismatch exits non-zero. Not a test
(tests/test_province_bench.py runs a tiny one). PostgreSQL: a fresh database on
--postgres is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import sys
import tempfile
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import province_servers as servers
from province_check import reconcile
from province_gateway import Gateway, Ledger, Stats
from province_grants import DomainGrants, PortalGrants
from province_plan import make_plan
from province_setup import create_postgres, desa_codes, drop_postgres, populate, settings_for
from province_sim import Day, device_day, go_silent, reboot

from portal.config import Settings
from portal.storage import make_engine, make_sessionmaker

STALE_AFTER = 3 * 60 + 65  # three missed one-minute interims, plus the sweep's minute


@dataclass
class Phase:
    backend: str
    radius_processes: int
    portal_workers: int


@dataclass
class Report:
    phase: Phase
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked: Counter = field(default_factory=Counter)
    #: The ledger and database of a run whose folder was kept (``keep=True``).
    ledger: Ledger | None = None
    settings: Settings | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def run_phase(args: argparse.Namespace, phase: Phase, folder: Path, keep: bool = False) -> Report:
    """Set up, run the day against real server processes, reconcile; returns the report.

    With ``keep`` (SQLite only) the report carries the ledger and the settings of the
    database, for a second look."""
    report = Report(phase)
    say = report.lines.append
    url = create_postgres(args.postgres) if phase.backend == "postgresql" else ""
    try:
        settings = settings_for(folder / phase.backend, url)
        codes = desa_codes(args.villages)
        coa_port = servers.free_port()
        started = time.monotonic()
        specs = populate(settings, codes, coa_port=coa_port, daily_mb=args.daily_mb)
        plan = make_plan(
            len(specs),
            seconds=args.minutes * 60,
            devices=args.devices,
            heavy=args.heavy,
            reboots=args.reboots if args.reboots is not None else max(1, len(specs) // 100),
            silent=args.silent if args.silent is not None else max(1, len(specs) // 100),
            seed=args.seed,
        )
        say(
            f"## {phase.backend}: {len(specs)} villages, {sum(map(len, plan.devices.values()))}"
            f" devices, {plan.logins} planned logins, day compressed into {args.minutes:g} min"
            f" ({phase.radius_processes} RADIUS process(es), {phase.portal_workers} portal"
            f" workers; setup {time.monotonic() - started:.0f} s)"
        )
        portal_port = servers.free_port(kind=1)
        env = servers.environment(settings, f"http://127.0.0.1:{portal_port}")
        # The simulated routers live a day in args.minutes: session time runs that much
        # faster than the servers' clock, which accounting would otherwise cut as
        # implausible (portal.domain.usage.plausibility).
        env["WIFIDESA_SESSION_TIME_FACTOR"] = str(2 * math.ceil(1440 / args.minutes))
        running: list[servers.Server] = []
        try:
            for n in range(phase.radius_processes):
                running.append(servers.start_radius(f"radius-{n + 1}", env, folder / phase.backend))
            running.append(
                servers.start_portal(env, folder / phase.backend, portal_port, phase.portal_workers)
            )
            stats, ledger = Stats(), Ledger()
            cpu_before = {s.name: s.cpu() for s in running}
            own_before = sum(os.times()[:4])
            # On a thread of its own: the caller may run an event loop already (a test
            # suite with Playwright's sync API), and asyncio.run refuses to nest.
            simulation = _simulate(args, settings, specs, plan, running, coa_port, stats, ledger)
            with ThreadPoolExecutor(1) as thread:
                day = thread.submit(asyncio.run, simulation).result()
            cpu = {s.name: s.cpu() - cpu_before[s.name] for s in running}
            own = sum(os.times()[:4]) - own_before  # with the grant workers
            _stale(args, plan, day, env, say)
        finally:
            for server in running:
                server.stop()
        _figures(stats, day, cpu, own, say)
        _server_logs(running, report)
        engine = make_engine(settings)
        with make_sessionmaker(engine)() as session:
            report.problems, report.checked = reconcile(session, ledger)
        engine.dispose()
        if keep:
            report.ledger, report.settings = ledger, settings
        checked = sorted(report.checked.items())
        say("reconciliation: " + ", ".join(f"{n:,} {what}" for what, n in checked))
        say("reconciliation " + ("PASSED" if report.ok else f"FAILED: {len(report.problems)}"))
        report.lines.extend(f"  ! {problem}" for problem in report.problems[:30])
    finally:
        if url:
            drop_postgres(url)
    return report


async def _simulate(args, settings, specs, plan, running, coa_port, stats, ledger) -> Day:
    radius = [s.ports for s in running if s.name.startswith("radius")]
    loop = asyncio.get_running_loop()
    gateways = []
    for spec in specs:
        order = radius[spec.index % len(radius) :] + radius[: spec.index % len(radius)]
        gateway = Gateway(spec, order, stats, ledger, args.timeout)
        await loop.create_datagram_endpoint(
            lambda g=gateway: g, local_addr=(spec.address, coa_port)
        )
        gateways.append(gateway)
    portal_url = f"http://127.0.0.1:{running[-1].ports[0]}"
    portal = PortalGrants(portal_url, stats, threads=args.portal_threads)
    domain = DomainGrants(settings, stats, args.grant_workers)
    share = args.portal_share

    async def grant(gateway, device):
        # The same device always takes the same path, chosen by its MAC.
        if zlib.crc32(device.mac.encode()) % 1000 / 1000 < share:
            return await portal(gateway, device)
        return await domain(gateway, device)

    day = Day(seconds=args.minutes * 60, interim_sim_seconds=args.interim_minutes * 60)
    day.started = time.monotonic()
    tasks = [
        device_day(gateways[index], device, day, grant)
        for index, devices in plan.devices.items()
        for device in devices
    ]
    tasks += [reboot(gateways[i], day, at, 2 * args.timeout) for i, at in plan.reboots.items()]
    tasks += [go_silent(gateways[i], day, at) for i, at in plan.silent.items()]
    progress = asyncio.get_running_loop().create_task(_progress(stats, day, domain))
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), day.seconds + 180)
    except TimeoutError:
        stats.counts["devices still busy 180 s after the day (cancelled)"] += 1
    finally:
        progress.cancel()
        day.seconds = time.monotonic() - day.started
        portal.close()
        domain.close()
        for gateway in gateways:
            gateway.transport.close()
    return day


async def _progress(stats: Stats, day: Day, domain: DomainGrants) -> None:
    """A line every 10 s on stderr: how far the day is and how the servers keep up."""
    while True:
        await asyncio.sleep(10)
        late = sum(n for what, n in stats.counts.items() if "unanswered" in what)
        print(
            f"  {time.monotonic() - day.started:5.0f} s: {len(stats.answered_at):,} answered,"
            f" {late:,} unanswered, {len(domain.waiting):,} waiting for a domain grant",
            file=sys.stderr,
            flush=True,
        )


def _stale(args, plan, day: Day, env: dict, say) -> None:
    """Give the server's own sweep time to close the silent gateways' sessions (bounded
    by --stale-wait); whatever is left is closed by `wifidesa close-stale --missed 0`."""
    if not plan.silent:
        return
    ready = day.started + min(plan.silent.values()) + STALE_AFTER
    wait = min(args.stale_wait, ready - time.monotonic())
    if wait > 0:
        say(f"waiting {wait:.0f} s for the server's stale sweep")
        time.sleep(wait)
    if time.monotonic() < ready:
        say(
            "run shorter than three missed interims: silent gateways' sessions closed by "
            f"`wifidesa close-stale --missed 0` ({servers.close_stale_now(env)})"
        )


KINDS = (
    "grant via portal (3 HTTP requests)",
    "grant via domain (batched)",
    "Access-Accept",
    "Access-Reject",
    "Accounting Start",
    "Interim-Update",
    "Stop",
    "Accounting-On",
)


def _figures(stats: Stats, day: Day, cpu: dict, own: float, say) -> None:
    radius_kinds = KINDS[2:]
    answered = sum(len(stats.latencies[k]) for k in radius_kinds)
    peak = _peak(stats.answered_at, day.started)
    say(
        f"RADIUS: {answered:,} requests answered in {day.seconds:.0f} s:"
        f" {answered / day.seconds:,.0f} req/s on average, {peak:,.0f} req/s in the busiest"
        " 10 s (grants included)"
    )
    say("| request | count | p50 ms | p99 ms | max ms |")
    say("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        values = sorted(stats.latencies.get(kind, []))
        if values:
            say(
                f"| {kind} | {len(values):,} | {_pct(values, 0.5):.1f} | {_pct(values, 0.99):.1f}"
                f" | {values[-1] * 1000:.0f} |"
            )
    for name, seconds in cpu.items():
        say(f"CPU {name}: {seconds:.1f} s ({100 * seconds / day.seconds:.0f}% of one core)")
    say(f"CPU load generator (this process and its grant workers): {own:.1f} s")
    for what, count in sorted(stats.counts.items()):
        say(f"  {what}: {count:,}")
    for message, count in stats.reply_messages.most_common(3):
        say(f"  Access-Reject {count:,}x: {message!r}")


def _server_logs(running: list[servers.Server], report: Report) -> None:
    """What the RADIUS processes logged that honest routers should never cause: an
    outage (a duplicate Start at two servers used to look like one) or implausible
    counters. Either is a problem of the run."""
    for server in running:
        if not server.name.startswith("radius"):
            continue
        text = server.log.read_text(errors="replace")
        for what in ("database error", "implausible counters"):
            count = text.count(what)
            report.lines.append(f"{server.name} log: {count} x {what!r}")
            if count:
                report.problems.append(f"{server.name} logged {count} x {what!r}")


def _pct(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(fraction * len(values)))] * 1000


def _peak(times: list[float], started: float, window: float = 10.0) -> float:
    buckets: dict[int, int] = {}
    for at in times:
        bucket = int((at - started) // window)
        buckets[bucket] = buckets.get(bucket, 0) + 1
    return max(buckets.values(), default=0) / window


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--villages", type=int, default=None, help="default: all 841 desa")
    p.add_argument("--minutes", type=float, default=10.0, help="real length of the day")
    p.add_argument(
        "--devices",
        type=lambda t: tuple(map(int, t.split("-"))),
        default=(20, 60),
        help="devices per village, MIN-MAX",
    )
    p.add_argument("--portal-share", type=float, default=0.1, help="logins over HTTP")
    p.add_argument("--portal-threads", type=int, default=8)
    p.add_argument("--grant-workers", type=int, default=2, help="processes for domain grants")
    p.add_argument("--workers", type=int, default=2, help="portal workers on SQLite")
    p.add_argument("--pg-workers", type=int, default=4, help="portal workers on PostgreSQL")
    p.add_argument("--interim-minutes", type=int, default=10, help="simulated minutes")
    p.add_argument("--heavy", type=float, default=0.04, help="share of quota-busting devices")
    p.add_argument("--daily-mb", type=int, default=300)
    p.add_argument("--reboots", type=int, default=None, help="default: 1%% of gateways")
    p.add_argument("--silent", type=int, default=None, help="default: 1%% of gateways")
    p.add_argument("--timeout", type=float, default=1.0, help="router's RADIUS timeout, s")
    p.add_argument(
        "--radius-processes",
        type=int,
        default=None,
        help="RADIUS processes on the one database (default: 1 on SQLite, 2 on PostgreSQL);"
        " every router lists them all, each preferring another",
    )
    p.add_argument("--stale-wait", type=float, default=300.0, help="max s to await the sweep")
    p.add_argument("--seed", type=int, default=64)
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    phases = []
    if args.backend in ("sqlite", "both"):
        phases.append(Phase("sqlite", args.radius_processes or 1, args.workers))
    if args.backend in ("postgresql", "both"):
        phases.append(Phase("postgresql", args.radius_processes or 2, args.pg_workers))
    folder = Path(tempfile.mkdtemp(prefix="wifidesa-province-"))
    ok = True
    try:
        for phase in phases:
            report = run_phase(args, phase, folder)
            print("\n".join(report.lines), flush=True)
            ok = ok and report.ok
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
