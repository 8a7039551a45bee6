"""Property-based tests (hypothesis): whatever datagrams arrive, the RADIUS server keeps
letting residents in.

Each test starts one server on loopback (on SQLite and on PostgreSQL) and sends it a few
hundred generated datagrams over real UDP, one at a time, each awaited to its outcome:

* `any_datagram`: arbitrary octets (0 to 4096), or random attributes behind a plausible
  header, so that some get past the length checks into the attribute parser;
* `tampered`: a MikroTik-shaped Access- or Accounting-Request, signed, then edited octet
  by octet (bits flipped, cut short, extended, an attribute length or Length corrupted);
* `resigned`: the same requests edited attribute by attribute and then signed again with
  the gateway's secret (the Message-Authenticator, and for accounting the Request
  Authenticator), so they pass the integrity checks and reach decoders and handlers.

What every datagram must do: end in exactly one outcome, a counted drop or a correctly
signed answer, and never an ``internal-error`` drop (an exception reached the error
boundary, `RadiusServer._admit_safely`) or a ``not-stored`` one (a handler's transaction
failed on a healthy database). Random octets and tampered requests are dropped at the
integrity checks (a tampered request may be answered only if all that changed lies past
its Length: that is padding, the packet is the same). An Access-Accept is always earned:
a grant's password proved from the device it was issued to, or a MAC login of a device
that accepted the terms today. Every `CANARY_EVERY` datagrams and after the last, a new
resident with a new grant logs in with CHAP and is accepted within `CANARY_SECONDS`. At
the end the server's threads are all alive, nothing was logged as an error, and the
database holds none of the MACs sent (the privacy plugin also scans it after the run).

The @given functions are defined inside the tests: hypothesis runs all examples against
the test's one server, and no function-scoped fixture passes through @given.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz.oracle import DROP_ALLOWLIST, INTEGRITY_DROPS
from fuzz.packets import (
    ACCESS_ACCEPT,
    ACCOUNTING_REQUEST,
    ACCOUNTING_RESPONSE,
    CALLING_STATION,
    NAS_IDENTIFIER,
    USER_NAME,
    USER_PASSWORD,
    Attributes,
    build,
    parse,
)
from tests.radius.packet_strategies import ACCT_STATUS, CLASS, any_datagram, resigned, tampered
from tests.radius.property_bench import Bench, drop_counts

MAC = "BC:24:11:EB:56:4D"  # the resident of the logins mutated
ACCOUNTING_MAC = "02:00:00:0C:FF:01"  # another, so counters mutated to huge values
# do not spend the first one's quota: its logins stay acceptable
EXAMPLES = hypothesis.settings(
    max_examples=300,
    deadline=None,  # a datagram's time is bounded by OUTCOME_SECONDS instead
    # generating 4 KiB datagrams can be slow on a CI machine busy with other suites
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
# Re-signed requests reach the most code, each through many choices: more of them.
MORE_EXAMPLES = hypothesis.settings(EXAMPLES, max_examples=500)


@pytest.fixture
def bench(make_gateway, make_grant, accept_terms, radius_server, router) -> Iterator[Bench]:
    gateway = make_gateway()
    grant = make_grant(gateway, MAC)
    accept_terms(gateway, MAC)
    before = set(threading.enumerate())
    server = radius_server(reject_delay=0)  # rejects at once: each datagram is awaited
    bench = Bench(
        server,
        router(server, gateway),
        lambda mac: make_grant(gateway, mac),
        set(threading.enumerate()) - before,
        grants={grant.username: (grant.password, MAC)},
        terms_accepted={MAC},
    )
    bench.sent.add_mac(MAC)
    bench.sent.add_mac(ACCOUNTING_MAC)
    bench.canary()  # the first login also warms up the server's caches
    yield bench
    bench.sock.close()


def mikrotik_requests(bench: Bench) -> tuple[list[bytes], list[bytes]]:
    """A hotspot's requests as sent (signed), and in canonical form for `sign`
    (User-Password in clear): logins with the grant by CHAP and PAP, a MAC login, and
    accounting Start, Interim-Update, Stop and Accounting-On."""
    nas = bench.nas
    username, (password, _) = next(iter(bench.grants.items()))
    session = {"session_id": "8010A001", "mac": ACCOUNTING_MAC}
    requests = [  # (request, its User-Password in clear)
        (nas.access_request(username, password, mac=MAC), None),
        (nas.access_request(username, password, mac=MAC, pap=True), password),
        (nas.access_request(MAC, "", mac=MAC, pap=True), ""),
        (nas.accounting_request(1, **session, user_name=username, class_=b"wd:m"), None),
        (nas.accounting_request(3, **session, seconds=300, input_octets=5 << 20), None),
        (nas.accounting_request(2, **session, seconds=600, terminate_cause=1), None),
        (nas.accounting_request(7), None),
    ]
    signed, canonical = [], []
    for request, clear in requests:
        signed.append(request.RequestPacket())
        code, ident, authenticator, attributes, _ = parse(signed[-1])
        if clear is not None:
            attributes = [(k, clear.encode() if k == USER_PASSWORD else v) for k, v in attributes]
        canonical.append(build(code, ident, authenticator, attributes))
    return signed, canonical


def attribute_pool(canonicals: list[bytes]) -> Attributes:
    """Attributes worth inserting: every one of the requests, and some the server treats
    specially (a MAC as User-Name in other notations, Class of a grant or voucher, status
    types, an unknown NAS)."""
    pool = [a for data in canonicals for a in parse(data)[3]]
    pool += [(USER_NAME, MAC.encode()), (USER_NAME, b"bc24.11eb.564d"), (USER_NAME, b"ABCD2345")]
    pool += [(CALLING_STATION, b"bc-24-11-eb-56-4d"), (NAS_IDENTIFIER, b"desa-lain")]
    pool += [(CLASS, b"wd:g:1"), (CLASS, b"wd:v:1"), (CLASS, b"wd:g:" + b"9" * 30)]
    pool += [(ACCT_STATUS, struct.pack("!L", status)) for status in (1, 2, 3, 7, 8, 15)]
    return pool


# -- the tests ----------------------------------------------------------------------------


def test_random_datagrams_are_dropped_and_logins_go_on(bench, db, caplog):
    @EXAMPLES
    @given(datagram=any_datagram(), accounting=st.booleans())
    def send(datagram: bytes, accounting: bool) -> None:
        outcome = bench.deliver(datagram, accounting=accounting)
        assert outcome.dropped in INTEGRITY_DROPS, outcome

    send()
    bench.check_health(db, caplog)
    assert drop_counts(bench.server)["malformed"] > 0


def test_tampered_requests_are_dropped_and_logins_go_on(bench, db, caplog):
    originals, _ = mikrotik_requests(bench)

    @EXAMPLES
    @given(case=tampered(originals))
    def send(case: tuple[bytes, bytes]) -> None:
        original, datagram = case
        outcome = bench.deliver(datagram, accounting=original[0] == ACCOUNTING_REQUEST)
        if datagram.startswith(original):  # only padding past Length: the same request
            return
        assert outcome.dropped in INTEGRITY_DROPS, outcome

    send()
    bench.check_health(db, caplog)
    assert drop_counts(bench.server).total() > 0


def test_resigned_requests_reach_the_handlers_and_logins_go_on(bench, db, caplog):
    _, canonicals = mikrotik_requests(bench)
    pool = attribute_pool(canonicals)
    gateway_secrets = {bench.nas.nas_identifier: bench.secret.decode()}

    @MORE_EXAMPLES
    @given(datagram=resigned(canonicals, pool, gateway_secrets))
    def send(datagram: bytes) -> None:
        outcome = bench.deliver(datagram, accounting=datagram[0] == ACCOUNTING_REQUEST)
        assert outcome.dropped in DROP_ALLOWLIST | {None}, outcome  # a known reason, or answered

    send()
    bench.check_health(db, caplog)
    answered = bench.replies  # the handlers saw them: grants used, sessions stored
    assert answered[ACCESS_ACCEPT] > 0 and answered[ACCOUNTING_RESPONSE] > 0, answered
