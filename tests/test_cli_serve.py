"""wifidesa serve: refuses to serve a database that is not set up; gunicorn options."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from portal.cli import main
from portal.cli.serve import gunicorn_options
from portal.models import Village


def test_serve_without_a_database_says_what_to_do(cli: Callable[..., Result]) -> None:
    result = cli("serve", "--port", "1")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "wifidesa init-db" in result.stderr


def test_serve_refuses_a_bad_port(cli: Callable[..., Result]) -> None:
    result = cli("serve", "--port", "70000")

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_gunicorn_options_keep_client_ips_out_of_logs() -> None:
    options = gunicorn_options("::", 8080, 3)

    assert options["bind"] == ["[::]:8080"]
    assert options["workers"] == 3
    assert options["accesslog"] is None
    assert options["logger_class"] == "portal.weblog.PrivateLogger"
    deploy = (Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py").read_text()
    assert f'logger_class = "{options["logger_class"]}"' in deploy


def test_plain_sessions_see_what_the_app_committed(
    sessions: sessionmaker[Session], make_village: Callable[..., Village]
) -> None:
    make_village("64.01.01.2011")

    with sessions() as session:
        assert session.get(Village, "64.01.01.2011") is not None


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner(
        env={
            "WIFIDESA_DATA_DIR": str(tmp_path),
            "WIFIDESA_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2",
            "WIFIDESA_SECRET_KEY": "k" * 32,
        }
    )

    result = runner.invoke(main, ["village", "add", "64.01.01.2009"])

    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unreachable" in result.stderr


def test_a_malformed_setting_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner(
        env={"WIFIDESA_DATA_DIR": str(tmp_path), "WIFIDESA_SUPPRESSION_THRESHOLD": "five"}
    )

    result = runner.invoke(main, ["init-db"])

    assert result.exit_code == 2
    assert "WIFIDESA_SUPPRESSION_THRESHOLD" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_port_in_use_is_one_line_and_changes_nothing(
    app: object, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """A second `wifidesa demo` (or `serve`, or `radius`) while the first holds the port
    says so in one line, before the demo's seed hands out new admin passwords."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (("demo", "--port", str(port)), ("serve", "--port", str(port))):
            result = cli(*args)
            assert result.exit_code == 1, result.output
            lines = result.stderr.strip().splitlines()
            assert lines[-1].startswith("Error: the portal cannot listen") and "in use" in lines[-1]
            assert "password" not in result.output
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        result = cli("radius", "--port", str(busy.getsockname()[1]))
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot listen on")
