"""Regression tests for what fuzz/radius_fuzz.py found, one each, over real UDP."""

from __future__ import annotations

import socket
import time

from pyrad import packet

from portal.config import utcnow
from radius.accounting_writer import commit_batch
from radius.handlers import WRONG
from tests.radius.mikrotik import GIB4

MAC = "BC:24:11:EB:56:4D"


def drops(server, reason: str) -> float:
    return server.metrics.drops.labels(reason)._value.get()


def test_counters_past_what_the_database_holds_are_dropped(make_gateway, radius_server, router):
    # Gigawords 0xFFFFFFFF made a 64-bit count that overflowed SQLite's INTEGER: the
    # OverflowError failed the whole batch, so nobody in it was ever answered.
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway, timeout=0.5)
    broken = nas.accounting_request(3, seconds=60, output_octets=1234)
    broken["Acct-Output-Gigawords"] = GIB4 - 1

    assert nas.send(broken) is None
    assert drops(server, "bad-counter") >= 1
    fine = nas.accounting_request(3, seconds=120, output_octets=17 * GIB4 + 5)
    assert nas.send(fine).code == packet.AccountingResponse
    assert drops(server, "internal-error") == 0 and drops(server, "not-stored") == 0


def test_user_password_of_a_bad_length_or_not_utf8_is_dropped(
    make_gateway, make_grant, radius_server, router
):
    # pyrad's PwDecrypt raised PacketError (past our boundary: "internal-error") for a
    # length that is not a multiple of 16, and skipped non-UTF-8 octets, so a password
    # with stray octets inside still matched.
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway, timeout=0.5)
    odd = nas.access_request(issued.username, issued.password, mac=MAC, pap=True)
    odd["User-Password"] = bytes(17)
    stray = nas.access_request(issued.username, issued.password, mac=MAC, pap=True)
    stray["User-Password"] = stray.PwCrypt(issued.password.encode() + b"\xff")

    assert nas.send(odd) is None
    assert nas.send(stray) is None
    assert drops(server, "bad-password") == 2 and drops(server, "internal-error") == 0
    good = nas.access_request(issued.username, issued.password, mac=MAC, pap=True)
    assert nas.send(good).code == packet.AccessAccept


def test_a_voucher_works_only_in_the_village_that_printed_it(
    make_gateway, make_vouchers, radius_server, router
):
    home = make_gateway()
    away = make_gateway("desa-pulau-betung", timezone="WIB")
    (code,) = make_vouchers(home.village_kode)
    server = radius_server(reject_delay=0)

    elsewhere = router(server, away).access_request(code, code, mac=MAC, pap=True)
    reply = router(server, away).send(elsewhere)
    assert reply.code == packet.AccessReject and reply["Reply-Message"] == [WRONG]
    at_home = router(server, home).send(router(server, home).access_request(code, code, mac=MAC))
    assert at_home.code == packet.AccessAccept


def test_one_failing_request_does_not_cost_the_batch_its_answers(db):
    # Any exception, not only a database error, is retried request by request.
    def handle(session, requests, now):
        if "bad" in requests:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return [f"ok {r}" for r in requests], [r for r in requests if r == "b"]

    results, follow_ups = commit_batch(db, ["a", "bad", "b"], handle, utcnow())

    assert results == ["ok a", None, "ok b"]
    assert follow_ups == ["b"]


def test_accounting_naming_a_grant_or_voucher_that_is_gone_is_stored(
    make_gateway, radius_server, router
):
    # A Class naming a deleted (or never issued) grant broke the foreign key: the
    # request was never answered and the router retransmitted it for good.
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway, timeout=0.5)
    for n, class_ in enumerate([b"wd:g:4242", b"wd:v:4242", b"wd:g:" + b"9" * 30]):
        start = nas.accounting_request(1, f"8010{n:04X}", class_=class_)
        assert nas.send(start).code == packet.AccountingResponse
    assert drops(server, "not-stored") == 0 and drops(server, "internal-error") == 0


def test_an_empty_datagram_is_counted_and_the_next_request_answered(
    make_gateway, radius_server, router
):
    # The socket loop read a zero-length datagram as "nothing more" and counted nothing
    # (found by the hypothesis test): every datagram must leave a trace in the metrics.
    gateway = make_gateway()
    server = radius_server()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for port in (server.auth_port, server.acct_port):
            sock.sendto(b"", ("127.0.0.1", port))
    deadline = time.monotonic() + 5
    while drops(server, "malformed") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert drops(server, "malformed") == 2
    nas = router(server, gateway)
    assert nas.send(nas.accounting_request(7)).code == packet.AccountingResponse


def test_a_nul_in_the_user_name_is_dropped_before_any_query(
    make_gateway, make_grant, radius_server, router, caplog
):
    # Found by the hypothesis test on PostgreSQL: a grant-shaped User-Name with a NUL
    # octet reached the grant query, and PostgreSQL refuses NUL in text ("not-stored",
    # an error in the log). A User-Name is never NUL-terminated (RFC 2865 section 5.1).
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway, timeout=0.5)
    for name in ("wd-a99b77d\x005328ee23", issued.username + "\x00"):
        request = nas.access_request(issued.username, issued.password, mac=MAC)
        request["User-Name"] = name.encode()
        assert nas.send(request) is None
    assert drops(server, "bad-user-name") == 2
    assert drops(server, "not-stored") == 0 and drops(server, "internal-error") == 0
    good = nas.access_request(issued.username, issued.password, mac=MAC)
    assert nas.send(good).code == packet.AccessAccept
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
