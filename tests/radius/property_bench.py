"""The property tests' bench: one running RADIUS server, a router's socket, canary logins,
and the checks every datagram's outcome must pass (see tests/radius/test_property.py).
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy.orm import sessionmaker

from fuzz.packets import (
    ACCESS_ACCEPT,
    CALLING_STATION,
    CHAP_CHALLENGE,
    CHAP_PASSWORD,
    USER_NAME,
    USER_PASSWORD,
    Attributes,
    encrypt_password,
    first,
    parse,
    reply_ok,
)
from portal.domain.access.grants import IssuedGrant
from portal.domain.pseudonyms import InvalidMac, normalize_mac
from portal.storage import Base
from radius.server import RadiusServer
from tests.privacy.identifiers import Identifiers, add_datagram
from tests.radius.mikrotik import Router, chap

CANARY_EVERY = 10
CANARY_SECONDS = 1.0  # a login must be accepted this fast, whatever came before it
OUTCOME_SECONDS = 2.0  # a datagram must be dropped or answered this fast


# -- the bench: one server, a router's socket, canaries, and the checks -----------------


def drop_counts(server: RadiusServer) -> Counter[str]:
    """Drops so far by reason."""
    samples = server.metrics.drops.collect()[0].samples
    return Counter({s.labels["reason"]: s.value for s in samples if s.name.endswith("_total")})


def answer_count(server: RadiusServer) -> float:
    """Requests answered so far, retransmissions answered from the cache included."""
    counters = (server.metrics.requests, server.metrics.duplicates)
    return sum(
        s.value for c in counters for s in c.collect()[0].samples if s.name.endswith("_total")
    )


@dataclass
class Outcome:
    """What became of one datagram: the drop reason, or the answer."""

    dropped: str | None
    reply: bytes | None


@dataclass
class Bench:
    """One running server, the gateway it serves, and what the tests sent it."""

    server: RadiusServer
    nas: Router
    issue: Callable[[str], IssuedGrant]  # a grant for a MAC, as the portal issues it
    threads: set[threading.Thread]
    grants: dict[str, tuple[str, str]]  # username: (password, MAC)
    terms_accepted: set[str]  # MACs of devices that accepted the terms today
    sent: Identifiers = field(default_factory=Identifiers)
    sock: socket.socket = field(init=False)
    datagrams: int = 0
    canaries: int = 0
    replies: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))

    @property
    def secret(self) -> bytes:
        return self.nas.secret

    def deliver(self, datagram: bytes, *, accounting: bool) -> Outcome:
        """Send one datagram; its outcome once the server has dropped or answered it.

        Fails if it has none within `OUTCOME_SECONDS` or more than one, if it is dropped
        for a bug (``internal-error``, ``not-stored``), if an answer is not correctly
        signed, or if it is an Access-Accept not `earned`. Every `CANARY_EVERY`
        datagrams, a canary logs in after it.
        """
        assert not self._received(0), "a reply came for a datagram that was dropped"
        drops, answers = drop_counts(self.server), answer_count(self.server)
        port = self.server.acct_port if accounting else self.server.auth_port
        add_datagram(self.sent, datagram)
        self.sock.sendto(datagram, ("127.0.0.1", port))
        deadline = time.monotonic() + OUTCOME_SECONDS
        while True:
            new_drops = drop_counts(self.server) - drops
            new_answers = answer_count(self.server) - answers
            if new_drops or new_answers:
                break
            assert time.monotonic() < deadline, f"no outcome for {datagram.hex()}"
            time.sleep(0.0005)
        assert new_drops.total() + new_answers == 1, (new_drops, new_answers)
        if new_drops:
            (reason,) = new_drops
            assert reason not in ("internal-error", "not-stored"), datagram.hex()
            outcome = Outcome(reason, None)
        else:
            (reply,) = self._received(OUTCOME_SECONDS) or [None]
            assert reply is not None, f"counted as answered, no answer to {datagram.hex()}"
            wrong = reply_ok(datagram, reply, self.secret)
            assert wrong is None, f"{wrong} in the answer to {datagram.hex()}"
            if reply[0] == ACCESS_ACCEPT:
                assert self.earned(datagram), f"unearned Access-Accept for {datagram.hex()}"
            self.replies[reply[0]] += 1
            outcome = Outcome(None, reply)
        self.datagrams += 1
        if self.datagrams % CANARY_EVERY == 0:
            self.canary()
        return outcome

    def _received(self, timeout: float) -> list[bytes]:
        received = []
        while select.select([self.sock], [], [], timeout)[0]:
            received.append(self.sock.recv(8192))
            timeout = 0
        return received

    def canary(self) -> None:
        """A new resident with a new grant logs in with CHAP: accepted, and fast."""
        self.canaries += 1
        mac = f"02:00:00:0C:{self.canaries // 256:02X}:{self.canaries % 256:02X}"
        issued = self.issue(mac)
        request = self.nas.access_request(issued.username, issued.password, mac=mac)
        started = time.monotonic()
        reply = self.nas.send(request, timeout=CANARY_SECONDS)
        waited = time.monotonic() - started
        assert reply is not None, f"canary {self.canaries} got no answer in {CANARY_SECONDS} s"
        assert reply.code == ACCESS_ACCEPT and waited <= CANARY_SECONDS, (reply.code, waited)
        self.sent.add_mac(mac)
        self.grants[issued.username] = (issued.password, mac)
        self.terms_accepted.add(mac)

    def earned(self, request: bytes) -> bool:
        """Whether an Access-Accept for ``request`` is deserved: a grant's password
        proved (CHAP, or PAP exactly as a router encrypts it) from the grant's device,
        or a MAC login by a device that accepted the terms today. (A voucher is never:
        there are none.)"""
        attributes = parse(request)[3]
        user = (first(attributes, USER_NAME) or b"").decode("utf-8", "replace")
        mac = mac_in(first(attributes, CALLING_STATION) or b"")
        if user in self.grants:
            password, device = self.grants[user]
            return mac == device and proves(attributes, request[4:20], password, self.secret)
        return mac is not None and mac in self.terms_accepted and mac_in(user.encode()) == mac

    def check_health(self, db: sessionmaker, caplog: pytest.LogCaptureFixture) -> None:
        """After the examples: a last canary, threads alive, no error logged, the
        database without any MAC that was sent."""
        self.canary()
        assert {"radius-auth", "radius-acct"} <= {t.name for t in self.threads}
        stopped = [t.name for t in self.threads if not t.is_alive()]
        assert not stopped, f"server threads ended: {stopped}"
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, errors
        assert drop_counts(self.server)["internal-error"] == 0
        stored = list(raw_macs_stored(db, self.sent))
        assert not stored, stored


def mac_in(value: bytes) -> str | None:
    """The normalised MAC a Calling-Station-Id or User-Name names, as the server reads it."""
    try:
        return normalize_mac(value.decode("utf-8", "replace"))
    except InvalidMac:
        return None


def proves(attributes: Attributes, authenticator: bytes, password: str, secret: bytes) -> bool:
    chap_password = first(attributes, CHAP_PASSWORD)
    if chap_password is not None:
        challenge = first(attributes, CHAP_CHALLENGE) or authenticator
        return chap_password == chap(password, challenge, chap_password[0])[0]
    hidden = first(attributes, USER_PASSWORD)
    return hidden == encrypt_password(password.encode(), secret, authenticator)


def raw_macs_stored(db: sessionmaker, sent: Identifiers) -> Iterator[str]:
    """``table.column`` of every cell holding a MAC of ``sent`` in any notation (its
    client IPs are not looked for: an open session keeps its Framed-IP-Address)."""
    with db() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(table.select()):
                for column, value in zip(table.columns, row, strict=True):
                    text = value.decode("latin-1") if isinstance(value, bytes) else value
                    if isinstance(text, str):
                        for identifier, _ in sent.find(text):
                            if identifier in sent.macs:
                                yield f"{table.name}.{column.name}"
