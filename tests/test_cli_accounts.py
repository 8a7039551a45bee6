"""wifidesa policy set / admin create / token create."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from click.testing import Result
from sqlalchemy.orm import Session

from portal.domain.accounts.admins import password_matches
from portal.models import AdminUser, ApiToken, AuditEntry, Policy, Village
from tests.conftest import row_count
from tests.test_cli_villages import one_line_error

CLI = Callable[..., Result]


def test_policy_set_for_a_regency(app: object, db_session: Session, cli: CLI) -> None:
    result = cli(
        "policy", "set", "--regency", "64.01", "--daily-mb", "500", "--daily-minutes", "0",
        "--rate", "1M/2M", "--max-session-minutes", "60", "--idle-minutes", "5",
        "--interim-minutes", "2", "--on-exhausted", "throttle", "--throttle-rate", "128k/256k",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    policy = db_session.query(Policy).one()
    assert policy.scope_kode == "64.01"
    assert (policy.daily_mb, policy.daily_minutes, policy.rate_limit) == (500, 0, "1M/2M")
    assert (policy.max_session_minutes, policy.idle_minutes, policy.interim_minutes) == (60, 5, 2)
    assert (policy.on_exhausted, policy.throttle_rate) == ("throttle", "128k/256k")


def test_policy_set_for_a_village_shows_what_is_in_effect(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    make_village()
    cli("policy", "set", "--regency", "64.01", "--daily-mb", "500")

    result = cli("policy", "set", "--village", "6401012009", "--rate", "4M/8M")

    assert result.exit_code == 0, result.output
    assert "daily_mb: 500" in result.stdout
    assert "rate_limit: 4M/8M" in result.stdout
    assert row_count(db_session, Policy) == 2


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--regency", "64.01", "--rate", "fast"), "rate limit"),
        (("--regency", "64.01", "--throttle-rate", "1M/"), "rate limit"),
        (("--regency", "64.01", "--daily-mb", "-1"), "daily_mb"),
        (("--regency", "64.01", "--idle-minutes", "0"), "idle_minutes"),
        (("--regency", "64.01.01", "--daily-mb", "1"), "not a regency"),
        (("--regency", "99.99", "--daily-mb", "1"), "not in the official"),
        (("--village", "64.01.01.2009", "--daily-mb", "1"), "not set up"),
        (("--daily-mb", "1"), "exactly one"),
        (("--regency", "64.01", "--village", "64.01.01.2009", "--daily-mb", "1"), "exactly one"),
        (("--regency", "64.01"), "nothing to set"),
        (("--regency", "64.01", "--on-exhausted", "sometimes"), "sometimes"),
    ],
)
def test_policy_set_refuses_bad_input(
    app: object, db_session: Session, cli: CLI, args: tuple[str, ...], reason: str
) -> None:
    result = cli("policy", "set", *args)

    assert reason in one_line_error(result)
    assert row_count(db_session, Policy) == 0


def test_admin_create_from_stdin(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    make_village()

    result = cli(
        "admin", "create", "Siti", "--role", "village", "--scope", "6401012009",
        "--password-stdin", input="rahasia-desa-123\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    admin = db_session.query(AdminUser).one()
    assert (admin.username, admin.role, admin.scope_kode) == ("siti", "village", "64.01.01.2009")
    assert admin.password_hash.startswith("$argon2id$")
    assert password_matches(admin.password_hash, "rahasia-desa-123")
    assert "rahasia-desa-123" not in result.output


def test_admin_create_prompts_twice(app: object, db_session: Session, cli: CLI) -> None:
    result = cli(
        "admin", "create", "kominfo", "--role", "regency", "--scope", "64.01",
        input="rahasia-paser-1\nrahasia-paser-1\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert db_session.query(AdminUser).one().scope_kode == "64.01"


@pytest.mark.parametrize(
    ("args", "password", "reason"),
    [
        (("--role", "regency", "--scope", "64.01.01.2009"), "long-enough-pw", "regency code"),
        (("--role", "village", "--scope", "64.01"), "long-enough-pw", "village code"),
        (("--role", "province", "--scope", "64.01"), "long-enough-pw", "province code"),
        (("--role", "province", "--scope", "99"), "long-enough-pw", "not in the official"),
        (("--role", "village", "--scope", "64.01.01.2010"), "long-enough-pw", "not set up"),
        (("--role", "regency", "--scope", "64.01"), "short", "at least 10"),
        (("--role", "mayor", "--scope", "64.01"), "long-enough-pw", "mayor"),
    ],
)
def test_admin_create_refuses_bad_input(
    app: object,
    db_session: Session,
    cli: CLI,
    make_village: Callable[..., Village],
    args: tuple[str, ...],
    password: str,
    reason: str,
) -> None:
    make_village()

    result = cli("admin", "create", "budi", *args, "--password-stdin", input=password + "\n")

    assert reason in one_line_error(result)
    assert row_count(db_session, AdminUser) == 0


def test_admin_create_refuses_a_taken_username(
    app: object, db_session: Session, cli: CLI, make_admin: Callable[..., AdminUser]
) -> None:
    make_admin("budi", role="regency", scope="64.01")

    result = cli(
        "admin", "create", "BUDI", "--role", "regency", "--scope", "64.01", "--password-stdin",
        input="another-password\n",
    )  # fmt: skip

    assert "already exists" in one_line_error(result)
    assert row_count(db_session, AdminUser) == 1


def test_token_create_prints_once_and_stores_only_the_hash(
    app: object, db_session: Session, cli: CLI
) -> None:
    result = cli("token", "create", "--scope", "6401", "--label", "dasbor")

    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("wd_")
    assert len(token) >= 40
    assert result.output.count(token) == 1
    stored = db_session.query(ApiToken).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (stored.scope_kode, stored.label) == ("64.01", "dasbor")
    assert token not in repr(
        [(row.token_hash, row.label, row.scope_kode) for row in db_session.query(ApiToken)]
    )


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--scope", "99.99"), "not in the official"),
        (("--scope", "64.01.01"), "district"),
        (("--scope", "64.01", "--label", "x" * 81), "label"),
    ],
)
def test_token_create_refuses_bad_input(
    app: object, db_session: Session, cli: CLI, args: tuple[str, ...], reason: str
) -> None:
    result = cli("token", "create", *args)

    assert reason in one_line_error(result)
    assert row_count(db_session, ApiToken) == 0


@pytest.mark.parametrize("password", ["password123", "aaaaaaaaaaaa", "x" * 129])
def test_a_weak_password_is_one_line_not_a_traceback(
    app: object, db_session: Session, cli: CLI, password: str
) -> None:
    """The one password rule (at least 10, at most 128, not trivial) from every door."""
    result = cli(
        "admin", "create", "budi", "--role", "regency", "--scope", "64.01", "--password-stdin",
        input=password + "\n",
    )  # fmt: skip

    assert "password" in one_line_error(result)
    assert row_count(db_session, AdminUser) == 0


def test_every_command_that_changes_data_leaves_its_audit_entry(
    app: object, db_session: Session, cli: CLI, make_village: Callable[..., Village]
) -> None:
    make_village()
    commands = [
        ("village", "add", "64.01.01.2010"),
        ("gateway", "add", "--village", "64.01.01.2010", "--nas-id", "gw", "--address", "10.8.0.2"),
        ("policy", "set", "--regency", "64.01", "--daily-mb", "300"),
        ("token", "create", "--scope", "64.01"),
        ("vouchers", "create", "--village", "64.01.01.2009", "--count", "2"),
    ]
    for args in commands:
        assert cli(*args).exit_code == 0, args
    actions = [entry.action for entry in db_session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-5:] == [
        "village.add", "gateway.create", "policy.set", "token.create", "voucher_batch.create"
    ]  # fmt: skip
    assert {e.actor_label for e in db_session.query(AuditEntry)} >= {"cli"}
