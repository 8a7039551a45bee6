"""Network fuzz (AT-02): mutated and random datagrams at the real server process over
loopback UDP, with a valid login (a fresh grant, CHAP) every 1,000 packets.

    python -m fuzz.net_fuzz --packets 1000000 --rate 3000

Starts `wifidesa radius` on free loopback ports against a world of `fuzz.world` on
SQLite, then sends: random bytes, octet-mutated signed packets (they fail the
authenticators), and structure-mutated packets re-signed with the gateway's secret
(they reach the handlers and the database). Every canary must be answered with an
Access-Accept within 1 s, the process must stay up, its malformed-drop counter must
grow, and its log must stay short (at most 1 line/s besides startup). The canaries log
in from a thread of their own while the flood goes on (one at a time). Prints a JSON
report; exits 1 when any of that fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from fuzz import packets, seeds, world
from portal.config import utcnow
from portal.domain.access import grants
from portal.domain.pseudonyms import KeyRing
from portal.models import Gateway
from portal.storage import make_engine, make_sessionmaker

CANARY_NAS = "desa-sungai-terik"
STARTUP_LOG_LINES = 10
CANARY_PATIENCE = 5.0  # a canary must be accepted within 1 s; later answers are reported


@dataclass
class Report:
    packets: int = 0
    seconds: float = 0.0
    packets_per_s: float = 0.0
    canaries: int = 0
    canaries_accepted: int = 0
    canary_worst_s: float = 0.0
    replies_to_fuzz: int = 0
    malformed_drops: float = 0.0
    drops: dict[str, float] = field(default_factory=dict)
    server_alive: bool = True
    log_lines: int = 0
    problems: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`wifidesa radius` as a child process on loopback; its log goes to a file."""

    def __init__(self, workdir: Path) -> None:
        self.metrics_port = free_port()
        self.log_path = workdir / "server.log"
        env = {
            **os.environ,
            "WIFIDESA_DATA_DIR": str(workdir / "db"),
            "WIFIDESA_SECRET_KEY": world.MASTER_KEY,
        }
        env.pop("WIFIDESA_DATABASE_URL", None)
        command = [sys.executable, "-m", "portal.cli", "radius", "--port", "0"]
        command += ["--acct-port", "0", "--metrics-port", str(self.metrics_port)]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own command, loopback only)
            command, env=env, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        line = self.process.stdout.readline()  # "RADIUS on 127.0.0.1: auth N, accounting M"
        found = re.search(r"auth (\d+), accounting (\d+)", line)
        if found is None:
            self.stop()
            raise RuntimeError(f"the server did not start: {line!r}")
        self.auth_port, self.acct_port = int(found[1]), int(found[2])

    def drops(self) -> dict[str, float]:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as answer:
            text = answer.read().decode()
        pattern = r'^wifidesa_radius_dropped_total\{reason="([^"]+)"\} (\S+)$'
        return {m[1]: float(m[2]) for m in re.finditer(pattern, text, re.MULTILINE)}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self._log.close()


class Canary:
    """Logs a device in with a grant issued just before, as the portal does."""

    def __init__(self, settings, catalogue: world.Catalogue, server: Server) -> None:
        self._engine = make_engine(settings)
        self._sessions = make_sessionmaker(self._engine)
        self._catalogue, self._server = catalogue, server
        self._ring = KeyRing()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self._count = 0

    def login(self) -> tuple[float | None, str]:
        """Seconds until the Access-Accept (None when none came within 1 s), and what came."""
        self._count += 1
        mac = f"02:CA:{self._count >> 24 & 255:02X}:{self._count >> 16 & 255:02X}:"
        mac += f"{self._count >> 8 & 255:02X}:{self._count & 255:02X}"
        now = utcnow()
        with self._sessions() as session:
            gateway = session.query(Gateway).filter_by(nas_identifier=CANARY_NAS).one()
            day, device = self._ring.device_for_day(
                session,
                village_kode=gateway.village_kode,
                timezone=gateway.village.timezone,
                mac=mac,
                now=now,
            )
            issued = grants.issue_grant(
                session,
                gateway=gateway,
                device=device,
                local_date=day,
                now=now,
                master_key=world.MASTER_KEY,
            )
            session.commit()
        request = seeds.access(
            CANARY_NAS, mac, issued.username, password=issued.password, chap=True
        )
        request = packets.build(1, self._count & 255, os.urandom(16), packets.parse(request)[3])
        datagram = packets.sign(request, self._catalogue.secrets, CANARY_NAS)
        started = time.monotonic()
        self._sock.sendto(datagram, ("127.0.0.1", self._server.auth_port))
        while (left := started + CANARY_PATIENCE - time.monotonic()) > 0:
            if not select.select([self._sock], [], [], left)[0]:
                break
            reply = self._sock.recv(8192)
            secret = self._catalogue.secrets[CANARY_NAS].encode()
            if packets.reply_ok(datagram, reply, secret) is None:
                waited = time.monotonic() - started
                if reply[0] == packets.ACCESS_ACCEPT and waited <= 1.0:
                    return waited, "accept"
                return None, f"code {reply[0]} after {waited:.3f} s: {reply[38:].hex()}"
        return None, "no answer"

    def close(self) -> None:
        self._sock.close()
        self._engine.dispose()


def fuzz_datagrams(catalogue: world.Catalogue, rng: random.Random):
    """An endless mix: random octets, mutated signed packets, mutated then re-signed."""
    canonical = list(seeds.canonical_seeds(catalogue).values())
    malformed = list(seeds.malformed_seeds(catalogue).values())
    signed = [packets.sign(s, catalogue.secrets, CANARY_NAS) for s in canonical]
    pool = [a for s in canonical for a in packets.parse(s)[3]]
    bytes_mutate = packets.random_bytes_mutate(rng)
    mutator = packets.Mutator(pool, bytes_mutate, catalogue.grant_passwords().get)
    while True:
        kind = rng.random()
        if kind < 0.15:
            yield rng.randbytes(rng.randint(0, 300))
        elif kind < 0.5:
            yield bytes_mutate(rng.choice(signed + malformed), 4096)
        else:
            data = rng.choice(canonical)
            for _ in range(rng.randint(1, 3)):
                data = mutator(data, rng)
            yield packets.sign(data, catalogue.secrets, CANARY_NAS)


def run(count: int, rate: float, workdir: Path, seed: int = 0) -> Report:
    """Send ``count`` fuzz datagrams at about ``rate`` per second; returns the report."""
    settings, catalogue = world.prepare(workdir / "db")
    server = Server(workdir)
    canary = Canary(settings, catalogue, server)
    report = Report()
    rng = random.Random(seed)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.bind(("127.0.0.1", 0))
    sender.setblocking(False)
    logins = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canary")
    try:
        # One login before the fuzz: a fresh process's first one also compiles its
        # statements and loads the day's keys; liveness is measured after that.
        if canary.login()[1] != "accept":
            report.problems.append("the server did not accept a login before the fuzz")
        before = server.drops()
        started = time.monotonic()
        flights: list[Future] = []
        for number, data in enumerate(fuzz_datagrams(catalogue, rng), start=1):
            port = server.acct_port if data[:1] == b"\x04" else server.auth_port
            if rng.random() < 0.02:
                port = server.acct_port if port == server.auth_port else server.auth_port
            sender.sendto(data, ("127.0.0.1", port))
            while select.select([sender], [], [], 0)[0]:
                sender.recv(8192)
                report.replies_to_fuzz += 1
            if number % 1000 == 0:  # the flood does not wait for it
                flights.append(logins.submit(canary.login))
            if number >= count:
                break
            ahead = number / rate - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(ahead)
        report.packets = number
        report.seconds = round(time.monotonic() - started, 1)
        report.packets_per_s = round(number / report.seconds, 1)
        for flight in flights:
            _count_canary(report, *flight.result())
        report.server_alive = server.process.poll() is None
        after = server.drops()
        report.drops = {k: v - before.get(k, 0) for k, v in after.items()}
        report.malformed_drops = report.drops.get("malformed", 0)
    finally:
        logins.shutdown(wait=True, cancel_futures=True)
        sender.close()
        canary.close()
        server.stop()
    report.log_lines = len(server.log_path.read_text().splitlines())
    _judge(report)
    return report


def _count_canary(report: Report, waited: float | None, answer: str) -> None:
    report.canaries += 1
    if waited is None:
        report.problems.append(f"canary {report.canaries}: {answer}")
    else:
        report.canaries_accepted += 1
        report.canary_worst_s = max(report.canary_worst_s, round(waited, 4))


def _judge(report: Report) -> None:
    if not report.server_alive:
        report.problems.append("the server process died")
    if report.malformed_drops <= 0:
        report.problems.append("the malformed-drop counter did not grow")
    for reason in ("internal-error", "not-stored"):
        if report.drops.get(reason):
            report.problems.append(f"{report.drops[reason]:.0f} drops for {reason}")
    allowed = STARTUP_LOG_LINES + report.seconds
    if report.log_lines > allowed:
        report.problems.append(f"{report.log_lines} log lines in {report.seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=3000, help="datagrams per second")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    options = parser.parse_args()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="net-fuzz-"))
    report = run(options.packets, options.rate, workdir, options.seed)
    sys.stdout.write(json.dumps(asdict(report), indent=1) + "\n")
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
