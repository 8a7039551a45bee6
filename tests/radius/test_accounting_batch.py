"""Accounting batches handled in memory (no sockets): order within one batch."""

from __future__ import annotations

import ipaddress

import pytest
import sqlalchemy as sa

from portal.config import utcnow
from portal.models import AccountingSession
from radius.accounting import (
    STATUS_INTERIM,
    STATUS_ON,
    STATUS_START,
    AccountingRequest,
    account_batch,
)
from radius.clients import Client
from radius.handlers import HandlerContext

MAC = "BC:24:11:EB:56:4D"


@pytest.fixture
def run_batch(db, settings):
    def run(gateway, requests):
        with db() as session:
            account_batch(session, requests, HandlerContext(settings.secret_key), now=utcnow())
            session.commit()
            return session.scalars(
                sa.select(AccountingSession).order_by(AccountingSession.acct_session_id)
            ).all()

    return run


def _client(gateway) -> Client:
    return Client(
        gateway_id=gateway.id,
        nas_identifier=gateway.nas_identifier,
        village_kode=gateway.village_kode,
        timezone=gateway.timezone,
        secret=gateway.secret.encode(),
        require_message_authenticator=True,
        coa_port=3799,
        network=ipaddress.ip_network("127.0.0.1"),
    )


def test_accounting_on_closes_sessions_updated_earlier_in_the_same_batch(make_gateway, run_batch):
    client = _client(make_gateway())

    def request(status, session_id="", **values):
        return AccountingRequest(client, status, session_id, MAC, framed_ip="10.5.50.2", **values)

    run_batch(client, [request(STATUS_START, "80100001")])
    # Queued behind a slow commit: the open session's last Interim-Update, a Start,
    # then the router's Accounting-On after it rebooted, all in one batch.
    rows = run_batch(
        client,
        [
            request(STATUS_INTERIM, "80100001", session_seconds=60, output_octets=5000),
            request(STATUS_START, "80100002"),
            request(STATUS_ON),
        ],
    )

    assert [(r.acct_session_id, r.terminate_cause) for r in rows] == [
        ("80100001", "NAS-Reboot"),
        ("80100002", "NAS-Reboot"),
    ]
    assert rows[0].output_octets == 5000 and rows[0].stopped_at is not None
    assert all(r.framed_ip is None for r in rows)
