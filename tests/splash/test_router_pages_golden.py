"""Golden files for the router-side pages a gateway installs (login.html, status.html).

Routers keep these files until someone re-runs the setup script, so any change to them
must be deliberate: after an intended change, write the new output over
tests/splash/golden/<page>.html and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from portal.simulator import web
from portal.web import router_fields as edge
from tests.splash.conftest import CHAP_CHALLENGE, CHAP_ID, MAC, NAS_ID, router_fields

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("page", ["login", "status"])
def test_router_page_matches_its_golden_file(portal_client: FlaskClient, world, page: str):
    answer = portal_client.get(f"/mt/{NAS_ID}/{page}.html")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_data(as_text=True) == (GOLDEN / f"{page}.html").read_text()


HOSTILE = '"><script>alert(1)</script><input name="mac" value="'


def test_hostile_free_text_cannot_break_out_of_the_router_login_page(
    portal_client: FlaskClient, world
):
    """RouterOS does not HTML-escape $(…) values: the page takes the free-text ones
    (the address the phone asked for, the username, the error) URL-escaped, so the
    form the phone submits still holds exactly the router's fields and values."""
    template = portal_client.get(f"/mt/{NAS_ID}/login.html").get_data(as_text=True)
    values = web.router_variables(
        nas_id=NAS_ID, mac=MAC, client_ip="10.5.50.23", hotspot_host="10.5.50.1",
        server_name="hs-desa", chap_id=CHAP_ID, chap_challenge=CHAP_CHALLENGE,
        error=f"gagal {HOSTILE} + 100%",
    ) | {"link-orig": f"http://example.com/{HOSTILE}&x=1+2", "username": HOSTILE}  # fmt: skip
    page = web.substitute(template, values)
    assert "<script>" not in page
    [(action, posted)] = web.forms_of(page)
    assert action.endswith("/hotspot")
    assert tuple(posted) == edge.POSTED_FIELDS
    assert posted["mac"] == MAC
    for name in edge.ESCAPED_FIELDS:
        assert edge.router_value(posted, name) == values[name]


def test_a_hand_made_login_page_posting_plain_fields_still_works(portal_client, world):
    plain = {
        name: value
        for name, value in router_fields().items()
        if name.removesuffix("-esc") not in edge.ESCAPED_FIELDS
    } | {"link-orig": "http://example.com/a+b", "error": "100% gagal"}
    entry = portal_client.post("/hotspot", data=plain)
    assert entry.status_code == 303
    page = portal_client.get(entry.headers["Location"]).get_data(as_text=True)
    assert "100% gagal" in page
