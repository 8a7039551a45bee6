"""The hotspot's logins and sessions (`/ip hotspot host|active|user`), without HTTP.

MikroTik manual, "HotSpot - Captive portal" (help.mikrotik.com/docs/spaces/ROS/pages/56459266)
and "RADIUS" (…/328097); reference §1.4, §2.3, §2.5, §8.3:
* "The RADIUS server database is consulted only if no matching user access record is found
  in the router's local database" (RADIUS): `/ip hotspot user` first, then RADIUS.
* http-chap: the page sends MD5(chap-id ‖ password ‖ chap-challenge) in hex; the router sends
  CHAP-Password (id + digest) and CHAP-Challenge. http-pap: the plain password (User-Password).
* trial: `username=T-<MAC>`, limited by trial-uptime-limit per trial-uptime-reset, handled by
  the router alone. VERIFY-ON-ROUTER T4: that a trial login never reaches RADIUS and sends no
  accounting.
* Session-Timeout, Mikrotik-Total-Limit(+Gigawords), Mikrotik-Rate-Limit,
  Acct-Interim-Interval and Class of the Access-Accept fill the session (§2.3); it ends with
  Session-Timeout, NAS-Request (limit), User-Request or Admin-Reset (§2.5, `accounting`).
Emergency use (trial while the central server is away) is counted without MAC or IP.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from portal.simulator.routeros.accounting import GIGAWORD, Accounting, request_attributes
from portal.simulator.routeros.clock import Clock
from portal.simulator.routeros.radius_client import RadiusClient

__all__ = ["Emergency", "Host", "Hotspot", "HotspotConfig", "LoginResult", "Session"]


@dataclass(frozen=True)
class HotspotConfig:
    identity: str
    server_name: str = "hs-wifidesa"
    hotspot_address: str = "10.5.50.1"
    login_by: frozenset[str] = frozenset({"http-chap", "http-pap"})
    local_users: dict[str, str] = field(default_factory=dict)
    trial_uptime_limit: float = 30 * 60
    trial_uptime_reset: float = 24 * 3600
    trial_rate_limit: str = "512k/1M"
    interim_default: float = 300.0


@dataclass
class Session:
    username: str
    session_id: str
    started: float
    trial: bool = False
    emergency: bool = False
    session_timeout: float | None = None
    total_limit: int | None = None
    rate_limit: str = ""
    interim: float | None = None
    klass: bytes | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    last_interim: float = 0.0


@dataclass
class Host:
    """One device on the hotspot (`/ip hotspot host`); `active` when logged in."""

    mac: str
    ip: str
    chap_id: bytes = b""
    chap_challenge: bytes = b""
    active: Session | None = None
    trial_used: float = 0.0
    trial_period: int = 0


@dataclass
class Emergency:
    """Counts kept while the central server is away: no MAC, no IP (issue 12)."""

    outage_id: str
    started: float
    ended: float | None = None
    logins: int = 0
    seconds: float = 0.0
    bytes: int = 0


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    error_key: str = ""
    error_orig: str = ""


class Hotspot:
    """Logins, sessions, limits and accounting of one hotspot server."""

    def __init__(
        self,
        config: HotspotConfig,
        clock: Clock,
        radius: RadiusClient,
        *,
        on_accounting: Callable[[dict], None] | None = None,
    ) -> None:
        self.config, self.clock, self.radius = config, clock, radius
        self.login_by = set(config.login_by)
        self.hosts: dict[str, Host] = {}
        self.emergency: Emergency | None = None
        self.last_method = ""  # http-chap or http-pap: how the last login came
        self.lock = threading.RLock()
        self._ips = itertools.count(0)
        self._sessions = itertools.count(0x14)
        self.accounting = Accounting(config, clock, radius, on_accounting)

    # --- hosts and CHAP -------------------------------------------------------------
    def host(self, mac: str) -> Host:
        with self.lock:
            host = self.hosts.get(mac)
            if host is None:
                # .30-.99: never 10.5.50.1+digit (the privacy scan reads stored bytes)
                host = Host(mac, f"10.5.50.{next(self._ips) % 70 + 30}")
                self.hosts[mac] = host
            if not host.chap_id:
                self.new_challenge(host)
            return host

    def new_challenge(self, host: Host) -> None:
        host.chap_id, host.chap_challenge = secrets.token_bytes(1), secrets.token_bytes(16)

    def trial_left(self, host: Host) -> float:
        """Trial seconds this device still has in the current trial-uptime-reset period.
        VERIFY-ON-ROUTER T8: trial uptime adds up over a device's sessions in one period
        (the periods here start at the router's boot; on a router, per the reset's rule)."""
        period = int(self.clock.seconds() // self.config.trial_uptime_reset)
        if period != host.trial_period:
            host.trial_period, host.trial_used = period, 0.0
        used = host.trial_used
        if host.active is not None and host.active.trial:
            used += self.clock.seconds() - host.active.started
        return max(0.0, self.config.trial_uptime_limit - used)

    def trial_available(self, host: Host) -> bool:
        """`$(trial)`: yes when trial login is on and this device has time left.
        VERIFY-ON-ROUTER P1: that $(trial) is "no" while login-by lacks trial."""
        return "trial" in self.login_by and self.trial_left(host) > 0

    # --- login ----------------------------------------------------------------------
    def login(self, mac: str, username: str, password: str) -> LoginResult:
        """One /login with credentials; the session starts on success."""
        host = self.host(mac)
        with self.lock:
            if host.active is not None:
                return LoginResult(True)
            chap_id, challenge = host.chap_id, host.chap_challenge
            self.new_challenge(host)  # VERIFY-ON-ROUTER T3: a challenge serves one attempt
        if username.upper() == f"T-{mac.upper()}" or (
            username.startswith("T-") and "trial" in self.login_by
        ):
            return self._trial(host, username)
        chap = _chap_digest(password) if "http-chap" in self.login_by else None
        self.last_method = "http-chap" if chap is not None else "http-pap"
        if chap is None and "http-pap" not in self.login_by:
            return LoginResult(False, "chap-missing")
        if username in self.config.local_users:
            expected = self.config.local_users[username]
            if chap is not None:
                wanted = hashlib.md5(chap_id + expected.encode() + challenge).digest()  # noqa: S324
                good = hmac.compare_digest(wanted, chap)
            else:
                good = hmac.compare_digest(password.encode(), expected.encode())
            if not good:
                return LoginResult(False, "invalid-username")
            self._start(host, Session(username, self._session_id(), self.clock.seconds()))
            return LoginResult(True)
        return self._radius_login(host, username, password, chap, chap_id, challenge)

    def _radius_login(self, host, username, password, chap, chap_id, challenge) -> LoginResult:
        attributes = request_attributes(self.config, host, username, self._session_id())
        attributes["Service-Type"] = "Login-User"
        attributes["WISPr-Logoff-URL"] = f"http://{self.config.hotspot_address}/logout"
        pair = (chap_id + chap, challenge) if chap is not None else None
        answer = self.radius.access(attributes, chap=pair, password=password)
        if answer.code is None:
            return LoginResult(False, "radius-timeout")
        if not answer.accepted:
            message = str(answer.first("Reply-Message", "") or "")
            return LoginResult(False, "invalid-username", message)
        total = answer.first("Mikrotik-Total-Limit")
        if total is not None:
            total += (answer.first("Mikrotik-Total-Limit-Gigawords", 0) or 0) * GIGAWORD
        session = Session(
            username,
            str(attributes["Acct-Session-Id"]),
            self.clock.seconds(),
            session_timeout=answer.first("Session-Timeout"),
            total_limit=total,
            rate_limit=str(answer.first("Mikrotik-Rate-Limit", "") or ""),
            interim=answer.first("Acct-Interim-Interval") or self.config.interim_default,
            klass=answer.first("Class"),
        )
        self._start(host, session)
        self.accounting.send(host, session, "Start")
        return LoginResult(True)

    def _trial(self, host: Host, username: str) -> LoginResult:
        if not self.trial_available(host):
            return LoginResult(
                False, "uptime-limit" if "trial" in self.login_by else "invalid-username"
            )
        session = Session(username, self._session_id(), self.clock.seconds(), trial=True,
                          session_timeout=self.trial_left(host),
                          rate_limit=self.config.trial_rate_limit)  # fmt: skip
        with self.lock:
            if self.emergency is not None:
                session.emergency = True
                self.emergency.logins += 1
        self._start(host, session)
        return LoginResult(True)

    def _start(self, host: Host, session: Session) -> None:
        session.last_interim = session.started
        with self.lock:
            host.active = session

    def _session_id(self) -> str:
        return f"801{next(self._sessions):05x}"  # "80" hotspot, "1" boot, then a counter (§2.5)

    # --- traffic, limits, logout ----------------------------------------------------
    def transfer(self, mac: str, down: int, up: int = 0) -> bool:
        """Bytes moved by a logged-in device; returns False when it is not logged in."""
        with self.lock:
            session = self.hosts[mac].active if mac in self.hosts else None
            if session is None:
                return False
            session.bytes_out += down
            session.bytes_in += up
        self.tick()
        return True

    def tick(self) -> None:
        """Enforce session-timeout and traffic limits; send due interim updates."""
        now = self.clock.seconds()
        for host in list(self.hosts.values()):
            session = host.active
            if session is None:
                continue
            uptime = now - session.started
            if session.session_timeout is not None and uptime >= session.session_timeout:
                self.logout(host.mac, "Session-Timeout")
            elif session.total_limit is not None and (
                session.bytes_in + session.bytes_out >= session.total_limit
            ):
                self.logout(host.mac, "NAS-Request")
            elif (
                not session.trial
                and session.interim
                and now - session.last_interim >= session.interim
            ):
                session.last_interim = now
                self.accounting.send(host, session, "Interim-Update")

    def logout(self, mac: str, cause: str = "User-Request") -> Session | None:
        with self.lock:
            host = self.hosts.get(mac)
            session = host.active if host else None
            if host is None or session is None:
                return None
            host.active = None
            uptime = min(self.clock.seconds() - session.started, session.session_timeout or 1e18)
            if session.trial:
                host.trial_used += uptime
                if session.emergency and self.emergency is not None:
                    self.emergency.seconds += uptime
                    self.emergency.bytes += session.bytes_in + session.bytes_out
        if not session.trial:
            self.accounting.send(host, session, "Stop", cause)
        return session

    # --- accounting -----------------------------------------------------------------
    def send_interim(self, mac: str) -> None:
        """An Interim-Update for the device's session now (as its interval would)."""
        host = self.hosts.get(mac)
        if host is not None and host.active is not None and not host.active.trial:
            host.active.last_interim = self.clock.seconds()
            self.accounting.send(host, host.active, "Interim-Update")

    def close(self) -> None:
        """Let the accounting thread finish what is queued, then end it."""
        self.accounting.close()


def _chap_digest(sent: str) -> bytes | None:
    """The 16-byte CHAP response when the page sent one (32 hex digits), else None."""
    try:
        return bytes.fromhex(sent) if len(sent) == 32 else None
    except ValueError:
        return None
