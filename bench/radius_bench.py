"""RADIUS throughput on loopback: this server against Debian's FreeRADIUS, in one run.

    python bench/radius_bench.py [--seconds 5] [--in-flight 64] [--moderate-in-flight 16]
                                 [--paced-rate 2000] [--skip-freeradius]

Each server runs pinned to CPU 0, the load generator to CPU 1. The generator keeps
``--in-flight`` requests outstanding over several sockets and measures each answer:

* CHAP Access-Requests shaped like a MikroTik hotspot's, a different device per request,
  each with a real one-time grant (ours: grant lookup, CHAP check, device pseudonym,
  quota state, grant marked used and committed; FreeRADIUS: the same usernames and
  passwords from its users file or its SQL radcheck table);
* Accounting Interim-Updates for 1,000 sessions with growing counters (ours: committed
  durably before the answer, SQLite WAL + synchronous=FULL; FreeRADIUS: detail file or
  rlm_sql on SQLite).

Both closed loops run at ``--in-flight`` and again at ``--moderate-in-flight`` (latency
at a router fleet's usual concurrency: with N in flight, latency is at least N divided
by the throughput). It prints requests/s, p50/p99 latency, unanswered requests and
the server's CPU time per request, then the ratios (at ``--in-flight``). This is
not a test: it starts real servers and takes about a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_setup import populate
from freeradius_conf import write_config
from loadgen import LANES, Result, load, paced
from pyrad.packet import AcctPacket, AuthPacket

from radius.decode import load_dictionary

DICTIONARY = load_dictionary()
NAS_ID = "bench-desa"


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
    """Closed-loop CHAP, paced CHAP, then accounting (after one priming round of Interims),
    each closed loop at ``--in-flight`` and then at ``--moderate-in-flight`` requests."""
    results = [load(f"{label} CHAP", port, lanes["auth"], args.seconds, args.in_flight, pid)]
    print(results[-1].line(), flush=True)
    results.append(paced(f"{label} CHAP paced", port, lanes["paced"], args.paced_rate, 3.0, pid))
    print(results[-1].line(), flush=True)
    load("prime", port + 1, lanes["prime"], 10.0, args.in_flight, pid)
    results.append(
        load(f"{label} accounting", port + 1, lanes["acct"], args.seconds, args.in_flight, pid)
    )
    print(results[-1].line(), flush=True)
    if args.moderate_in_flight:
        flight = args.moderate_in_flight
        for name, key, target in (("CHAP", "auth2", port), ("accounting", "acct2", port + 1)):
            results.append(
                load(f"{label} {name} @{flight}", target, lanes[key], args.seconds, flight, pid)
            )
            print(results[-1].line(), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument(
        "--moderate-in-flight",
        type=int,
        default=16,
        help="also measure CHAP and accounting at this many in flight (0: skip)",
    )
    parser.add_argument("--paced-rate", type=float, default=2000.0)
    parser.add_argument("--skip-freeradius", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    root = Path(tempfile.mkdtemp(prefix="wifidesa-bench-"))
    secret = secrets.token_urlsafe(24)
    count = int(args.seconds * 12_000)
    second = count if args.moderate_in_flight else 0
    paced_count = int(args.paced_rate * 3) + LANES
    total = count + second + paced_count
    print(f"preparing {total:,} grants and packets in {root} ...", flush=True)
    settings, grants = populate(root / "ours", secret=secret, nas_identifier=NAS_ID, count=total)
    # Accounting rounds continue from one load to the next, so counters keep growing.
    acct = interim_packets(count + second + 1000, secret.encode())
    first, rest = 1000 // LANES, (1000 + count) // LANES
    lanes = {
        "auth": chap_packets(grants[:count], secret.encode()),
        "auth2": chap_packets(grants[count : count + second], secret.encode()),
        "paced": chap_packets(grants[count + second :], secret.encode()),
        "prime": [lane[:first] for lane in acct],
        "acct": [lane[first:rest] for lane in acct],
        "acct2": [lane[rest:] for lane in acct],
    }
    results: dict[str, list[Result]] = {}
    env = {
        **os.environ,
        "WIFIDESA_DATA_DIR": str(settings.data_dir),
        "WIFIDESA_SECRET_KEY": settings.secret_key,
    }
    ours = [sys.executable, "-c", "from portal.cli.radius import radius_command; radius_command()"]
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
