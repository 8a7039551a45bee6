"""The router simulator against a live portal and a RADIUS stand-in."""

from __future__ import annotations

from click.testing import CliRunner

from portal.cli.simulate import simulate, simulate_line
from portal.config import utcnow
from portal.simulator import Options, run
from tests.splash.conftest import GATEWAY_SECRET, NAS_ID, LivePortal, World
from tests.splash.radius_double import radius_double


def _six_gigabytes(live_portal: LivePortal, radius_port: int) -> Options:
    """A login that then moves 6 GB (past the 4 GiB gigaword boundary) in 30 minutes."""
    return Options(
        nas_id=NAS_ID,
        secret=GATEWAY_SECRET,
        portal=live_portal.url,
        radius_port=radius_port,
        bytes=6_000_000_000,
        minutes=30,
        timeout=2,
    )


def test_simulate_plays_router_phone_and_radius(live_portal: LivePortal, world: World) -> None:
    lines: list[str] = []
    with radius_double(GATEWAY_SECRET, world.settings.secret_key) as radius:
        options = _six_gigabytes(live_portal, radius.auth_port)
        assert run(options, say=lines.append) == 0, "\n".join(lines)
    output = "\n".join(lines)
    assert "Access-Accept" in output and "Mikrotik-Rate-Limit = 2M/4M" in output
    assert "Accounting Stop (6000000000 bytes, 1800 s)" in output
    assert "status page: HTTP 200 — connected" in output
    access = radius.seen[0]
    for name in (
        "NAS-Identifier",
        "Calling-Station-Id",
        "Called-Station-Id",
        "CHAP-Challenge",
        "CHAP-Password",
        "Framed-IP-Address",
        "Mikrotik-Host-IP",
        "Service-Type",
        "NAS-Port-Type",
        "Acct-Session-Id",
        "WISPr-Logoff-URL",
    ):
        assert name in access, name
    stop = radius.seen[-1]
    assert stop["Acct-Status-Type"] == ["Stop"] and stop["Acct-Output-Gigawords"] == [1]
    total = sum(
        stop[f"Acct-{way}-Octets"][0] + (stop[f"Acct-{way}-Gigawords"][0] << 32)
        for way in ("Input", "Output")
    )
    assert total == 6_000_000_000
    assert stop["Class"] == [b"grant"]


def test_simulate_command_reports_a_missing_radius(live_portal: LivePortal, world: World) -> None:
    result = CliRunner().invoke(
        simulate,
        [
            "--nas-id",
            NAS_ID,
            "--secret",
            GATEWAY_SECRET,
            "--portal",
            live_portal.url,
            "--radius",
            "127.0.0.1:9",
            "--timeout",
            "0.2",
        ],
    )
    assert result.exit_code == 1
    assert "phone taps Setuju & Sambungkan → the router's /login" in result.output
    assert "no answer" in result.output and "nothing listens at 127.0.0.1:9" in result.output
    assert "--nas-id gw --secret s" in simulate_line(nas_id="gw", secret="s", portal="http://p")


def test_simulate_names_an_unknown_gateway(live_portal: LivePortal, world: World) -> None:
    lines: list[str] = []
    assert run(Options(nas_id="nope", secret="x", portal=live_portal.url), lines.append) == 1
    assert lines[-1].startswith("FAILED: the portal has no router page")


def test_simulate_redeems_a_voucher(live_portal: LivePortal, world: World) -> None:
    from portal.database import db
    from portal.domain.access import vouchers

    with live_portal.app.app_context():
        _, (code,) = vouchers.create_batch(
            db.session,
            village_kode=world.village_kode,
            count=1,
            valid_days=3,
            now=utcnow(),
            master_key=world.settings.secret_key,
        )
        db.session.commit()
    lines: list[str] = []
    with radius_double(GATEWAY_SECRET, world.settings.secret_key) as radius:
        options = Options(
            nas_id=NAS_ID,
            secret=GATEWAY_SECRET,
            portal=live_portal.url,
            radius_port=radius.auth_port,
            voucher=vouchers.format_code(code).lower(),
            timeout=2,
        )
        assert run(options, say=lines.append) == 0, "\n".join(lines)
    assert f"username={code}" in "\n".join(lines)
    assert radius.seen[0]["User-Name"] == [code]


def test_simulate_against_our_radius_server_stores_the_session(
    live_portal: LivePortal, world: World
) -> None:
    """The whole loop with the real server: grant accepted, accounting stored once."""
    import sqlalchemy as sa

    from portal.database import db
    from portal.models import AccountingSession, LoginGrant, UsageDaily
    from radius.server import start

    server = start(world.settings, "127.0.0.1", 0, reject_delay=0.0)
    lines: list[str] = []
    try:
        options = _six_gigabytes(live_portal, server.auth_port)
        assert run(options, say=lines.append) == 0, "\n".join(lines)
    finally:
        server.stop()
    output = "\n".join(lines)
    assert "Access-Accept" in output and "Session-Timeout" in output
    with live_portal.app.app_context():
        stored = db.session.scalars(sa.select(AccountingSession)).one()
        assert stored.input_octets + stored.output_octets == 6_000_000_000
        assert stored.stopped_at is not None and stored.framed_ip is None
        assert db.session.scalars(sa.select(LoginGrant)).one().used_at is not None
        daily = db.session.scalars(sa.select(UsageDaily)).one()
        assert daily.bytes_down + daily.bytes_up == 6_000_000_000
