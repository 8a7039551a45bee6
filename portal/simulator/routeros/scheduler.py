"""The router's scripts: the scheduler's heartbeat and fetch, and netwatch's emergency switch.

* `/system scheduler add interval=10m` runs the heartbeat (MikroTik manual "Scheduler",
  reference §8.2 [R4]); `/tool fetch http-method=post http-data=… output=user` posts
  `token=<token>&pages=<version>` (plus the outage report after an outage) to
  `/mt/<nas-id>/heartbeat` and reads the short answer: 204 or `fetch <version>`; on
  `fetch` it GETs every file with `?token=` (`dst-path=hotspot/<file>`, [R4]).
  VERIFY-ON-ROUTER S6: that `output=user` hands the answer text to the script as the twin does.
* `/tool netwatch` (manual "Netwatch", §8.3 [R6]) probes the central RADIUS host every
  `interval` (30 s in the .rsc; default 10s) with `type=icmp` and the .rsc's thresholds
  (`router_edge_scripts.NETWATCH`); the twin's echoes cross the link, so the host looks
  down when the link passes nothing, or answers too slowly for the thresholds. The
  probes carry no scripts (netwatch runs them as `*sys`, whose globals other scripts
  cannot read, manual "Netwatch"): a scheduler script (edge's `wifidesa-watch`, every
  minute) reads the probe's status. Down for `emergency_after` (3 min) → `trial` in the
  profile's login-by; up again → trial off, trial sessions removed (`/ip hotspot active
  remove [find where login-by="trial"]`), the outage report kept for the heartbeat,
  which is sent at once. VERIFY-ON-ROUTER S3 (an icmp probe does not see a stopped
  RADIUS process on a host that answers ping) and S4/S5 (field checklist).
"""

from __future__ import annotations

import http.client
import socket
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass

from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.hotspot import Emergency, Hotspot
from portal.simulator.routeros.pages import FILES, Flash
from portal.web.router_edge_scripts import NETWATCH, NetwatchProbe

__all__ = ["Heartbeat", "Netwatch", "Scripts", "icmp_test_passes"]


@dataclass
class Heartbeat:
    """The last heartbeat: what was sent and what came back ('' when nothing did, and for
    the 204 that means "nothing to do"); ``heard`` when the portal answered 2xx (the
    script's ``/tool fetch`` ended without an error, VERIFY-ON-ROUTER S6)."""

    sent: dict[str, str]
    answer: str
    heard: bool = False
    fetched: bool = False
    at: float = 0.0  # router seconds when the script started
    fetch_seconds: float = 0.0  # real seconds the fetch took (latency is not compressed)


class Netwatch:
    """The icmp probe of the central host through the link; `up` is the last state seen.

    One test sends the probe's ``packet-count`` echoes at once (the router spaces them
    ``packet-interval`` apart; the twin does not wait) and collects answers until
    ``timeout`` (real seconds: latency is not compressed); `icmp_test_passes` judges them
    as the manual's "ICMP probe options" say.
    """

    def __init__(
        self, echo: tuple[str, int], timeout: float, settings: NetwatchProbe = NETWATCH
    ) -> None:
        self.echo = echo
        self.timeout = timeout
        self.settings = settings
        self.up = True

    def probe(self) -> bool:
        sent: dict[bytes, float] = {}
        rtts_ms: list[float] = []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for number in range(self.settings.packet_count):
                payload = b"echo%d" % number
                sent[payload] = time.monotonic()
                try:
                    sock.sendto(payload, self.echo)
                except OSError:
                    return False
            deadline = time.monotonic() + self.timeout
            while sent and (remaining := deadline - time.monotonic()) > 0:
                sock.settimeout(remaining)
                try:
                    data = sock.recv(64)
                except OSError:
                    break
                if data in sent:
                    rtts_ms.append((time.monotonic() - sent.pop(data)) * 1000)
        return icmp_test_passes(self.settings, rtts_ms)


def icmp_test_passes(settings: NetwatchProbe, rtts_ms: list[float]) -> bool:
    """Whether one icmp test passes (manual, Netwatch, "ICMP probe options": a value
    above a ``thr-*`` threshold is a probe fail): loss above ``thr-loss-percent``, or
    the answers' average, maximum, standard deviation or jitter (taken here as maximum
    minus minimum, VERIFY-ON-ROUTER T9) above theirs."""
    lost = settings.packet_count - len(rtts_ms)
    if not rtts_ms or 100.0 * lost / settings.packet_count > settings.thr_loss_percent:
        return False
    return (
        statistics.fmean(rtts_ms) <= settings.thr_avg_ms
        and max(rtts_ms) <= settings.thr_max_ms
        and statistics.pstdev(rtts_ms) <= settings.thr_stdev_ms
        and max(rtts_ms) - min(rtts_ms) <= settings.thr_jitter_ms
    )


class Scripts:
    """Runs the scheduler, netwatch and the hotspot's own timers on threads."""

    def __init__(
        self,
        hotspot: Hotspot,
        flash: Flash,
        clock: Clock,
        *,
        portal: tuple[str, int],
        token: str,
        netwatch: Netwatch,
        interval: float = 600.0,
        netwatch_interval: float = 10.0,
        watch_interval: float = 60.0,
        emergency_after: float = 180.0,
        http_timeout: float = 5.0,
    ) -> None:
        self.hotspot, self.flash, self.clock = hotspot, flash, clock
        self.portal, self.token, self.netwatch = portal, token, netwatch
        self.interval, self.netwatch_interval = interval, netwatch_interval
        self.watch_interval = watch_interval
        self.down_at = clock.now()
        self.emergency_after, self.http_timeout = emergency_after, http_timeout
        self.down_since: float | None = None
        self.pending: Emergency | None = None  # a finished outage not yet reported
        self.reported: Emergency | None = None  # the last report the portal answered
        self.history: list[Heartbeat] = []
        self.fetch_bytes = 0
        self.last_error = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- heartbeat and fetch --------------------------------------------------------
    def heartbeat(self) -> Heartbeat:
        """One run of the scheduler's script; returns what happened."""
        at = self.clock.seconds()
        form = {"token": self.token, "pages": self.flash.version}
        report = self.pending
        if report is not None:
            form.update(
                outage=report.outage_id,
                emergency_logins=str(report.logins),
                emergency_seconds=str(int(report.seconds)),
                emergency_bytes=str(report.bytes),
                outage_minutes=str(int(((report.ended or 0) - report.started) // 60)),
            )
        nas = urllib.parse.quote(self.hotspot.config.identity, safe="")
        status, body = self.request("POST", f"/mt/{nas}/heartbeat", urllib.parse.urlencode(form))
        answer = body.decode("utf-8", "replace").strip() if status == 200 else ""
        beat = Heartbeat(form, answer, heard=status in (200, 204), at=at)
        if beat.heard and report is not None and self.pending is report:
            self.pending, self.reported = None, report
        if answer.startswith("fetch "):
            started = time.monotonic()
            beat.fetched = self.fetch(answer.split(" ", 1)[1].strip())
            beat.fetch_seconds = time.monotonic() - started
        self.history.append(beat)
        return beat

    def fetch(self, version: str) -> bool:
        """GET every file; the flash changes only when all arrived (a partial fetch keeps
        the old set). VERIFY-ON-ROUTER F2: /tool fetch writes each file as it arrives; the
        generated script should fetch to a temporary name and move."""
        files: dict[str, bytes] = {}
        nas = urllib.parse.quote(self.hotspot.config.identity, safe="")
        query = f"?token={urllib.parse.quote(self.token, safe='')}" if self.token else ""
        for name in FILES:
            status, body = self.request("GET", f"/mt/{nas}/hotspot/{name}{query}")
            if status == 404:
                continue
            if status != 200:
                self.last_error = f"{name}: HTTP {status}" if status else self.last_error
                return False
            files[name] = body
        self.flash.replace(files, version)
        return True

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        host, port = self.portal
        connection = http.client.HTTPConnection(host, port, timeout=self.http_timeout)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.fetch_bytes += len(data) + len(path) + len(body or "")
            return response.status, data
        except (OSError, http.client.HTTPException) as error:
            self.last_error = f"{method} {path.split('?')[0]}: {error!r}"
            return 0, b""
        finally:
            connection.close()

    # --- netwatch and the watch script -----------------------------------------------
    def probe(self) -> None:
        """Netwatch's probe (every `netwatch_interval`): its status, up or down."""
        self.netwatch.up = self.netwatch.probe()

    def watch(self) -> None:
        """The watch script (every `watch_interval`, edge's `wifidesa-watch`): reads the
        probe's status; down for `emergency_after` → trial on; up again → trial off, the
        trial sessions removed, the outage report written and the heartbeat sent at once."""
        now = self.clock.seconds()
        hotspot = self.hotspot
        if not self.netwatch.up:
            if self.down_since is None:
                self.down_since = now
                self.down_at = self.clock.now()
            if hotspot.emergency is None and now - self.down_since >= self.emergency_after:
                with hotspot.lock:
                    outage_id = f"o{int(self.down_at.timestamp())}"
                    hotspot.emergency = Emergency(outage_id, self.down_since)
                    hotspot.login_by.add("trial")
            return
        if self.down_since is None:
            return
        self.down_since = None
        if hotspot.emergency is None:
            return
        hotspot.login_by.discard("trial")
        for host in list(hotspot.hosts.values()):
            if host.active is not None and host.active.trial:
                hotspot.logout(host.mac, "Admin-Reset")
        with hotspot.lock:
            finished, hotspot.emergency = hotspot.emergency, None
        finished.ended = now
        self.pending = finished
        self.heartbeat()

    # --- threads --------------------------------------------------------------------
    def start(self, heartbeat_at_start: bool = True) -> Scripts:
        def every(period: float, action, first: bool) -> None:
            if first:
                action()
            while not self.clock.wait(period, self._stop):
                action()

        for period, action, first in (
            (self.interval, self.heartbeat, heartbeat_at_start),
            (self.netwatch_interval, self.probe, True),
            (self.watch_interval, self.watch, False),
            (1.0, self.hotspot.tick, False),
        ):
            thread = threading.Thread(target=every, args=(period, action, first), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        deadline = time.monotonic() + 10
        for thread in self._threads:
            thread.join(timeout=max(0.1, deadline - time.monotonic()))


class EchoHost:
    """The central host's answer to icmp echo (its kernel answers while the link passes)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind(("127.0.0.1", 0))
        self.address = self._sock.getsockname()[:2]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                data, peer = self._sock.recvfrom(64)
                self._sock.sendto(data, peer)
            except OSError:
                return

    def close(self) -> None:
        self._sock.close()
