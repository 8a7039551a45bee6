"""Fault tests reuse the RADIUS tests' fixtures: databases on both backends, gateways,
grants, a live server, and the loopback guard."""

from tests.radius.conftest import (  # noqa: F401 (fixtures are found by name)
    _loopback_only,
    accept_terms,
    db,
    make_gateway,
    make_grant,
    make_village,
    radius_server,
    router,
    settings,
    terms,
)
