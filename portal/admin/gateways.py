"""TODO"""

from portal.admin import bp


@bp.get("/gateways")
def gateway_list() -> str:
    return ""
