"""wifidesa village add / gateway add: good input, and bad input that writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from click.testing import Result
from sqlalchemy.orm import Session

from portal.models import AuditEntry, Gateway, Village
from tests.conftest import row_count

CLI = Callable[..., Result]


def one_line_error(result: Result, exit_code: int = 2) -> str:
    """The single stderr line of a refused command (asserting there is exactly one)."""
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_help_explains_every_command(cli: CLI) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for name in ("init-db", "village", "gateway", "policy", "admin", "token", "serve", "demo"):
        assert name in result.stdout
    for args in (
        ("village", "add"),
        ("gateway", "add"),
        ("policy", "set"),
        ("admin", "create"),
        ("token", "create"),
        ("serve",),
        ("demo",),
        ("init-db",),
    ):
        sub = cli(*args, "--help")
        assert sub.exit_code == 0, args
        assert "Usage: " in sub.stdout


@pytest.mark.parametrize("code", ["64.01.01.2009", "6401012009"])
def test_village_add(app: object, db_session: Session, cli: CLI, code: str) -> None:
    result = cli("village", "add", code)

    assert result.exit_code == 0, result.output
    assert "Samurangau" in result.stdout
    village = db_session.get(Village, "64.01.01.2009")
    assert village is not None
    assert (village.name, village.district_name) == ("Samurangau", "Batu Sopang")
    assert (village.regency_name, village.province_name) == ("Kabupaten Paser", "Kalimantan Timur")
    assert (village.timezone, village.slug) == ("WITA", "samurangau")
    assert row_count(db_session, AuditEntry) == 1


def test_village_add_with_options(app: object, db_session: Session, cli: CLI) -> None:
    result = cli("village", "add", "64.01.01.2010", "--timezone", "wib", "--ssid", "Busui Net")

    assert result.exit_code == 0, result.output
    village = db_session.get(Village, "64.01.01.2010")
    assert village is not None
    assert (village.timezone, village.ssid) == ("WIB", "Busui Net")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("99.99.99.9999",), "not in the official Kemendagri list"),
        (("64.01",), "not a village"),
        (("desa samurangau",), "not a kode wilayah"),
        (("64.01.01.2009", "--ssid", "x" * 33), "SSID"),
        (("64.01.01.2009", "--timezone", "UTC"), "UTC"),
    ],
)
def test_village_add_refuses_bad_input_and_writes_nothing(
    app: object, db_session: Session, cli: CLI, args: tuple[str, ...], reason: str
) -> None:
    result = cli("village", "add", *args)

    assert reason in one_line_error(result)
    assert row_count(db_session, Village) == 0
    assert row_count(db_session, AuditEntry) == 0


def test_village_add_twice_is_refused(app: object, db_session: Session, cli: CLI) -> None:
    cli("village", "add", "64.01.01.2009")
    result = cli("village", "add", "6401012009")

    assert "already set up" in one_line_error(result)
    assert row_count(db_session, Village) == 1


def test_gateway_add_generates_a_secret(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    make_village("64.01.01.2009")

    result = cli(
        "gateway", "add", "--village", "6401012009", "--nas-id", "desa-samurangau",
        "--address", "10.8.0.0/24", "--hotspot-host", "10.5.50.1", "--coa-port", "1700",
        "--no-require-message-authenticator",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    gateway = db_session.query(Gateway).one()
    assert len(gateway.secret) >= 24
    assert result.stdout.count(gateway.secret) == 1
    assert (gateway.source_address, gateway.hotspot_host) == ("10.8.0.0/24", "10.5.50.1")
    assert (gateway.coa_port, gateway.require_message_authenticator) == (1700, False)
    assert len(gateway.heartbeat_token) >= 32
    assert gateway.village_kode == "64.01.01.2009"


def test_gateway_add_with_a_given_secret_does_not_echo_it(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    make_village()
    secret = "a-long-enough-secret-for-24"

    result = cli(
        "gateway", "add", "--village", "64.01.01.2009", "--nas-id", "gw",
        "--address", "127.0.0.1", "--secret", secret,
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert secret not in result.output
    gateway = db_session.query(Gateway).one()
    assert (gateway.secret, gateway.require_message_authenticator) == (secret, True)


def test_gateway_add_help_states_the_secret_length_the_domain_requires(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    """The help's "N+ characters" is the shortest secret `gateway add` takes: one
    character fewer is refused, N are accepted (it said 16+ while 24 were required)."""
    help_text = " ".join(cli("gateway", "add", "--help").output.split())
    found = re.search(r"RADIUS shared secret \((\d+)\+ characters", help_text)
    assert found, help_text
    shortest = int(found.group(1))
    make_village()

    def add(nas_id: str, length: int):
        secret = "".join(chr(ord("a") + i % 26) for i in range(length))
        return cli(
            "gateway", "add", "--village", "64.01.01.2009", "--nas-id", nas_id,
            "--address", "127.0.0.1", "--secret", secret,
        )  # fmt: skip

    refused = add("gw-short", shortest - 1)
    assert refused.exit_code == 2 and f"at least {shortest}" in one_line_error(refused)
    assert add("gw-exact", shortest).exit_code == 0
    generated = re.search(r"default: (\d+) random characters", help_text)
    assert generated, help_text
    assert int(generated.group(1)) >= shortest


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (("--secret", "a-secret-of-23-letters!"), "at least 24"),
        (("--address", "0.0.0.0/0"), "would accept any sender"),
        (("--address", "0.0.0.0"), "would accept any sender"),  # noqa: S104 (refused)
        (("--address", "::/0"), "would accept any sender"),
        (("--address", "10.0.0.0/7"), "at most /8"),
        (("--address", "10.8.0.300"), "not an IP address"),
        (("--address", "10.8.0.1/24"), "not an IP address"),
        (("--nas-id", "desa samurangau"), "NAS-Identifier"),
        (("--coa-port", "0"), "CoA port"),
        (("--hotspot-host", "bad host!"), "host name"),
        (("--village", "64.01.01.2010"), "not set up"),
        (("--village", "99.99.99.9999"), "not in the official"),
    ],
)
def test_gateway_add_refuses_bad_input(
    app: object,
    db_session: Session,
    cli: CLI,
    make_village: Callable[..., Village],
    options: tuple[str, ...],
    reason: str,
) -> None:
    make_village()
    given = dict(zip(options[::2], options[1::2], strict=True))
    args = {"--village": "64.01.01.2009", "--nas-id": "gw", "--address": "127.0.0.1", **given}

    result = cli("gateway", "add", *[part for pair in args.items() for part in pair])

    assert reason in one_line_error(result)
    assert row_count(db_session, Gateway) == 0


def test_gateway_add_refuses_a_secret_another_gateway_uses(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    """AT-06: one leaked router must not give away another's packets."""
    make_village()
    secret = "one-secret-for-two-routers-x"
    common = ("gateway", "add", "--village", "64.01.01.2009", "--address", "10.8.0.2")

    assert cli(*common, "--nas-id", "gw-1", "--secret", secret).exit_code == 0
    result = cli(*common, "--nas-id", "gw-2", "--secret", secret)

    assert "already uses this secret" in one_line_error(result)
    assert row_count(db_session, Gateway) == 1


def test_gateway_add_refuses_a_duplicate_nas_identifier(
    app: object, db_session: Session, cli: CLI, make_gateway: Callable[..., Gateway]
) -> None:
    make_gateway(nas_identifier="desa-samurangau", address="10.8.0.2")

    result = cli(
        "gateway", "add", "--village", "64.01.01.2009", "--nas-id", "desa-samurangau",
        "--address", "10.8.0.2",
    )  # fmt: skip

    assert "already exists" in one_line_error(result)
    assert row_count(db_session, Gateway) == 1


def test_missing_option_is_one_line_with_exit_code_2(app: object, cli: CLI) -> None:
    result = cli("gateway", "add", "--village", "64.01.01.2009")

    assert "--nas-id" in one_line_error(result)
