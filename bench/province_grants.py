"""How a simulated phone gets its one-time grant: through the portal, or the same domain calls.

``PortalGrants`` plays the phone against the running portal (gunicorn) over HTTP, as
`wifidesa simulate` does: the router's login page posts its variables to /hotspot (303),
the splash (200), Setuju & Sambungkan (303 to the router's /login with the CHAP answer).
``DomainGrants`` makes the calls the portal's accept view makes (`admission.admit`) in
this process, batched on one thread: for the logins the portal workers cannot take on
this machine at the same time as everything else.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import sqlalchemy as sa
from province_gateway import Device, Grant, Stats
from province_setup import HOTSPOT_HOST

from portal.config import Settings, utcnow
from portal.domain.access import admission, hotspot
from portal.domain.content import terms
from portal.domain.pseudonyms import KeyRing, normalize_mac
from portal.models import Gateway
from portal.simulator import web
from portal.storage import make_engine, make_sessionmaker
from portal.web import router_fields

SERVER_NAME = "hs-wifidesa"


def _variables(nas_id: str, mac: str, client_ip: str) -> tuple[dict[str, str], bytes, bytes]:
    chap_id, challenge = secrets.token_bytes(1), secrets.token_bytes(16)
    variables = web.router_variables(
        nas_id=nas_id,
        mac=mac,
        client_ip=client_ip,
        hotspot_host=HOTSPOT_HOST,
        server_name=SERVER_NAME,
        chap_id=chap_id,
        chap_challenge=challenge,
    )
    return variables, chap_id, challenge


class PortalGrants:
    """Phones tapping through the portal, on ``threads`` threads."""

    def __init__(self, portal: str, stats: Stats, threads: int) -> None:
        self.portal, self.stats = portal.rstrip("/"), stats
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="phone")
        self.template: str | None = None

    async def __call__(self, gateway, device: Device) -> Grant | None:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self._login, gateway.spec.nas_id, device)

    def _login(self, nas_id: str, device: Device) -> Grant | None:
        if self.template is None:  # the router's installed login.html, the same for all
            status, _, self.template = web.fetch(f"{self.portal}/mt/{nas_id}/login.html")
            if status != 200:
                raise RuntimeError(f"router page: HTTP {status}")
        variables, chap_id, challenge = _variables(nas_id, device.mac, device.client_ip)
        action, fields = web.forms_of(web.substitute(self.template, variables))[0]
        started = time.monotonic()
        try:
            status, headers, _ = web.fetch(action, fields)
            if status != 303:
                raise web.SimulationFailed(f"/hotspot: HTTP {status}")
            status, _, splash = web.fetch(self.portal + headers["Location"])
            forms = [form for form in web.forms_of(splash) if "t" in form[1]]
            if status != 200 or not forms:
                raise web.SimulationFailed(f"splash: HTTP {status}")
            accept_action, accept_fields = forms[0]
            status, headers, _ = web.fetch(self.portal + accept_action, accept_fields)
            if status != 303:
                raise web.SimulationFailed(f"accept: HTTP {status}")
            login = web.parse_router_login(headers["Location"], variables["link-login-only"])
        except (web.SimulationFailed, OSError, KeyError) as failed:
            self.stats.counts[f"portal login failed: {str(failed)[:60]}"] += 1
            return None
        self.stats.observe("grant via portal (3 HTTP requests)", time.monotonic() - started)
        return Grant(login.username, login.password, chap_id, challenge)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DomainGrants:
    """The portal's accept path (`admission.admit`) run in a worker process (so its CPU
    does not slow the simulated routers down), one commit per grant."""

    def __init__(self, settings: Settings, stats: Stats, workers: int, batch: int = 16) -> None:
        self.stats, self.batch, self.workers = stats, batch, workers
        self.pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(settings,))
        self.waiting: list[tuple[asyncio.Future, str, Device, float]] = []
        self.busy = 0

    async def __call__(self, gateway, device: Device) -> Grant | None:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((future, gateway.spec.nas_id, device, time.monotonic()))
        if self.busy < self.workers:
            self.busy += 1
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self.waiting:
                items, self.waiting = self.waiting[: self.batch], self.waiting[self.batch :]
                work = [(nas_id, device.mac, device.client_ip) for _, nas_id, device, _ in items]
                results, failures = await loop.run_in_executor(self.pool, _issue_batch, work)
                self.stats.counts.update(failures)
                done = time.monotonic()
                for (future, _, _, queued), result in zip(items, results, strict=True):
                    if result is not None:
                        self.stats.observe("grant via domain (batched)", done - queued)
                    if not future.done():  # cancelled by the run's time limit
                        future.set_result(result)
        finally:
            self.busy -= 1

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_WORKER: dict = {}


def _start_worker(settings: Settings) -> None:
    engine = make_engine(settings)
    _WORKER.update(settings=settings, sessions=make_sessionmaker(engine), keyring=KeyRing())


def _issue_batch(work: list[tuple[str, str, str]]) -> tuple[list[Grant | None], Counter]:
    """Grants for (NAS-Identifier, MAC, client IP) triples, one commit each (as the portal
    commits each request: a long transaction would hold SQLite's write lock)."""
    results: list[Grant | None] = []
    failures: Counter = Counter()
    with _WORKER["sessions"]() as session:
        for nas_id, mac, client_ip in work:
            try:
                results.append(_admit(session, nas_id, mac, client_ip, utcnow()))
                session.commit()
            except (admission.TicketRefused, hotspot.InvalidRouterContext) as refused:
                session.rollback()
                failures[f"domain grant refused: {refused}"] += 1
                results.append(None)
            except sa.exc.SQLAlchemyError as failed:
                session.rollback()
                failures[f"domain grant failed: {type(failed).__name__}"] += 1
                results.append(None)
    return results, failures


def _admit(session, nas_id: str, mac: str, client_ip: str, now) -> Grant:
    gateway = session.scalar(sa.select(Gateway).where(Gateway.nas_identifier == nas_id))
    variables, chap_id, challenge = _variables(nas_id, mac, client_ip)
    context, raw_mac = router_fields.parse_router_fields(variables, hotspot_host=HOTSPOT_HOST)
    village = gateway.village
    day, pseudonym = _WORKER["keyring"].device_for_day(
        session,
        village_kode=village.kode,
        timezone=village.timezone,
        mac=normalize_mac(raw_mac),
        now=now,
    )
    version = terms.current_terms(session, village)
    ticket = admission.new_ticket(
        context,
        gateway=gateway,
        device=pseudonym,
        day=day,
        terms_version_id=version.id if version else None,
    )
    login = admission.admit(
        session,
        ticket,
        gateway=gateway,
        now=now,
        master_key=_WORKER["settings"].secret_key,
        fallback_dst="http://127.0.0.1/status",
    )
    return Grant(login.username, login.password, chap_id, challenge)
