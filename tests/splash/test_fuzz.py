"""Arbitrary input on the residents' routes never causes a server error."""

from __future__ import annotations

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.web.router_fields import ROUTER_FIELDS
from tests.splash.conftest import World, router_fields

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(field=st.sampled_from(ROUTER_FIELDS), value=TEXT, method=st.sampled_from(["get", "post"]))
def test_any_router_field_value_gets_a_clear_answer(
    portal_client: FlaskClient, world: World, field: str, value: str, method: str
) -> None:
    fields = router_fields(**{field.replace("-", "_"): value})
    if method == "post":
        entry = portal_client.post("/hotspot", data=fields)
    else:
        entry = portal_client.get("/hotspot", query_string=fields)
    assert entry.status_code in (303, 400), entry.status_code
    if entry.status_code == 303:
        assert portal_client.get(entry.headers["Location"]).status_code == 200


@FUZZ
@given(token=TEXT, voucher=TEXT)
def test_any_ticket_or_voucher_text_is_refused_cleanly(
    portal_client: FlaskClient, world: World, token: str, voucher: str
) -> None:
    answer = portal_client.post(
        "/hotspot/accept", data={"t": token, "kind": "voucher", "voucher": voucher}
    )
    assert answer.status_code == 400
    assert portal_client.get("/hotspot", query_string={"t": token}).status_code == 400
    assert portal_client.get("/hotspot/status", query_string={"s": token}).status_code in (
        400,
        303,
    )
