"""A unit of work is one transaction on SQLite too, savepoints included."""

import sqlalchemy as sa

from portal.domain.access import admission
from portal.domain.transactions import savepoint
from portal.models import LoginGrant, TermsAcceptance, UsageDaily
from portal.simulator import web
from portal.web import router_fields
from tests.domain.conftest import NOW


def _ticket(gateway) -> admission.Ticket:
    fields = web.router_variables(
        nas_id=gateway.nas_identifier,
        mac="0A:00:00:00:00:01",
        client_ip="10.5.50.2",
        hotspot_host="10.5.50.1",
        server_name="hs",
        chap_id=b"\x01",
        chap_challenge=b"\x02" * 16,
    )
    context, _ = router_fields.parse_router_fields(fields, hotspot_host="10.5.50.1")
    return admission.new_ticket(
        context, gateway=gateway, device="dev-a", day=NOW.date(), terms_version_id=None
    )


def test_an_accept_rolled_back_leaves_no_grant_and_no_count(
    session, make_village, make_gateway, master_key
):
    gateway = make_gateway(make_village(), hotspot_host="10.5.50.1")
    session.commit()  # the next unit of work starts with no transaction open

    # The grant is written in a savepoint as the accept's first write (the unique
    # username catches a replayed ticket); the request then fails and rolls back.
    admission.admit(
        session,
        _ticket(gateway),
        gateway=gateway,
        now=NOW,
        master_key=master_key,
        fallback_dst="http://127.0.0.1/status",
    )
    session.rollback()

    for model in (LoginGrant, TermsAcceptance, UsageDaily):
        assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_a_savepoint_opened_first_is_undone_by_the_rollback(session, make_village):
    village = make_village()
    session.commit()
    with savepoint(session):
        session.execute(sa.update(type(village)).values(ssid="Changed"))
    session.rollback()
    assert session.scalar(sa.select(type(village).ssid)) == village.ssid
