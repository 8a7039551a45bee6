"""Accounting over real UDP: idempotent, durable before answered, gigawords, reboots."""

from __future__ import annotations

import socket
import time

import pytest
import sqlalchemy as sa
from pyrad import packet
from sqlalchemy.exc import OperationalError

from portal.models import AccountingSession, DeviceDay, UsageDaily, UsageHourly, Voucher
from tests.radius.mikrotik import GIB4

MAC = "BC:24:11:EB:56:4D"
START, STOP, INTERIM, ON = 1, 2, 3, 7


def only_session(db) -> AccountingSession:
    with db() as session:
        return session.scalars(sa.select(AccountingSession)).one()


def test_start_interim_stop_records_one_session_and_rollups(
    make_gateway, make_grant, radius_server, router, db
):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)
    class_ = b"wd:g:1"

    for request in (
        nas.accounting_request(START, user_name=issued.username, class_=class_),
        nas.accounting_request(
            INTERIM,
            user_name=issued.username,
            class_=class_,
            seconds=300,
            input_octets=1_000,
            output_octets=50_000,
        ),
    ):
        assert nas.send(request).code == packet.AccountingResponse
    row = only_session(db)
    assert row.framed_ip == "10.5.88.2" and row.stopped_at is None
    assert row.user_name == issued.username and row.grant_id == 1
    assert MAC not in (row.device or "") and len(row.device) == 32

    stop = nas.accounting_request(
        STOP,
        user_name=issued.username,
        class_=class_,
        seconds=600,
        input_octets=2_000,
        output_octets=80_000,
        terminate_cause=1,
    )
    assert nas.send(stop).code == packet.AccountingResponse
    row = only_session(db)
    assert row.stopped_at is not None and row.framed_ip is None
    assert row.terminate_cause == "User-Request"
    assert (row.input_octets, row.output_octets, row.session_seconds) == (2_000, 80_000, 600)
    with db() as session:
        daily = session.scalars(sa.select(UsageDaily)).one()
        assert (daily.sessions, daily.devices) == (1, 1)
        assert (daily.bytes_up, daily.bytes_down, daily.seconds_online) == (2_000, 80_000, 600)
        assert session.scalar(sa.select(sa.func.sum(UsageHourly.bytes_down))) == 80_000
        device_day = session.scalars(sa.select(DeviceDay)).one()
        assert device_day.bytes_total == 82_000 and device_day.sessions == 1


def test_retransmission_with_new_identifier_counts_once(make_gateway, radius_server, router, db):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)

    for delay in (0, 3, 6):  # the router resends with a growing Acct-Delay-Time
        interim = nas.accounting_request(
            INTERIM, seconds=300, input_octets=5_000, output_octets=7_000, delay=delay
        )
        assert nas.send(interim).code == packet.AccountingResponse
    with db() as session:
        assert session.scalar(sa.select(UsageDaily.bytes_down)) == 7_000
        assert session.scalar(sa.select(DeviceDay.bytes_total)) == 12_000


def test_counters_above_4_gib_combine_gigawords(make_gateway, radius_server, router, db):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    down, up = 6 * GIB4 + 12_345, GIB4 + 1

    nas.send(nas.accounting_request(INTERIM, seconds=60, input_octets=up, output_octets=down))

    row = only_session(db)
    assert (row.input_octets, row.output_octets) == (up, down)
    with db() as session:
        assert session.scalar(sa.select(UsageDaily.bytes_down)) == down


def test_stop_for_unknown_session_is_recorded(make_gateway, radius_server, router, db):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)

    stop = nas.accounting_request(STOP, "8010ABCD", seconds=90, output_octets=900)
    assert nas.send(stop).code == packet.AccountingResponse
    row = only_session(db)
    assert row.stopped_at is not None and row.output_octets == 900


def test_accounting_on_closes_the_gateways_open_sessions(make_gateway, radius_server, router, db):
    gateway = make_gateway()
    neighbour = make_gateway("desa-tetangga")
    server = radius_server()
    nas, other = router(server, gateway), router(server, neighbour)
    for session_id in ("80100001", "80100002"):
        nas.send(nas.accounting_request(START, session_id))
    other.send(other.accounting_request(START, "80100001"))

    assert nas.send(nas.accounting_request(ON)).code == packet.AccountingResponse

    with db() as session:
        rows = session.scalars(sa.select(AccountingSession).order_by(AccountingSession.id)).all()
        assert [r.terminate_cause for r in rows] == ["NAS-Reboot", "NAS-Reboot", None]
        assert [r.framed_ip for r in rows] == [None, None, "10.5.88.2"]


def test_voucher_codes_and_macs_are_never_stored(
    make_gateway, make_vouchers, radius_server, router, db
):
    gateway = make_gateway()
    (code,) = make_vouchers(gateway.village_kode, total_mb=100)
    server = radius_server()
    nas = router(server, gateway)
    accept = nas.send(nas.access_request(code, code, mac=MAC))
    voucher_class = accept["Class"][0]

    nas.send(
        nas.accounting_request(
            INTERIM, user_name=code, class_=voucher_class, seconds=60, output_octets=1_000_000
        )
    )

    row = only_session(db)
    assert row.user_name is None and row.credential_kind == "voucher"
    with db() as session:
        assert session.scalar(sa.select(Voucher.used_bytes)) == 1_000_000
        dump = " ".join(
            str(value)
            for table in ("accounting_session", "device_day", "voucher", "login_grant")
            for row in session.execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608
            for value in row
        )
    assert code not in dump and MAC not in dump and MAC.replace(":", "") not in dump


def test_wrong_secret_accounting_gets_no_answer(make_gateway, radius_server, router, db):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    nas.secret = b"a-different-secret-entirely"

    assert nas.send(nas.accounting_request(START), timeout=0.5) is None
    assert server.metrics.drops.labels("bad-authenticator")._value.get() >= 1


def test_no_answer_when_the_write_fails_then_the_retry_is_stored(
    make_gateway, radius_server, router, db, monkeypatch
):
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    import radius.server as shell

    real = shell.account_batch

    def broken(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(shell, "account_batch", broken)
    request = nas.accounting_request(INTERIM, seconds=60, output_octets=10)
    assert nas.send(request, timeout=0.5) is None
    with db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AccountingSession)) == 0

    monkeypatch.setattr(shell, "account_batch", real)
    assert nas.send(request).code == packet.AccountingResponse  # same packet, retransmitted
    assert only_session(db).output_octets == 10


def test_duplicate_request_gets_the_cached_reply_and_is_processed_once(
    make_gateway, make_grant, radius_server, router
):
    gateway = make_gateway()
    issued = make_grant(gateway, MAC)
    server = radius_server()
    nas = router(server, gateway)
    data = nas.access_request(issued.username, issued.password).RequestPacket()

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(2)
        sock.sendto(data, ("127.0.0.1", server.auth_port))
        first = sock.recv(4096)
        sock.sendto(data, ("127.0.0.1", server.auth_port))
        second = sock.recv(4096)

    assert first == second and first[0] == packet.AccessAccept
    assert server.metrics.duplicates.labels("access")._value.get() == 1
    assert server.metrics.requests.labels("access", "accept")._value.get() == 1


@pytest.mark.parametrize("mode", ["ack", "nak", "silent"])
def test_quota_spent_mid_session_sends_disconnect(make_gateway, radius_server, router, mode, db):
    from portal.domain.network.policies import set_policy
    from tests.radius.nas_listener import NasListener

    listener = NasListener(b"", mode=mode)
    gateway = make_gateway(coa_port=listener.port)
    listener.secret = gateway.secret.encode()
    with db() as session:
        set_policy(session, "64.01", now=gateway.created_at, daily_mb=1)
        session.commit()
    server = radius_server(coa_timeout=0.3, coa_retries=1)
    nas = router(server, gateway)

    nas.send(nas.accounting_request(START, user_name="wd-0123456789abcdef"))
    nas.send(
        nas.accounting_request(
            INTERIM, user_name="wd-0123456789abcdef", seconds=60, output_octets=2_000_000
        )
    )

    label = {"ack": "ack", "nak": "nak-503", "silent": "timeout"}[mode]
    counter = server.metrics.coa.labels("disconnect", label)
    for _ in range(100):
        if counter._value.get() == 1:
            break
        import time

        time.sleep(0.05)
    assert counter._value.get() == 1
    request = listener.received[0]
    assert request["code"] == packet.DisconnectRequest
    assert request["User-Name"] == "wd-0123456789abcdef"
    assert request["Acct-Session-Id"] == "80100014"
    assert request["Framed-IP-Address"] == "10.5.88.2"
    listener.close()


def histogram(metric, kind: str) -> tuple[float, float]:
    """(count, sum) of a labelled histogram's observations of ``kind``."""
    values = {
        sample.name.rsplit("_", 1)[-1]: sample.value
        for family in metric.collect()
        for sample in family.samples
        if sample.labels.get("kind") == kind and sample.name.endswith(("_count", "_sum"))
    }
    return values["count"], values["sum"]


def test_a_burst_of_accounting_is_committed_in_groups(make_gateway, radius_server, router, db):
    """Requests that arrive while a batch commits form the next batch: one fsync covers
    many, and each is still answered only after its own batch is stored."""
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    commits = []
    sa.event.listen(server._engine, "commit", lambda _connection: commits.append(1))
    burst = 200
    datagrams = []
    for n in range(burst):
        pkt = nas.accounting_request(STOP, f"S{n:05d}", seconds=60, output_octets=n)
        pkt.id = n
        datagrams.append(pkt.RequestPacket())

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        for data in datagrams:  # all sent before any answer is read
            sock.sendto(data, ("127.0.0.1", server.acct_port))
        answered = {sock.recvfrom(4096)[0][1] for _ in range(burst)}

    assert answered == set(range(burst))
    batches, requests = histogram(server.metrics.batch_size, "accounting")
    assert requests == burst
    assert batches <= burst / 4, f"{batches:.0f} batches for {burst} requests"
    assert len(commits) == batches
    deadline = time.monotonic() + 2  # a latency is observed just after its reply is sent
    observed = histogram(server.metrics.latency, "accounting")[0]
    while observed < burst and time.monotonic() < deadline:
        time.sleep(0.01)
        observed = histogram(server.metrics.latency, "accounting")[0]
    assert observed == burst
    with db() as session:
        assert session.scalar(sa.select(sa.func.count(AccountingSession.id))) == burst
        assert session.scalar(sa.select(sa.func.sum(UsageDaily.sessions))) == burst


def test_a_closed_sessions_client_ip_leaves_the_sqlite_files_within_seconds(
    make_gateway, radius_server, router, settings
):
    """The row forgets the IP at the Stop; the WAL's older copies of its pages must go
    too. A busy moment makes the WAL long; after the server's checkpoint (every second)
    new writes reuse it from the start, and what lies past them must not linger."""
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL's own files are its business (and VACUUM's)")
    gateway = make_gateway()
    server = radius_server()
    nas = router(server, gateway)
    framed_ip = "10.5.97.213"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(10)
        for n in range(250):  # a busy moment: a long WAL
            pkt = nas.accounting_request(INTERIM, f"B{n:07d}", seconds=60, framed_ip="10.5.0.1")
            pkt.id = n
            sock.sendto(pkt.RequestPacket(), ("127.0.0.1", server.acct_port))
        nas.send(nas.accounting_request(START, framed_ip=framed_ip))
        nas.send(nas.accounting_request(STOP, seconds=60, framed_ip=framed_ip))
        for _ in range(250):
            sock.recv(4096)
    database = settings.data_dir / "wifidesa.sqlite3"
    files = [database, database.with_name(database.name + "-wal")]

    def still_on_disk() -> bool:
        return any(framed_ip.encode() in f.read_bytes() for f in files if f.exists())

    deadline = time.monotonic() + 10
    n = 0
    while still_on_disk() and time.monotonic() < deadline:
        n += 1  # the other routers' accounting goes on, a little at a time
        nas.send(nas.accounting_request(STOP, f"9{n:07d}", seconds=60, framed_ip="10.5.0.1"))
        time.sleep(0.2)
    where = {f.name: f.read_bytes().count(framed_ip.encode()) for f in files if f.exists()}
    assert not still_on_disk(), where
