"""`wifidesa simulate` on the twin: the router's pages or the portal's splash, through a link
with delay, loss or an outage; and what it says when RADIUS stays silent (issue 14: a wrong
secret was reported as "is `wifidesa radius` running?")."""

from __future__ import annotations

import re
import socket

from click.testing import CliRunner

from portal.cli.simulate import simulate
from tests.simulator.conftest import GATEWAY_SECRET, NAS_ID

LAST_LINE = re.compile(r"^online in (\d+\.\d\d) s, (\d+) round trips across the link$")


def _run(central_site, *extra: str, secret: str = GATEWAY_SECRET, radius: str | None = None):
    radius = radius or f"127.0.0.1:{central_site.radius.auth_port}"
    arguments = ["--nas-id", NAS_ID, "--secret", secret, "--portal", central_site.portal.url,
                 "--radius", radius, "--token", central_site.token, *extra]  # fmt: skip
    return CliRunner().invoke(simulate, arguments)


def _last(result) -> tuple[float, int]:
    found = LAST_LINE.match(result.output.strip().splitlines()[-1])
    assert found, result.output
    return float(found.group(1)), int(found.group(2))


def test_router_pages_through_a_350ms_link(central_site):
    result = _run(central_site, "--link-delay-ms", "350", "--timeout", "3")
    assert result.exit_code == 0, result.output
    seconds, trips = _last(result)
    assert trips == 1  # the Access-Request: the pages and the status page stay in the village
    assert seconds < 5.0  # generous under load; bench/edge_bench.py measures ≤ 1.0 s
    assert "0 round trips across the link" in result.output  # splash and status page
    assert "Access-Accept" in result.output and "Mikrotik-Rate-Limit" in result.output
    assert result.output.count(": answered") == 4  # Start, 2 Interim-Updates, Stop


def test_todays_portal_splash_crosses_the_link_several_times(central_site):
    result = _run(central_site, "--splash", "portal", "--link-delay-ms", "50")
    assert result.exit_code == 0, result.output
    _, trips = _last(result)
    assert trips >= 7  # 3 HTTP exchanges on new connections (2 trips each) + Access-Request
    assert "splash page from the portal: HTTP 200" in result.output


def test_an_outage_gets_the_phone_on_with_the_emergency_allowance(central_site):
    result = _run(central_site, "--outage-start-s", "0", "--outage-s", "900",
                  "--clock-scale", "100", "--timeout", "0.3")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "tries again" in result.output and "emergency notice" in result.output
    assert "emergency access: the router keeps no RADIUS accounting" in result.output
    _last(result)


def test_a_wrong_secret_is_named_as_such(central_site):
    result = _run(central_site, "--timeout", "0.3", secret="not-the-secret")
    assert result.exit_code == 1, result.output
    assert "shared secret given for samurangau-kantor is wrong" in result.output
    assert "is `wifidesa radius` running?" not in result.output


def test_a_missing_server_is_named_as_such(central_site):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = _run(central_site, "--timeout", "0.3", radius=f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "nothing listens" in result.output and "is `wifidesa radius` running?" in result.output


def test_an_unknown_gateway_is_named(central_site):
    result = CliRunner().invoke(
        simulate, ["--nas-id", "nope", "--secret", "x", "--portal", central_site.portal.url]
    )
    assert result.exit_code == 1 and "no router pages for this NAS-Identifier" in result.output
