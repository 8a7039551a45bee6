"""TODO"""

from portal.admin import bp


@bp.get("/vouchers")
def voucher_list() -> str:
    return ""
