"""Coverage-guided fuzzing (atheris) of the whole RADIUS path of one datagram.

    python -m fuzz.radius_fuzz --mode raw|signed --runs 1000000 [libFuzzer flags]

Each input goes through `RadiusServer.handle_datagram`, the path every received packet
takes (decode, client lookup, authenticators and Message-Authenticator, duplicate
cache, the handlers, the commit, the reply), against a real SQLite database prepared
once by `fuzz.world`. ``raw`` feeds the input as the datagram; ``signed`` mutates
packets structure-aware (`fuzz.packets.Mutator`) and signs them with the gateway's
secret first, so they pass the integrity checks and reach the handlers.

A failure (an exception at any error boundary, a drop outside the allowlist, a wrong
or unsigned answer, an unearned Access-Accept: see `fuzz.oracle`), a hang (over 1 s
of CPU for one input; libFuzzer's wall-clock ``-timeout=10`` as backstop) or RSS growth
over 50 MB after warm-up stops the run with the input saved as failure-* (crash-* or
timeout-* from libFuzzer). A JSON summary is written to --summary.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import hashlib
import json
import logging
import os
import random
import resource
import select
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import atheris

# Coverage comes from the packages named in WIFIDESA_FUZZ_INSTRUMENT (default: all of
# ours and pyrad). Instrumented code runs about 5x slower; "radius,pyrad" suits long runs.
INSTRUMENT = os.environ.get("WIFIDESA_FUZZ_INSTRUMENT", "radius,pyrad,portal,fuzz").split(",")
with atheris.instrument_imports(include=INSTRUMENT):
    from fuzz import oracle, packets, seeds, world
    from radius.server import RadiusServer

CORPUS = Path(__file__).resolve().parent / "corpus"
RSS_GROWTH_LIMIT_MB = 50
# A hang is more than 1 s of CPU on the packet's thread (garbage collection excluded:
# it belongs to no input, its longest pause is reported); libFuzzer's wall-clock
# -timeout (10 s here) is only the backstop, as a shared, loaded machine can stall
# any single input for a second without the server doing anything wrong.
HANG_CPU_SECONDS = 1.0
# Executions before the RSS baseline: imports, SQLAlchemy's compiled-statement caches
# (LRU, 500 entries per engine) and libFuzzer's corpus fill up first.
WARMUP = 50_000


class LogTrap(logging.Handler):
    """Collects warnings and errors the server logs (each one is a failure)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "implausible counters bounded" in text:
            return  # the accounting's own verdict on fuzzed counters: handled, counted
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append(f"{record.name}: {text}")


class CollectorClock:
    """CPU time this thread spends in Python's garbage collector (not the input's own)."""

    def __init__(self) -> None:
        self.paused = self.longest = 0.0
        self._thread, self._started = threading.get_ident(), 0.0
        gc.callbacks.append(self)

    def __call__(self, phase: str, _info: dict) -> None:
        if threading.get_ident() != self._thread:
            return
        if phase == "start":
            self._started = time.thread_time()
        else:
            spent = time.thread_time() - self._started
            self.paused += spent
            self.longest = max(self.longest, spent)


class Harness:
    """One server, one router socket, and the checks of `fuzz.oracle`."""

    def __init__(self, mode: str, workdir: Path, runs: int, summary: Path) -> None:
        self.mode, self.runs, self.summary_path = mode, runs, summary
        settings, self.catalogue = world.prepare(workdir)
        self.metrics = oracle.Recorder()
        self.trap = LogTrap()
        for name in ("radius", "portal", "sqlalchemy", "pyrad"):
            logging.getLogger(name).addHandler(self.trap)
        self.server = RadiusServer(
            settings,
            "127.0.0.1",
            0,
            0,
            metrics=self.metrics,
            reject_delay=0,
            coa_timeout=0.01,
            coa_retries=0,
            clock=lambda: world.NOW,
        )
        # started as in production: its upkeep thread checkpoints the WAL every second
        # and sweeps stale sessions concurrently; its sockets stay idle (inputs come in
        # through handle_datagram on this thread)
        self.server.start()
        self.router = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.router.bind(("127.0.0.1", 0))
        self.address = self.router.getsockname()
        pool = [
            a for s in seeds.canonical_seeds(self.catalogue).values() for a in packets.parse(s)[3]
        ]
        passwords = self.catalogue.grant_passwords()
        self.mutator = packets.Mutator(pool, mutate_bytes, passwords.get)
        self.executions = self.failures = 0
        self.slowest = self.most_cpu = 0.0
        self.collector = CollectorClock()
        self.outcomes: dict[str, int] = {}
        self.started = time.monotonic()
        self.rss_baseline: float | None = None

    def one_input(self, data: bytes) -> None:
        """Run one input; raises Failure (its input saved as failure-<sha1> first)."""
        try:
            self._one_input(data)
        except oracle.Failure:
            self.failures += 1
            self.write_summary()
            name = "failure-" + hashlib.sha1(data).hexdigest()  # noqa: S324 (a file name)
            (self.summary_path.parent / name).write_bytes(data)
            raise

    def _one_input(self, data: bytes) -> None:
        if self.mode == "signed":
            datagram = packets.sign(data, self.catalogue.secrets, "desa-sungai-terik")
        else:
            datagram = data
        accounting = bool(datagram) and datagram[0] == packets.ACCOUNTING_REQUEST
        self.metrics.events.clear()
        self.trap.records.clear()
        started, cpu_started = time.monotonic(), time.thread_time()
        self.collector.paused = 0.0
        self.server.handle_datagram(datagram, self.address, accounting=accounting)
        cpu = time.thread_time() - cpu_started - self.collector.paused
        self.slowest = max(self.slowest, time.monotonic() - started)
        self.most_cpu = max(self.most_cpu, cpu)
        if cpu > HANG_CPU_SECONDS:
            raise oracle.Failure(f"hang: {cpu:.2f} s of CPU for one datagram")
        replies = self._replies(expect=not self.metrics.events)
        if self.trap.records:
            raise oracle.Failure("the server logged:\n" + "\n".join(self.trap.records))
        outcome = oracle.check(self.metrics.events, datagram, replies, self.catalogue)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        self.executions += 1
        if self.executions % 250 == 0:  # libFuzzer's -max_total_time exit skips atexit
            self._check_memory()
            self.write_summary()

    def _replies(self, *, expect: bool) -> list[bytes]:
        """What the router socket received (waits up to 1 s when an answer is due)."""
        replies = []
        timeout = 1.0 if expect else 0.0
        while select.select([self.router], [], [], timeout)[0]:
            replies.append(self.router.recv(8192))
            timeout = 0.0
        return replies

    def _check_memory(self) -> None:
        rss = current_rss_mb()
        if self.executions >= WARMUP and self.rss_baseline is None:
            self.rss_baseline = rss
        if self.rss_baseline is not None and rss - self.rss_baseline > RSS_GROWTH_LIMIT_MB:
            raise oracle.Failure(f"RSS grew from {self.rss_baseline:.0f} to {rss:.0f} MB")

    def mutate(self, data: bytes, max_size: int, seed: int) -> bytes:
        return self.mutator(data, random.Random(seed), max_size)

    def write_summary(self) -> None:
        seconds = time.monotonic() - self.started
        rss = current_rss_mb()
        summary = {
            "mode": self.mode,
            "executions": self.executions,
            "seconds": round(seconds, 1),
            "exec_per_s": round(self.executions / seconds, 1) if seconds else 0,
            "failures": self.failures,
            "slowest_input_s": round(self.slowest, 3),
            "most_cpu_per_input_s": round(self.most_cpu, 3),
            "longest_gc_pause_s": round(self.collector.longest, 3),
            "rss_mb_baseline": self.rss_baseline,
            "rss_mb_now": round(rss, 1),
            "rss_mb_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "outcomes": dict(sorted(self.outcomes.items())),
        }
        self.summary_path.write_text(json.dumps(summary, indent=1) + "\n")


def mutate_bytes(data: bytes, max_size: int) -> bytes:
    """libFuzzer's octet mutations (it requires len(data) <= max_size)."""
    max_size = max(max_size, 1)
    return atheris.Mutate(data[:max_size], max_size)


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("raw", "signed"), default="signed")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=None, help="database and crash files")
    parser.add_argument("--summary", type=Path, default=None, help="JSON summary (workdir)")
    options, libfuzzer = parser.parse_known_args(argv[1:])
    shm = Path("/dev/shm")  # noqa: S108 (a private temporary folder, for fast commits)
    workdir = options.workdir or Path(tempfile.mkdtemp(dir=shm if shm.is_dir() else None))
    summary = options.summary or workdir / "summary.json"
    logging.getLogger().setLevel(logging.WARNING)
    harness = Harness(options.mode, workdir / "db", options.runs, summary)
    atexit.register(harness.write_summary)
    corpus = workdir / "corpus"  # libFuzzer adds what it learns to the first folder
    corpus.mkdir(exist_ok=True)
    flags = [f"-runs={options.runs}", "-timeout=10", f"-artifact_prefix={workdir}/"]
    flags += [
        f"-rss_limit_mb={4096}",
        "-print_final_stats=1",
        *libfuzzer,
        str(corpus),
        str(CORPUS / options.mode),
    ]
    custom = {"custom_mutator": harness.mutate} if options.mode == "signed" else {}
    sys.stderr.write(f"fuzzing {options.mode}: workdir {workdir}, summary {summary}\n")
    atheris.Setup([argv[0], *flags], harness.one_input, **custom)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
