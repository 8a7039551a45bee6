"""``/hotspot/voucher?code=…``: where a printed voucher card's QR code leads.

Scanning the card opens the phone's ordinary browser, which carries no router context
(no MAC, no CHAP challenge), so nothing can be redeemed here. The page remembers the
code in this browser for a day and says how to connect; when the router's login page
then brings the phone to the splash, the voucher box is already filled in.
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from portal.domain.access import vouchers

#: A typed or scanned code with separators fits easily; anything longer is cut first.
VOUCHER_FIELD_MAX = 40
COOKIE = "wd_voucher"
COOKIE_AGE = 24 * 3600


def remembered_code() -> str:
    """The voucher code this browser brought from a card (formatted), or ""."""
    code = vouchers.normalize_code(request.cookies.get(COOKIE, "")[:VOUCHER_FIELD_MAX])
    return vouchers.format_code(code) if code else ""


def voucher_link() -> Response:
    """Remember a card's code in this browser and explain the three steps to connect."""
    code = vouchers.normalize_code(request.args.get("code", "")[:VOUCHER_FIELD_MAX])
    body = render_template(
        "splash/voucher_link.html", code=vouchers.format_code(code) if code else None
    )
    response = Response(body, status=200 if code else 400, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if code:
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
