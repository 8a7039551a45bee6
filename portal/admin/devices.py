"""Live devices of a gateway (placeholder until the live-devices slice)."""

from __future__ import annotations

from portal.admin import bp
from portal.admin.scope import load_scoped
from portal.models import Gateway


@bp.get("/gateways/<int:gateway_id>/devices")
def devices(gateway_id: int) -> str:
    load_scoped(Gateway, gateway_id)
    return ""
