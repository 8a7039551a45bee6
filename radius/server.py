"""The RADIUS shell: sockets, decoding, verification, duplicates, replies.

One thread per socket receives and admits packets: it decodes them, finds the gateway
by source address and NAS-Identifier, checks the Message-Authenticator (Access) or the
Request Authenticator (Accounting), answers retransmissions from the duplicate cache,
and queues the rest. A Status-Server (RFC 5997) is answered on the spot, on either
socket (`radius.status`). A group-commit writer per socket runs the handlers in one
transaction per batch, commits, and only then replies. Nothing a packet contains can
crash a thread: every packet passes one error boundary, and drops are counted.

Use `start` (returns a running `RadiusServer`; `.stop()` it) in tests, and
`RadiusServer.run` from the command line.
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from pyrad.packet import PacketError
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.domain.pseudonyms import KeyRing
from portal.storage import make_engine, make_sessionmaker
from radius import decode, sockets, status
from radius.accounting import account_batch
from radius.accounting_writer import SocketLoop, commit_batch
from radius.authentication import authenticate_batch
from radius.clients import ClientCache
from radius.dedup import DelayedSender, DuplicateCache, Key
from radius.enforcement import Enforcer
from radius.handlers import AccessReply, HandlerContext
from radius.metrics import Metrics
from radius.outages import DatabaseOutages
from radius.upkeep import Upkeep
from radius.wire import ReceivedPacket, ReplyEncoder, decode_request

log = logging.getLogger(__name__)
ACCESS_REQUEST, ACCESS_ACCEPT, ACCESS_REJECT = 1, 2, 3
ACCOUNTING_REQUEST, ACCOUNTING_RESPONSE = 4, 5


@dataclass
class Job:
    """One admitted request on its way through a writer."""

    key: Key
    sock: socket.socket
    addr: tuple
    packet: ReceivedPacket
    request: object
    received: float


class RadiusServer:
    """Authentication and accounting listeners on ``host`` (ports 0 pick free ones)."""

    def __init__(
        self,
        settings: Settings,
        host: str = "127.0.0.1",
        port: int = 1812,
        acct_port: int | None = None,
        *,
        metrics: Metrics | None = None,
        reject_delay: float = 1.0,
        allow_mac_login: bool = True,
        coa_timeout: float = 2.0,
        coa_retries: int = 2,
        clock: Callable[[], datetime] | None = None,
        sweep_interval: float = 60.0,
    ) -> None:
        settings = settings.resolve_secret_key()
        clock = clock or settings.clock  # tests move it across a local midnight
        self.metrics = metrics or Metrics()
        self.dictionary = decode.load_dictionary()
        self._encoder = ReplyEncoder(self.dictionary)
        self._engine = make_engine(settings)
        self.outages = DatabaseOutages()  # logs database failures once, not per packet
        self.outages.watch(self._engine)
        # SQLite: the packet threads never run a WAL checkpoint inside a commit (that
        # fsyncs the database file and stalls every waiting router); the upkeep thread
        # checkpoints every second instead.
        if settings.is_sqlite:
            sa.event.listen(self._engine, "connect", sockets.no_autocheckpoint)
        sessions = make_sessionmaker(self._engine)
        self._sessions = sessions
        self.clients = ClientCache(sessions)
        # Keys outlive their window by the installation's grace, whoever creates them.
        keyring = KeyRing(grace=timedelta(days=settings.key_grace_days))
        self.context = HandlerContext(
            settings.secret_key,
            keyring=keyring,
            allow_mac_login=allow_mac_login,
            time_factor=settings.session_time_factor,
            implausible=self.metrics.bounded,
        )
        self._reject_delay = reject_delay
        self._clock = clock
        self._duplicates = DuplicateCache()
        self._delayed = DelayedSender(self._duplicates.complete)
        self.enforcer = Enforcer(
            self.clients, self.dictionary, self.metrics, timeout=coa_timeout, retries=coa_retries
        )
        try:
            self._auth_sock = sockets.bind_udp(host, port)
        except OSError:
            self._engine.dispose()
            raise
        try:
            self._acct_sock = sockets.bind_udp(
                host, self._auth_sock.getsockname()[1] + 1 if acct_port is None else acct_port
            )
        except OSError:  # the port is taken: nothing may stay open behind the error
            self._auth_sock.close()
            self._engine.dispose()
            raise
        self.auth_port = self._auth_sock.getsockname()[1]
        self.acct_port = self._acct_sock.getsockname()[1]
        self._loops = [
            SocketLoop(
                "radius-auth",
                self._auth_sock,
                lambda data, addr: self._admit_safely(data, addr, self._auth_sock, True),
                self._process_auth,
                self._fail,
            ),
            SocketLoop(
                "radius-acct",
                self._acct_sock,
                lambda data, addr: self._admit_safely(data, addr, self._acct_sock, False),
                self._process_acct,
                self._fail,
            ),
        ]
        self._upkeep = Upkeep(
            self._engine,
            sessions,
            settings,
            self.outages,
            clock=clock,
            sweep_interval=sweep_interval,
        )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> RadiusServer:
        """Listen and serve; with no database yet, listen anyway and answer no one until
        the gateways load (a service started before PostgreSQL must not crash-loop)."""
        try:
            self.clients.refresh()
        except sa.exc.OperationalError:
            log.error("no database at start; no gateway is served until it answers")
        self._delayed.start()
        for loop in self._loops:
            loop.start()
        self._upkeep.start()
        log.info("RADIUS listening on auth %d, accounting %d", self.auth_port, self.acct_port)
        return self

    def stop(self) -> None:
        """Stop receiving, finish the batches in hand, close sockets and the database."""
        self._delayed.stop()  # first: its rejects would go out of shut-down sockets
        for loop in self._loops:
            loop.stop()
        self._upkeep.stop()
        self.enforcer.stop()
        self._auth_sock.close()
        self._acct_sock.close()
        self._engine.dispose()

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM (for the command line)."""
        done = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
        self.start()
        # Everything loaded so far (SQLAlchemy, the models, pyrad's dictionary) lives as
        # long as the process: move it out of the garbage collector's sight, or each
        # full collection walks ~100,000 objects while routers wait (p99 latency).
        gc.collect()
        gc.freeze()
        done.wait()
        self.stop()

    def handle_datagram(self, data: bytes, addr: tuple, *, accounting: bool = False) -> None:
        """Handle one datagram from ``addr`` as if it arrived on the authentication (or
        ``accounting``) socket, on the calling thread: the path of every packet, for
        the fuzz harness. Replies go out of the socket as usual. Never raises."""
        self._loops[1 if accounting else 0].handle(data, addr)

    # -- receiving: decode, identify, verify, deduplicate -----------------------------------

    def _admit_safely(
        self, data: bytes, addr: tuple, sock: socket.socket, is_auth: bool
    ) -> Job | None:
        try:  # the error boundary: no packet can end a socket's thread
            return self._admit(data, addr, sock, is_auth)
        except Exception:
            self.metrics.drop("internal-error")
            log.exception("dropped a packet after an unexpected error")
            return None

    def _admit(self, data: bytes, addr: tuple, sock: socket.socket, is_auth: bool) -> Job | None:
        """Decode, identify, verify and deduplicate; the job to process, or None (dropped)."""
        received = time.monotonic()
        if len(data) >= 20 and data[0] == status.STATUS_SERVER:
            self._answer_status(data, addr, sock, is_auth, received)
            return None
        expected = ACCESS_REQUEST if is_auth else ACCOUNTING_REQUEST
        if len(data) < 20 or data[0] != expected:
            self.metrics.drop("malformed" if len(data) < 20 else "unexpected-code")
            return None
        kind = "access" if is_auth else "accounting"
        try:
            packet = decode_request(self.dictionary, data)
            nas_id = decode.nas_identifier(packet)
        except (PacketError, ValueError, KeyError, IndexError):
            self.metrics.drop("malformed")
            return None
        client = self.clients.lookup(addr[0], nas_id)
        if client is None:
            self.metrics.drop("unknown-client")
            return None
        refused = decode.verify(packet, client, access=is_auth)
        if refused is not None:
            self.metrics.drop(refused)
            return None
        key: Key = (kind, addr[0], addr[1], data[1], data[4:20])
        earlier = self._duplicates.begin(key)
        if earlier is not None:
            self.metrics.duplicates.labels(kind).inc()
            if earlier:  # else the first copy is still in hand; its reply answers both
                sock.sendto(earlier, addr)
            return None
        packet.secret = client.secret
        try:
            request = (decode.access_request if is_auth else decode.accounting_request)(
                packet, client
            )
        except decode.Malformed as malformed:
            self._duplicates.forget(key)
            self.metrics.drop(str(malformed))
            return None
        except Exception:
            self._duplicates.forget(key)  # else the router's resends stay unanswered
            raise
        return Job(key, sock, addr, packet, request, received)

    def _answer_status(
        self, data: bytes, addr: tuple, sock: socket.socket, is_auth: bool, received: float
    ) -> None:
        """Answer a Status-Server on the receiving thread (see `radius.status`)."""
        reply, outcome = status.reply(
            self.dictionary,
            self._encoder,
            self.clients,
            data,
            addr,
            access=is_auth,
            database_failing=self.outages.failing,
        )
        if reply is None:
            self.metrics.drop(outcome)
            return
        sock.sendto(reply, addr)
        self.metrics.count("status", outcome)
        self.metrics.observe("status", time.monotonic() - received)

    # -- writers: handle a batch in one transaction, commit, then answer ---------------------

    def _process_auth(self, batch: list[Job]) -> None:
        self.metrics.batch_size.labels("access").observe(len(batch))

        def handle(session: Session, requests: list, now: datetime) -> tuple[list, list]:
            return authenticate_batch(session, requests, self.context, now=now), []

        replies, _ = commit_batch(
            self._sessions, [j.request for j in batch], handle, self._clock(), self.outages.working
        )
        for job, reply in zip(batch, replies, strict=True):
            if reply is None:
                self._fail([job])
            else:
                self._answer_access(job, reply)

    def _answer_access(self, job: Job, reply: AccessReply) -> None:
        code = ACCESS_ACCEPT if reply.accept else ACCESS_REJECT
        # signed with a Message-Authenticator as first attribute, always (BlastRADIUS)
        data = self._encoder.reply(job.packet, code, reply.attributes, sign=True)
        self.metrics.count("access", reply.reason)
        if reply.delay and self._reject_delay > 0:
            self._delayed.send_at(
                job.received + self._reject_delay, job.sock, data, job.addr, job.key
            )
            return
        self._duplicates.complete(job.key, data)  # before sending: a fast resend finds it
        job.sock.sendto(data, job.addr)
        self.metrics.observe("access", time.monotonic() - job.received)

    def _process_acct(self, batch: list[Job]) -> None:
        self.metrics.batch_size.labels("accounting").observe(len(batch))

        def handle(session: Session, requests: list, now: datetime) -> tuple[list, list]:
            return [True] * len(requests), account_batch(session, requests, self.context, now=now)

        results, found = commit_batch(
            self._sessions, [j.request for j in batch], handle, self._clock(), self.outages.working
        )
        for job, stored in zip(batch, results, strict=True):
            if not stored:
                self._fail([job])
                continue
            data = self._encoder.reply(job.packet, ACCOUNTING_RESPONSE, sign=False)
            self._duplicates.complete(job.key, data)
            job.sock.sendto(data, job.addr)
            self.metrics.count("accounting", "stored")
            self.metrics.observe("accounting", time.monotonic() - job.received)
        # CoA goes to the address the gateway's accounting came from.
        nas_addresses = {job.request.point.gateway_id: job.addr[0] for job in batch}
        for enforcement in found:
            address = nas_addresses.get(enforcement.gateway_id)
            if address is not None:
                self.enforcer.submit(enforcement, address)

    def _fail(self, batch: list[Job]) -> None:
        for job in batch:
            self._duplicates.forget(job.key)  # the router's retransmission is processed anew
            self.metrics.drop("not-stored")


def start(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 1812,
    acct_port: int | None = None,
    **options: object,
) -> RadiusServer:
    """Start a server on background threads and return it; call ``.stop()`` when done."""
    return RadiusServer(settings, host, port, acct_port, **options).start()  # type: ignore[arg-type]
