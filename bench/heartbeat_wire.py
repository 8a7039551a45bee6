"""What one heartbeat costs on the wire behind the reverse proxy production uses.

nginx (Debian's, on 127.0.0.1 only) terminates TLS with a throwaway ECDSA chain (leaf and
intermediate, as a public CA issues) for a realistic name, and proxies to the portal. One
heartbeat is then sent the way the router's script sends it, three times: a new TLS session,
then twice resuming it (a session ticket, TLS 1.3). For each exchange the kernel's own
counters of the TCP connection (``TCP_INFO``) give the bytes the TLS stream moved and the
segments, so TCP/IP headers can be counted too; the HTTP bytes are the plaintext inside.

Used by bench/edge_bench.py; on its own:

    python bench/heartbeat_wire.py --portal-port 8080 --nas desa-samurangau --token …
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from nginx_conf import write_config  # bench/ is on the path of every bench script
from province_servers import free_port

HOST = "wifidesa.paserkab.go.id"  # the name the router's script fetches (SNI, Host)
#: IPv4 (20 bytes) and TCP with timestamps (32 bytes) per segment.
SEGMENT_HEADERS = 52


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One heartbeat on one TCP connection: payload bytes each way, segments, HTTP."""

    status: int
    http_up: int
    http_down: int
    tls_up: int
    tls_down: int
    segments: int
    resumed: bool
    headers: tuple[str, ...]  # the names of the answer's header lines

    @property
    def http(self) -> int:
        return self.http_up + self.http_down

    @property
    def tls(self) -> int:
        return self.tls_up + self.tls_down

    @property
    def wire(self) -> int:
        """TLS bytes plus the IPv4/TCP headers of every segment."""
        return self.tls + self.segments * SEGMENT_HEADERS


@contextlib.contextmanager
def tls_proxy(portal_port: int) -> Iterator[tuple[int, Path]]:
    """nginx with TLS on a free loopback port in front of the portal; yields the port and
    the CA file a client must trust. Session tickets and a session cache are on (nginx's
    defaults for tickets, as recommended in the README's proxy snippet)."""
    import trustme  # a test dependency: a throwaway CA, never a real one

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    with tempfile.TemporaryDirectory(prefix="heartbeat-wire-") as tmp:
        root = Path(tmp)
        root.chmod(0o711)  # nginx's workers run as another user
        ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
        issuer = ca.create_child_ca(key_type=trustme.KeyType.ECDSA)
        leaf = issuer.issue_cert(HOST, key_type=trustme.KeyType.ECDSA)
        leaf.private_key_pem.write_to_path(str(root / "key.pem"))
        with (root / "chain.pem").open("wb") as chain:
            for blob in leaf.cert_chain_pems:  # the leaf, then the intermediate
                chain.write(blob.bytes())
        ca.cert_pem.write_to_path(str(root / "ca.pem"))
        port = free_port(socket.SOCK_STREAM)
        config = write_config(
            root,
            f"""  server_tokens off;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {root}/chain.pem;
    ssl_certificate_key {root}/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:wifidesa:1m;
    ssl_session_timeout 1d;
    location / {{
      proxy_pass http://127.0.0.1:{portal_port};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
    }}
  }}""",
        )
        process = subprocess.Popen(
            [nginx, "-c", str(config), "-p", str(root)], stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield port, root / "ca.pem"
        finally:
            process.terminate()
            process.wait(10)


def heartbeat_request(nas: str, form: dict[str, str]) -> bytes:
    """The heartbeat POST as the twin sends it (Python's http.client headers; what RouterOS's
    /tool fetch sends is field checklist item F3)."""
    body = urllib.parse.urlencode(form)
    path = f"/mt/{urllib.parse.quote(nas, safe='')}/heartbeat"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: identity\r\n"
        f"Content-Length: {len(body)}\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
    )
    return (head + body).encode()


def _read_answer(tls: ssl.SSLSocket) -> bytes:
    """One HTTP answer: the head, then Content-Length bytes (the router closes after it)."""
    answer = b""
    while b"\r\n\r\n" not in answer and (chunk := tls.recv(4096)):
        answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(answer) < len(head) + 4 + length and (chunk := tls.recv(4096)):
        answer += chunk
    return answer


def exchange(
    port: int, context: ssl.SSLContext, request: bytes, session: ssl.SSLSession | None
) -> tuple[Exchange, ssl.SSLSession | None]:
    """Send ``request`` on a new TLS connection (resuming ``session`` if given); returns the
    exchange's counts and the session to resume next time."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    tls = context.wrap_socket(raw, server_hostname=HOST, session=session)  # takes raw's fd
    tls.sendall(request)
    answer = _read_answer(tls)
    resumed, kept = tls.session_reused, tls.session
    sock: socket.socket = tls
    with contextlib.suppress(OSError, ssl.SSLError):
        sock = tls.unwrap()  # our close_notify
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    time.sleep(0.05)  # let the last ACKs arrive before reading the counters
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    sock.close()
    # struct tcp_info (linux/tcp.h): u64 bytes_acked @120, bytes_received @128,
    # u32 segs_out @136, segs_in @140; SYN and FIN count one byte each in the first two.
    acked, received = struct.unpack_from("QQ", info, 120)
    segs_out, segs_in = struct.unpack_from("II", info, 136)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    counts = Exchange(
        status=status,
        http_up=len(request),
        http_down=len(answer),
        tls_up=acked - 2,
        tls_down=received - 1,
        segments=segs_out + segs_in,
        resumed=resumed,
        headers=tuple(line.split(":", 1)[0] for line in lines),
    )
    return counts, kept


def measure(portal_port: int, nas: str, form: dict[str, str]) -> list[Exchange]:
    """Three heartbeats through nginx+TLS: a full handshake, then two resumptions."""
    with tls_proxy(portal_port) as (port, ca_file):
        context = ssl.create_default_context(cafile=str(ca_file))
        request = heartbeat_request(nas, form)
        results, session = [], None
        for _ in range(3):
            counts, session = exchange(port, context, request, session)
            results.append(counts)
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal-port", type=int, required=True)
    parser.add_argument("--nas", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--pages", default="")
    args = parser.parse_args()
    for counts in measure(args.portal_port, args.nas, {"token": args.token, "pages": args.pages}):
        print(counts, counts.wire)


if __name__ == "__main__":
    main()
