"""Logins do not wait for accounting (AT-14's isolation, reference §6.1 I4).

The accounting handler is made slow (0.6 s per batch, as if its database were
slow) while a router keeps accounting in flight; logins meanwhile are answered at
once, because authentication has its own socket, thread and database connection.
"""

from __future__ import annotations

import statistics
import time

import pytest
from pyrad import packet

import radius.server as shell
from tests.faults.load import AccountingLoad

pytestmark = pytest.mark.slow
SLOW = 0.6  # seconds each accounting batch takes
STOP, LOGINS = 2, 8


def test_logins_are_answered_while_accounting_is_slow(
    make_gateway, make_grant, radius_server, router, monkeypatch
):
    gateway = make_gateway()
    macs = [f"02:00:00:00:02:{n:02X}" for n in range(LOGINS)]
    grants = [make_grant(gateway, mac) for mac in macs]
    real = shell.account_batch

    def slow(*args, **kwargs):
        time.sleep(SLOW)
        return real(*args, **kwargs)

    monkeypatch.setattr(shell, "account_batch", slow)
    server = radius_server()
    nas = router(server, gateway)
    packets = [
        nas.accounting_request(STOP, f"S{n:05d}", seconds=60, output_octets=n, terminate_cause=1)
        for n in range(100)
    ]
    took = []
    load = AccountingLoad(server.acct_port, gateway.secret.encode(), packets, retransmit=5.0)
    with load:
        time.sleep(0.2)  # the first accounting batch is in the writer now
        for grant, mac in zip(grants, macs, strict=True):
            begun = time.monotonic()
            reply = nas.send(nas.access_request(grant.username, grant.password, mac=mac))
            took.append(time.monotonic() - begun)
            assert reply is not None and reply.code == packet.AccessAccept
        busy = len(load.answered) < len(packets)
        assert load.wait(len(packets), timeout=30)

    assert busy, "accounting had finished before the logins: nothing was shown"
    assert max(took) < SLOW / 2, took  # none waited behind an accounting batch
    assert statistics.median(took) < SLOW / 5, took
