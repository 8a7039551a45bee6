"""HTTP views of the residents' pages: parse the request, call the domain, render."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask import url_for as flask_url_for

from portal import security
from portal.database import db
from portal.domain.access import admission, hotspot
from portal.domain.access.throttle import Throttled
from portal.domain.access.vouchers import VoucherRefused
from portal.domain.pseudonyms import InvalidMac, KeyRing, normalize_mac
from portal.models import Gateway
from portal.splash import KEYRING, SNAPSHOTS, pages, voucher_link
from portal.splash.snapshots import SnapshotCache, VillageSnapshot
from portal.splash.voucher_link import VOUCHER_FIELD_MAX
from portal.web import context, router_fields

bp = Blueprint("splash", __name__)
bp.add_url_rule("/hotspot/voucher", "voucher_link", voucher_link.voucher_link)

TOKEN_FIELD_MAX = 2000
BODY_MAX = 16 * 1024
#: What the router-side status page posts (see `router_page`).
STATUS_FIELDS = ("identity", "mac", "link-logout")


@bp.before_request
def _small_bodies() -> None:
    # The router's fields, a ticket and a voucher code fit easily; refuse anything
    # bigger (413) before parsing it.
    request.max_content_length = BODY_MAX
    security.refuse_nul_bytes()


_master_key = context.master_key


def _public(endpoint: str, **values: object) -> str:
    """An absolute URL as phones reach the portal (WIFIDESA_PUBLIC_URL)."""
    return context.public_url(flask_url_for(endpoint, **values))


def _device(gateway: Gateway, raw_mac: str) -> tuple[date, str]:
    """(local day, pseudonym) of the MAC at the gateway's village; the MAC is dropped.

    Raises hotspot.InvalidRouterContext("bad-mac").
    """
    try:
        mac = normalize_mac(raw_mac)
    except InvalidMac:
        raise hotspot.InvalidRouterContext("bad-mac") from None
    keyring: KeyRing = current_app.extensions[KEYRING]
    village = gateway.village
    return keyring.device_for_day(
        db.session,
        village_kode=village.kode,
        timezone=village.timezone,
        mac=mac,
        now=context.now(),
    )


def _snapshot(village_kode: str) -> VillageSnapshot | None:
    cache: SnapshotCache = current_app.extensions[SNAPSHOTS]
    return cache.get(db.session, village_kode, context.now())


def _refused(reason: str, login_url: str | None = None, status: int = 400) -> tuple[str, int]:
    return render_template("splash/refused.html", reason=reason, login_url=login_url), status


def _no_store(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/mt/<nas_id>/<any(login, status):page>.html")
def router_page(nas_id: str, page: str) -> Response:
    """The pages a gateway installs as its hotspot login.html and status.html: tiny
    forms in RouterOS $(var) syntax that post the router's variables to the portal."""
    if pages.gateway_by_identity(db.session, nas_id[:64]) is None:
        abort(404)
    if page == "login":
        action, fields = _public("splash.entry"), router_fields.POSTED_FIELDS
    else:
        action, fields = _public("splash.status"), STATUS_FIELDS
    body = render_template("splash/router_page.html", action=action, fields=fields)
    return _no_store(body)


@bp.get("/mt/<nas_id>/api.json")
def router_capport(nas_id: str) -> Response:
    """The hotspot's RFC 8908 api.json (served by the router, RouterOS 7.3+), with the
    village bulletin as ``venue-info-url``."""
    gateway = pages.gateway_by_identity(db.session, nas_id[:64])
    if gateway is None:
        abort(404)
    venue = _public("splash.bulletin", key=gateway.village.slug)
    body = render_template("splash/router_api.json", venue_url=venue)
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/hotspot", methods=["GET", "POST"])
def entry() -> Response | tuple[str, int]:
    """The router's fields in, a 303 to the splash (``?t=<ticket>``) out.

    The redirect keeps the MAC out of the address bar and history, and lets the
    page be reloaded or switched to English without resending the router's form.
    """
    if request.method == "GET" and "t" in request.args:
        return _splash_from_token(request.args.get("t", "")[:TOKEN_FIELD_MAX])
    fields = request.values
    gateway = pages.gateway_by_identity(db.session, fields.get("identity", "")[:64])
    if gateway is None:
        return _refused("unknown-gateway")
    try:
        context, raw_mac = router_fields.parse_router_fields(
            fields, hotspot_host=gateway.hotspot_host
        )
        day, device = _device(gateway, raw_mac)
    except hotspot.InvalidRouterContext as refused:
        return _refused(refused.reason)
    snapshot = _snapshot(gateway.village_kode)
    version = snapshot.terms if snapshot else None
    ticket = admission.new_ticket(
        context,
        gateway=gateway,
        device=device,
        day=day,
        terms_version_id=version.id if version else None,
    )
    token = admission.sign_ticket(ticket, _master_key())
    lang = fields.get("lang") if fields.get("lang") in ("id", "en") else None
    return redirect(flask_url_for("splash.entry", t=token, lang=lang), 303)


def _splash_from_token(token: str) -> Response | tuple[str, int]:
    try:
        ticket = admission.open_ticket(token, _master_key())
    except admission.TicketRefused as refused:
        return _refused(refused.reason, refused.login_url)
    return _render_splash(ticket, token)


def _render_splash(
    ticket: admission.Ticket, token: str, *, voucher_error: str = "", voucher_code: str = ""
) -> Response:
    snapshot = _snapshot(ticket.village_kode)
    if snapshot is None:
        abort(400)
    page = pages.device_page(
        db.session,
        snapshot=snapshot,
        device=ticket.device,
        now=context.now(),
        error=ticket.error,
        terms_version_id=ticket.terms_version_id,
    )
    body = render_template(
        "splash/splash.html",
        page=page,
        token=token,
        router_error=ticket.error,
        voucher_error=voucher_error,
        voucher_code=voucher_code or voucher_link.remembered_code(),
        lang_url=lambda lang: flask_url_for("splash.entry", t=token, lang=lang),
    )
    # A refused voucher is answered 200, like the console's wrong password, so that the
    # request's unit of work commits the failure it counted (`throttle.voucher_refused`).
    return _no_store(body)


def _slow_down(throttled: Throttled, token: str) -> Response:
    """429 with Retry-After: a friendly page that says how long to wait, and a way back
    to the same splash (its ticket is still unused)."""
    body = render_template(
        "splash/slow_down.html",
        what=throttled.what,
        seconds=throttled.retry_after,
        minutes=-(-throttled.retry_after // 60),
        back_url=flask_url_for("splash.entry", t=token),
    )
    response = _no_store(body, 429)
    response.headers["Retry-After"] = str(throttled.retry_after)
    return response


@bp.post("/hotspot/accept")
def accept() -> Response | tuple[str, int]:
    """Accept the terms (or redeem a voucher) and send the phone to the router's login."""
    token = request.form.get("t", "")[:TOKEN_FIELD_MAX]
    try:
        ticket = admission.open_ticket(token, _master_key())
    except admission.TicketRefused as refused:
        return _refused(refused.reason, refused.login_url)
    gateway = pages.gateway_by_id(db.session, ticket.gateway_id)
    if gateway is None:
        return _refused("forged")
    code = None
    if request.form.get("kind") == "voucher":
        code = request.form.get("voucher", "")[:VOUCHER_FIELD_MAX]
    status_ref = admission.sign_status_ref(admission.status_ref_for(ticket), _master_key())
    try:
        login = admission.admit(
            db.session,
            ticket,
            gateway=gateway,
            now=context.now(),
            master_key=_master_key(),
            fallback_dst=_public("splash.status", s=status_ref),
            voucher_code=code,
            client=request.remote_addr or "",
        )
    except Throttled as throttled:
        return _slow_down(throttled, token)
    except VoucherRefused as refused:
        return _render_splash(ticket, token, voucher_error=refused.reason, voucher_code=code or "")
    except admission.TicketRefused as refused:
        return _refused(refused.reason, ticket.login_url)
    return redirect(router_fields.login_redirect(login), 303)


@bp.route("/hotspot/status", methods=["GET", "POST"])
def status() -> Response | tuple[str, int]:
    """After login: connected, what is left today, the bulletin, how to log out.

    Shown for a signed ``s`` reference (from ``dst``). The router's status page posts
    ``identity``, ``mac`` and ``link-logout`` instead: they are turned into such a
    reference at once and answered with a 303, so no MAC stays in an address.
    """
    token = request.args.get("s", "")[:TOKEN_FIELD_MAX]
    if not token:
        return _status_from_router()
    ref = admission.open_status_ref(token, _master_key())
    snapshot = _snapshot(ref.village_kode) if ref else None
    if ref is None or snapshot is None:
        return _refused("expired")
    page = pages.device_page(
        db.session,
        snapshot=snapshot,
        device=ref.device,
        now=context.now(),
    )
    body = render_template(
        "splash/status.html",
        page=page,
        logout_url=ref.logout_url,
        lang_url=lambda lang: flask_url_for("splash.status", s=token, lang=lang),
    )
    return _no_store(body)


def _status_from_router() -> Response | tuple[str, int]:
    fields = request.values
    gateway = pages.gateway_by_identity(db.session, fields.get("identity", "")[:64])
    if gateway is None:
        return _refused("unknown-gateway")
    try:
        day, device = _device(gateway, fields.get("mac", "")[:32])
    except hotspot.InvalidRouterContext as refused:
        return _refused(refused.reason)
    try:
        logout = router_fields.router_link(
            fields.get("link-logout", "")[:300], gateway.hotspot_host
        )
    except hotspot.InvalidRouterContext:
        logout = None
    ref = admission.StatusRef(gateway.id, gateway.village_kode, device, day.isoformat(), logout)
    token = admission.sign_status_ref(ref, _master_key())
    return redirect(flask_url_for("splash.status", s=token), 303)
