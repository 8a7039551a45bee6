"""TODO"""

from portal.admin import bp


@bp.get("/terms")
def terms_list() -> str:
    return ""
