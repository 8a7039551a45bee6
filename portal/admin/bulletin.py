"""TODO"""

from portal.admin import bp


@bp.get("/bulletin")
def bulletin_list() -> str:
    return ""
