"""Golden files for the router-side pages a gateway installs (login.html, status.html).

Routers keep these files until someone re-runs the setup script, so any change to them
must be deliberate: after an intended change, write the new output over
tests/splash/golden/<page>.html and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.splash.conftest import NAS_ID

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("page", ["login", "status"])
def test_router_page_matches_its_golden_file(portal_client: FlaskClient, world, page: str):
    answer = portal_client.get(f"/mt/{NAS_ID}/{page}.html")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_data(as_text=True) == (GOLDEN / f"{page}.html").read_text()
