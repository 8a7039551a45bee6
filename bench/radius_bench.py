"""RADIUS throughput on loopback: this server against Debian's FreeRADIUS, in one run.

    python bench/radius_bench.py [--seconds 5] [--in-flight 64] [--skip-freeradius]

Each server runs pinned to CPU 0, the load generator to CPU 1. The generator keeps
``--in-flight`` requests outstanding over several sockets and measures each answer:

* CHAP Access-Requests shaped like a MikroTik hotspot's, a different device per request,
  each with a real one-time grant (ours: grant lookup, CHAP check, device pseudonym,
  quota state, grant marked used and committed; FreeRADIUS: the same usernames and
  passwords from its users file or its SQL radcheck table);
* Accounting Interim-Updates for 1,000 sessions with growing counters (ours: committed
  durably before the answer, SQLite WAL + synchronous=FULL; FreeRADIUS: detail file or
  rlm_sql on SQLite).

It prints requests/s, p50/p99 latency and unanswered requests, then the ratios. This is
not a test: it starts real servers and takes about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_setup import populate
from freeradius_conf import write_config
from pyrad.packet import AcctPacket, AuthPacket

from radius.decode import load_dictionary

DICTIONARY = load_dictionary()
LANES = 8
NAS_ID = "bench-desa"


@dataclass
class Result:
    name: str
    answered: int
    accepted: int
    unanswered: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.answered / self.seconds

    @property
    def cpu_per_request(self) -> float:
        """Server CPU time (user + system, all threads) per answered request, in µs."""
        return self.cpu_seconds / max(1, self.answered) * 1e6

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.rate:>9,.0f} req/s   p50 {self.percentile(0.5):6.2f} ms"
            f"   p99 {self.percentile(0.99):7.2f} ms   ok {self.accepted:>7,}"
            f"   unanswered {self.unanswered:,}   server CPU {self.cpu_per_request:5.0f} µs/req"
        )


def chap_packets(grants: list[tuple[str, str, str]], secret: bytes) -> list[list[bytes]]:
    """One signed Access-Request per grant, dealt round-robin into lanes with their ids."""
    import hashlib

    lanes: list[list[bytes]] = [[] for _ in range(LANES)]
    for index, (username, password, mac) in enumerate(grants):
        lane = index % LANES
        pkt = AuthPacket(id=len(lanes[lane]) % 256, secret=secret, dict=DICTIONARY)
        challenge, ident = os.urandom(16), os.urandom(1)
        pkt["NAS-Port-Type"] = 19
        pkt["Calling-Station-Id"] = mac
        pkt["Called-Station-Id"] = "hs-desa"
        pkt["NAS-Port-Id"] = "bridge-hotspot"
        pkt["User-Name"] = username
        pkt["NAS-Port"] = 2148532244
        pkt["Acct-Session-Id"] = f"8{index:07X}"
        pkt["Framed-IP-Address"] = "10.5.88.2"
        pkt["CHAP-Challenge"] = challenge
        pkt["CHAP-Password"] = ident + hashlib.md5(ident + password.encode() + challenge).digest()  # noqa: S324
        pkt["Service-Type"] = 1
        pkt["NAS-Identifier"] = NAS_ID
        pkt["NAS-IP-Address"] = "10.0.0.1"
        pkt.add_message_authenticator()
        lanes[lane].append(pkt.RequestPacket())
    return lanes


def interim_packets(count: int, secret: bytes, sessions: int = 1000) -> list[list[bytes]]:
    """Interim-Updates for ``sessions`` sessions whose counters grow with each round."""
    lanes: list[list[bytes]] = [[] for _ in range(LANES)]
    for index in range(count):
        lane, session, round_ = index % LANES, index % sessions, index // sessions + 1
        pkt = AcctPacket(id=len(lanes[lane]) % 256, secret=secret, dict=DICTIONARY)
        pkt["Acct-Status-Type"] = 3
        pkt["Calling-Station-Id"] = f"02:00:00:00:{session // 256:02X}:{session % 256:02X}"
        pkt["User-Name"] = f"wd-{session:016x}"
        pkt["Acct-Session-Id"] = f"8{session:07X}"
        pkt["Framed-IP-Address"] = "10.5.88.2"
        pkt["Acct-Session-Time"] = 60 * round_
        pkt["Acct-Input-Octets"] = 1000 * round_
        pkt["Acct-Output-Octets"] = 50_000 * round_
        pkt["Acct-Input-Gigawords"] = 0
        pkt["Acct-Output-Gigawords"] = 0
        pkt["NAS-Identifier"] = NAS_ID
        pkt["Acct-Delay-Time"] = 0
        pkt["NAS-IP-Address"] = "10.0.0.1"
        lanes[lane].append(pkt.RequestPacket())
    return lanes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    name: str, port: int, lanes: list[list[bytes]], seconds: float, in_flight: int, pid: int
) -> Result:
    """Closed-loop load: keep ``in_flight`` requests outstanding until time or packets run out.

    ``pid`` is the server's process, whose CPU time is measured over the run.
    """
    cpu_before = cpu_seconds(pid)
    per_lane = max(1, in_flight // LANES)
    selector = selectors.DefaultSelector()
    socks, pending, cursor = [], [], [0] * LANES
    for lane in range(LANES):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_READ, lane)
        socks.append(sock)
        pending.append({})
    latencies: list[float] = []
    accepted = unanswered = 0

    def send_next(lane: int, now: float) -> None:
        if cursor[lane] < len(lanes[lane]):
            data = lanes[lane][cursor[lane]]
            cursor[lane] += 1
            pending[lane][data[1]] = now
            socks[lane].send(data)

    started = time.perf_counter()
    for lane in range(LANES):
        for _ in range(per_lane):
            send_next(lane, started)
    deadline, last_sweep = started + seconds, started
    while (now := time.perf_counter()) < deadline and any(pending):
        for key, _ in selector.select(0.05):
            lane = key.data
            while True:
                try:
                    reply = socks[lane].recv(4096)
                except BlockingIOError:
                    break
                sent = pending[lane].pop(reply[1], None)
                if sent is None:
                    continue
                now = time.perf_counter()
                latencies.append(now - sent)
                accepted += reply[0] in (2, 5)
                send_next(lane, now)
        if now - last_sweep > 0.1:  # a request unanswered for 1 s is lost: move on
            last_sweep = now
            for lane in range(LANES):
                for ident, sent in list(pending[lane].items()):
                    if now - sent > 1.0:
                        del pending[lane][ident]
                        unanswered += 1
                        send_next(lane, now)
    elapsed = time.perf_counter() - started
    for sock in socks:
        sock.close()
    result = Result(name, len(latencies), accepted, unanswered, elapsed, latencies)
    result.cpu_seconds = cpu_seconds(pid) - cpu_before
    return result


def paced(
    name: str, port: int, lanes: list[list[bytes]], rate: float, seconds: float, pid: int
) -> Result:
    """Open-loop load: send at a fixed ``rate`` whatever the answers, measure latency."""
    cpu_before = cpu_seconds(pid)
    socks = []
    for _ in range(LANES):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setblocking(False)
        sock.connect(("127.0.0.1", port))
        socks.append(sock)
    selector = selectors.DefaultSelector()
    for lane, sock in enumerate(socks):
        selector.register(sock, selectors.EVENT_READ, lane)
    pending: list[dict[int, float]] = [{} for _ in range(LANES)]
    latencies: list[float] = []
    accepted, sent, cursor = 0, 0, [0] * LANES
    started = time.perf_counter()
    total = int(rate * seconds)
    while True:
        now = time.perf_counter()
        while sent < total and started + sent / rate <= now:
            lane = sent % LANES
            if cursor[lane] < len(lanes[lane]):
                data = lanes[lane][cursor[lane]]
                cursor[lane] += 1
                pending[lane][data[1]] = now
                socks[lane].send(data)
            sent += 1
        if sent >= total and (not any(pending) or now > started + seconds + 1.0):
            break
        wait = max(0.0, started + sent / rate - now) if sent < total else 0.05
        for key, _ in selector.select(min(wait, 0.05)):
            while True:
                try:
                    reply = socks[key.data].recv(4096)
                except BlockingIOError:
                    break
                at = pending[key.data].pop(reply[1], None)
                if at is not None:
                    latencies.append(time.perf_counter() - at)
                    accepted += reply[0] in (2, 5)
    for sock in socks:
        sock.close()
    result = Result(name, len(latencies), accepted, sum(map(len, pending)), seconds, latencies)
    result.cpu_seconds = cpu_seconds(pid) - cpu_before
    return result


def skip(lanes: list[list[bytes]], count: int) -> list[list[bytes]]:
    """The lanes without their first ``count`` packets in all (already used)."""
    per_lane = count // LANES
    return [lane[per_lane:] for lane in lanes]


def wait_ready(port: int, timeout: float = 20.0) -> None:
    probe = AcctPacket(id=1, secret=b"x", dict=DICTIONARY)
    probe["Acct-Status-Type"] = 3
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                sock.sendto(probe.RequestPacket(), ("127.0.0.1", port))
            time.sleep(0.3)  # an unknown-secret probe gets no answer: wait for the bind
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as check:
                try:
                    check.bind(("127.0.0.1", port))
                except OSError:
                    return  # the port is taken: the server is listening
    raise RuntimeError(f"nothing listening on {port}")


@contextlib.contextmanager
def running(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[int]:
    """Run a server pinned to CPU 0; yields the pid whose CPU time counts."""
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(port)
        time.sleep(0.5)
        yield server_pid(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_pid(pid: int) -> int:
    """The server process under taskset (exec'd in place) and an optional profiler."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return int(kids[0]) if kids else pid


def measure(label: str, port: int, pid: int, lanes: dict[str, list[list[bytes]]], args) -> list:
    """Closed-loop CHAP, paced CHAP, then accounting (after one priming round of Starts)."""
    results = [load(f"{label} CHAP", port, lanes["auth"], args.seconds, args.in_flight, pid)]
    print(results[-1].line(), flush=True)
    results.append(paced(f"{label} CHAP paced", port, lanes["paced"], args.paced_rate, 3.0, pid))
    print(results[-1].line(), flush=True)
    load("prime", port + 1, lanes["prime"], 10.0, args.in_flight, pid)
    results.append(
        load(f"{label} accounting", port + 1, lanes["acct"], args.seconds, args.in_flight, pid)
    )
    print(results[-1].line(), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--paced-rate", type=float, default=2000.0)
    parser.add_argument("--skip-freeradius", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    root = Path(tempfile.mkdtemp(prefix="wifidesa-bench-"))
    secret = secrets.token_urlsafe(24)
    count = int(args.seconds * 12_000)
    paced_count = int(args.paced_rate * 3) + LANES
    print(f"preparing {count + paced_count:,} grants and packets in {root} ...", flush=True)
    settings, grants = populate(
        root / "ours", secret=secret, nas_identifier=NAS_ID, count=count + paced_count
    )
    acct = interim_packets(count + 1000, secret.encode())
    lanes = {
        "auth": chap_packets(grants[:count], secret.encode()),
        "paced": chap_packets(grants[count:], secret.encode()),
        "prime": [lane[: 1000 // LANES] for lane in acct],
        "acct": [lane[1000 // LANES :] for lane in acct],
    }
    results: dict[str, list[Result]] = {}
    env = {
        **os.environ,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
        "WIFIDESA_SECRET_KEY": settings.secret_key,
    }
    ours = [sys.executable, "-c", "from radius.cli import radius_command; radius_command()"]
    port = 31812
    with running([*ours, "--port", str(port), "--reject-delay", "0"], port, env) as pid:
        results["wifidesa"] = measure("wifidesa", port, pid, lanes, args)

    if not args.skip_freeradius and shutil.which("freeradius"):
        users = [(username, password) for username, password, _ in grants]
        for offset, (setup, wal) in enumerate((("files", False), ("sql", False), ("sql", True))):
            label = f"freeradius {setup}{' WAL' if wal else ''}"
            port = 32812 + 100 * offset
            folder = write_config(
                root / f"fr-{offset}", setup=setup, port=port, secret=secret, users=users, wal=wal
            )
            command = ["freeradius", "-f", "-d", str(folder), "-n", "radiusd"]
            with running(command, port) as pid:
                results[label] = measure(label, port, pid, lanes, args)

    mine = results["wifidesa"]
    print("\nratios (wifidesa / other, answered req/s; CPU per request other / wifidesa):")
    for label, theirs in results.items():
        if label != "wifidesa":
            print(
                f"  vs {label:<16} CHAP {mine[0].rate / max(theirs[0].rate, 1):5.2f}x"
                f"   accounting {mine[2].rate / max(theirs[2].rate, 1):5.2f}x"
                f"   CPU/req CHAP {theirs[0].cpu_per_request / mine[0].cpu_per_request:5.2f}x"
                f"   accounting {theirs[2].cpu_per_request / mine[2].cpu_per_request:5.2f}x"
            )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
