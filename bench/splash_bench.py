"""Splash throughput: the portal under gunicorn (2 workers) beside nginx serving the
same page as a static file, in one run, on loopback.

    python bench/splash_bench.py [--seconds 8] [--requests 4000] [--clients 8]

Seeds a SQLite database with one village, its gateway, terms and five realistic
announcements; takes one splash URL (``/hotspot?t=<ticket>``); saves that page as a
static file; then drives each server with the same bounded load loop (a request
count and a time limit, whichever comes first) and writes bench/RESULTS-splash.md.
Both servers listen on 127.0.0.1 only and are stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from nginx_conf import write_config  # noqa: E402
from province_servers import free_port  # noqa: E402

from portal import create_app  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.database import db  # noqa: E402
from portal.migrations import upgrade_database  # noqa: E402
from portal.world import World  # noqa: E402

SECRET = "bench-secret-key-" + "0" * 40
NEWS = [
    (
        "Posyandu Balita bulan ini",
        "<p>Posyandu Melati buka <strong>Selasa pukul 08.00</strong> "
        "di balai desa. Bawa buku KIA dan KMS. Ada imunisasi campak dan vitamin A.</p>",
    ),
    (
        "Musyawarah Desa RKP Desa 2027",
        "<p>Seluruh warga diundang ke musyawarah desa "
        "pembahasan RKP Desa 2027 di aula kantor desa, Kamis pukul 09.00 WITA.</p>",
    ),
    (
        "APBDes 2026: Jalan usaha tani",
        "<ul><li>Kegiatan: pengerasan jalan usaha tani</li>"
        "<li>Lokasi: RT 03 Dusun Sungai Batu</li><li>Anggaran: Rp245.000.000</li></ul>",
    ),
    (
        "Gotong royong Sabtu",
        "<p>Kerja bakti membersihkan saluran air di RT 01 dan RT 02, "
        "Sabtu pukul 07.00. Bawa cangkul dan parang.</p>",
    ),
    (
        "Lapak UMKM: Gula aren",
        "<p>Gula aren asli, Rp25.000 per kilo. Pesan di BUMDes "
        "Maju Bersama, buka setiap hari kerja.</p>",
    ),
]
TERMS = "\n".join(
    [
        "Internet gratis untuk warga dan tamu desa.",
        "Dilarang untuk judi, pornografi, penipuan, dan menyebarkan hoaks.",
        "Kuota harian 1 GB per perangkat, berlaku sampai pukul 00.00 WITA.",
        "Kami tidak menyimpan nama, nomor HP, atau alamat perangkat Anda.",
    ]
)


def seed(settings: Settings) -> str:
    """Migrate and seed; return the path of one splash page (``/hotspot?t=…``)."""
    app = create_app(settings)
    upgrade_database(app)
    now = datetime.now(UTC).replace(tzinfo=None)
    with app.app_context():
        world = World(db.session, now=now, master_key=settings.secret_key, actor="bench")
        village = world.village("64.01.01.2009", ssid="WifiDesa", slug="samurangau")
        world.gateway(village.kode, "bench-gw", secret="bench-radius-secret-0001")  # noqa: S106
        world.terms("64.01", TERMS, (TERMS + "\n\n") * 6)
        for index, (title, body) in enumerate(NEWS):
            world.announcement(village, title, body, pinned=index == 1,
                               at=now - timedelta(hours=index))  # fmt: skip
        db.session.commit()
        fields = {
            "identity": "bench-gw",
            "mac": "AA:BB:CC:DD:EE:01",
            "ip": "10.5.50.23",
            "link-login-only": "http://10.5.50.1/login",
            "link-orig": "http://example.com/",
            "chap-id": "\\371",
            "chap-challenge": "\\357" * 16,
            "error": "",
            "trial": "no",
        }
        answer = app.test_client().post("/hotspot", data=fields)
        assert answer.status_code == 303, answer.status_code
        db.engine.dispose()
    return answer.headers["Location"]


def wait_ready(port: int, path: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Connection": "close"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def load(port: int, path: str, *, requests: int, seconds: float, clients: int) -> dict:
    """Bounded closed loop: ``clients`` threads, stop at ``requests`` or ``seconds``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status, _ = get(port, path)
                ok = status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    for _ in range(min(100, requests)):  # warm up (caches, pseudonym key, connections)
        get(port, path)
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": wall,
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def nginx_config(root: Path, port: int) -> Path:
    return write_config(
        root,
        f"""  types {{ text/html html; text/css css; }}
  server {{
    listen 127.0.0.1:{port};
    root {root}/www;
  }}""",
        workers=2,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "RESULTS-splash.md")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory(prefix="splash-bench-") as tmp:
        root = Path(tmp)
        portal_port, nginx_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
        env = {
            **os.environ,
            "WIFIDESA_DATA_DIR": str(root / "data"),
            "WIFIDESA_SECRET_KEY": SECRET,
            "WIFIDESA_PUBLIC_URL": f"http://127.0.0.1:{portal_port}",
            "WIFIDESA_DATABASE_URL": "",
        }
        settings = Settings.from_env(env)
        path = seed(settings)
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{portal_port}",
                "--log-level",
                "warning",
                "portal.wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        server = None
        try:
            wait_ready(portal_port, "/healthz")
            status, page = get(portal_port, path)
            _, css = get(portal_port, "/static/splash.css")
            assert status == 200
            # nginx's workers run as an unprivileged user: let them reach the page.
            root.chmod(0o711)
            (root / "www" / "static").mkdir(parents=True)
            (root / "www" / "splash.html").write_bytes(page)
            (root / "www" / "static" / "splash.css").write_bytes(css)
            for item in (root / "www", root / "www" / "static"):
                item.chmod(0o755)
            server = subprocess.Popen(
                [nginx, "-c", str(nginx_config(root, nginx_port)), "-p", str(root)],
                stderr=subprocess.DEVNULL,
            )
            wait_ready(nginx_port, "/splash.html")
            bound = {"requests": args.requests, "seconds": args.seconds, "clients": args.clients}
            load_before = os.getloadavg()[0]
            portal = load(portal_port, path, **bound)
            static = load(nginx_port, "/splash.html", **bound)
            portal["load"] = (load_before, os.getloadavg()[0])
        finally:
            gunicorn.terminate()
            gunicorn.wait(10)
            if server is not None:
                server.terminate()
                server.wait(10)
    report = render(portal, static, len(page), len(css), args)
    args.output.write_text(report)
    print(report)
    return 0


def render(portal: dict, static: dict, page: int, css: int, args: argparse.Namespace) -> str:
    ratio = static["rps"] / portal["rps"] if portal["rps"] else float("inf")

    def row(name: str, r: dict) -> str:
        return (
            f"| {name} | {r['requests']} | {r['errors']} | {r['seconds']:.1f} | "
            f"{r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |"
        )

    return "\n".join(
        [
            "# Splash throughput",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
            f"({os.cpu_count()} cores, shared with other work), "
            f"Python {platform.python_version()}.",
            f"Command: `python bench/splash_bench.py --seconds {args.seconds:g} "
            f"--requests {args.requests} --clients {args.clients}`.",
            "",
            f"Page: `GET /hotspot?t=<ticket>` with five announcements, terms summary and full "
            f"text: {page} bytes HTML + {css} bytes CSS = {page + css} bytes (budget 30,720).",
            "The portal renders it per request under gunicorn with 2 sync workers, reading the "
            "device's day counters from SQLite (the village's terms, bulletin and policy come "
            "from each worker's 10-second village snapshot); nginx serves the saved copy of "
            "the same page "
            "(2 workers). Same load loop for both: "
            f"{args.clients} client threads, a new connection per request, stop at "
            f"{args.requests} requests or {args.seconds:g} s.",
            "",
            "| server | requests | errors | seconds | req/s | p50 ms | p99 ms |",
            "|---|---|---|---|---|---|---|",
            row("portal (gunicorn, 2 workers)", portal),
            row("nginx static file", static),
            "",
            f"nginx / portal throughput ratio: **{ratio:.1f}×**.",
            "",
            "The load generator is Python on the same two cores, so the nginx figure is a lower "
            "bound (the client saturates first); the portal figure is what one two-core box "
            "renders while also running the client.",
            f"The machine is shared: 1-minute load average {portal['load'][0]:.1f} before and "
            f"{portal['load'][1]:.1f} after the run; the portal's figures move with it.",
            "",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
