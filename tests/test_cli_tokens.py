"""wifidesa token list / revoke."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result
from sqlalchemy.orm import Session

from portal.models import ApiToken

CLI = Callable[..., Result]


def test_token_list_and_revoke(app: object, db_session: Session, cli: CLI) -> None:
    assert cli("token", "list").stdout.strip() == "No tokens."
    assert cli("token", "create", "--scope", "64.01", "--label", "dasbor").exit_code == 0
    assert cli("token", "create", "--scope", "15", "--label", "jambi").exit_code == 0
    listing = cli("token", "list").stdout
    assert "64.01\tdasbor" in listing and "15\tjambi" in listing and "last used never" in listing
    only = cli("token", "list", "--scope", "64").stdout
    assert "dasbor" in only and "jambi" not in only
    token_id = db_session.query(ApiToken).filter_by(label="dasbor").one().id
    assert cli("token", "revoke", str(token_id)).exit_code == 0
    assert "revoked" in cli("token", "list", "--scope", "64.01").stdout
    assert cli("token", "revoke", "99999").exit_code == 2  # bad input
