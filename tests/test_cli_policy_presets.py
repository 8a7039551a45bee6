"""wifidesa policy set --preset and policy show (values with their source)."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

CLI = Callable[..., Result]


def test_preset_then_override_then_show(app: object, cli: CLI) -> None:
    assert cli("village", "add", "64.01.01.2009").exit_code == 0
    result = cli("policy", "set", "--regency", "64.01", "--preset", "satellite", "--daily-mb", "99")
    assert result.exit_code == 0, result.output
    assert cli("policy", "set", "--village", "64.01.01.2009", "--idle-minutes", "5").exit_code == 0
    shown = cli("policy", "show", "6401012009").stdout
    assert "daily_mb: 99 (regency)" in shown  # the option given beats the preset
    assert "rate_limit: 256k/1M (regency)" in shown
    assert "idle_minutes: 5 (village)" in shown
    assert cli("policy", "set", "--regency", "64.01", "--preset", "laser").exit_code == 2
    assert cli("policy", "show", "64.01.01.2010").exit_code == 2  # not set up
