"""wifidesa gateway add with inventory options; a bad value writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from click.testing import Result
from sqlalchemy.orm import Session

from portal.models import Gateway
from tests.conftest import row_count

CLI = Callable[..., Result]
ADD = ("gateway", "add", "--village", "64.01.01.2009", "--nas-id", "samurangau-1",
       "--address", "10.8.0.2")  # fmt: skip


def test_gateway_add_with_inventory(app: object, db_session: Session, cli: CLI) -> None:
    assert cli("village", "add", "64.01.01.2009").exit_code == 0
    result = cli(*ADD, "--provider", "PT ICON+", "--backhaul", "fibre", "--mbps", "100",
                 "--programme", "GratisPol", "--contract-end", "2029-12-31")  # fmt: skip
    assert result.exit_code == 0, result.output
    gateway = db_session.query(Gateway).one()
    assert (gateway.provider, gateway.backhaul_class, gateway.contracted_mbps) == (
        "PT ICON+", "fibre", 100)  # fmt: skip
    assert (gateway.programme, gateway.contract_end) == ("GratisPol", date(2029, 12, 31))


def test_gateway_add_refuses_bad_inventory_and_writes_nothing(
    app: object, db_session: Session, cli: CLI
) -> None:
    assert cli("village", "add", "64.01.01.2009").exit_code == 0
    for extra in (("--backhaul", "laser"), ("--mbps", "0"), ("--contract-end", "31-12-2029"),
                  ("--provider", "x" * 81)):  # fmt: skip
        result = cli(*ADD, *extra)
        assert result.exit_code == 2, (extra, result.output)
    assert row_count(db_session, Gateway) == 0
    assert "satellite" in cli("gateway", "add", "--help").stdout
