"""Gateways: list and status for everyone in scope; add, edit, rotate and the .rsc
script for regency and province admins.

A new or rotated secret is shown once, on the page that answers the POST; for the
next 15 minutes the script download includes it, afterwards a placeholder (rotate to
get a fresh one).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, redirect, render_template, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from portal.admin import bp, now
from portal.admin.bulletin import village_choices
from portal.admin.forms import ConfirmForm, choices
from portal.admin.regency_forms import BACKHAUL_LABELS, GatewayForm
from portal.admin.scope import gateways_query, load_scoped, me, require_role, require_village
from portal.admin.views import audit, local, refused, settings
from portal.database import db
from portal.domain import clock
from portal.domain.access import router_pages
from portal.domain.network import gateways, inventory, policies
from portal.domain.reporting import figures
from portal.models import Gateway, Village
from portal.web import formatting, router_files, router_script

REVEAL = "gateway_secret_reveal"
REVEAL_SECONDS = 15 * 60


@bp.get("/gateways")
def gateway_list() -> str:
    states = {s.id: s for s in figures.gateway_states(db.session, me().scope_kode, now())}
    rows = [(gateway, states[gateway.id]) for gateway in db.session.scalars(gateways_query())]
    current = {
        gateway.id: router_files.recent_version(db.session, gateway)
        for gateway, _state in rows
        if gateway.splash_location == "router"
    }
    return render_template("admin/gateways.html", rows=rows, local=local, current=current)


@bp.get("/gateways/<int:gateway_id>")
def gateway_detail(gateway_id: int) -> str:
    gateway = load_scoped(Gateway, gateway_id)
    states = figures.gateway_states(db.session, gateway.village_kode, now())
    today = clock.local_day(now(), gateway.village.timezone)
    ending = inventory.contracts_ending(db.session, area_kode=gateway.village_kode, today=today)
    return render_template(
        "admin/gateway_detail.html",
        gateway=gateway,
        contract=next((c for c in ending if c.gateway_id == gateway.id), None),
        backhaul_labels=BACKHAUL_LABELS,
        state=next(s for s in states if s.id == gateway.id),
        local=local,
        percent=formatting.percent,
        form=ConfirmForm(),
        pages={"current": router_files.current_files(db.session, gateway)[1]},
    )


def _values(form: GatewayForm) -> gateways.GatewayInput:
    return gateways.GatewayInput(
        nas_identifier=form.nas_identifier.data or "",
        source_address=form.source_address.data or "",
        hotspot_host=form.hotspot_host.data or "",
        coa_port=form.coa_port.data or 0,
        require_message_authenticator=form.require_message_authenticator.data,
        splash_location=form.splash_location.data,
    )


@bp.route("/gateways/new", methods=["GET", "POST"])
def gateway_new() -> str:
    require_role("regency")
    form = GatewayForm()
    form.village.choices = village_choices(allow_all=False)
    if form.validate_on_submit():
        village = require_village(form.village.data)
        try:
            stock = _inventory(form)
            values = _values(form)
            added = gateways.add_gateway(
                db.session, village_code=village.kode, nas_identifier=values.nas_identifier,
                address=values.source_address, hotspot_host=values.hotspot_host,
                coa_port=values.coa_port, now=now(), actor=me().username, actor_id=me().id,
                require_message_authenticator=values.require_message_authenticator,
                splash_location=values.splash_location,
            )  # fmt: skip
        except gateways.InvalidGateway as error:
            _refuse(form, error)
        else:
            inventory.set_inventory(db.session, added.gateway, stock, now=now(),
                                    actor=me().username, actor_id=me().id)  # fmt: skip
            return _show_secret(added.gateway, added.secret)
    return _form_page(form, None)


@bp.route("/gateways/<int:gateway_id>/edit", methods=["GET", "POST"])
def gateway_edit(gateway_id: int) -> str | BaseResponse:
    require_role("regency")
    gateway = load_scoped(Gateway, gateway_id)
    form = GatewayForm(obj=gateway)
    form.village.choices = choices([(gateway.village_kode, gateway.village.name)])
    form.village.data = gateway.village_kode
    if form.validate_on_submit():
        try:
            stock = _inventory(form)
            gateways.update_gateway(db.session, gateway, _values(form), now=now())
        except gateways.InvalidGateway as error:
            _refuse(form, error)
        else:
            inventory.set_inventory(db.session, gateway, stock, now=now(),
                                    actor=me().username, actor_id=me().id)  # fmt: skip
            audit("gateway.update", "gateway", gateway.id, gateway.village_kode)
            return redirect(url_for("admin.gateway_detail", gateway_id=gateway.id))
    return _form_page(form, gateway)


# --- console: gateway inventory ----------------------------------------------------------
def _inventory(form: GatewayForm) -> inventory.Inventory:
    """The form's inventory fields, validated (raises InvalidGateway naming the field)."""
    return inventory.validate_inventory(
        inventory.Inventory(
            provider=form.provider.data,
            backhaul_class=form.backhaul_class.data,
            contracted_mbps=form.contracted_mbps.data,
            programme=form.programme.data,
            contract_end=form.contract_end.data,
        )
    )


def _refuse(form: GatewayForm, error: gateways.InvalidGateway) -> None:
    """Show a refused field's error under the field, in the console's language."""
    getattr(form, error.field).errors.append(refused(error))


def _form_page(form: GatewayForm, gateway: Gateway | None) -> str:
    """The gateway form (a refused submission has written nothing: every field is
    validated before the gateway is added or changed)."""
    return render_template(
        "admin/gateway_form.html",
        form=form,
        gateway=gateway,
        programmes=inventory.PROGRAMME_SUGGESTIONS,
    )


# --- /console ----------------------------------------------------------------------------


@bp.post("/gateways/<int:gateway_id>/rotate")
def gateway_rotate(gateway_id: int) -> str:
    require_role("regency")
    gateway = load_scoped(Gateway, gateway_id)
    secret = gateways.rotate_secret(gateway, now=now())
    audit("gateway.rotate_secret", "gateway", gateway.id, gateway.village_kode)
    return _show_secret(gateway, secret)


def _show_secret(gateway: Gateway, secret: str) -> str:
    session[REVEAL] = {"id": gateway.id, "until": now().timestamp() + REVEAL_SECONDS}
    return render_template("admin/gateway_secret.html", gateway=gateway, secret=secret)


@bp.get("/gateways/<int:gateway_id>/wifidesa.rsc")
def gateway_script(gateway_id: int) -> Response:
    require_role("regency")
    gateway = load_scoped(Gateway, gateway_id)
    reveal = session.get(REVEAL) or {}
    with_secret = reveal.get("id") == gateway.id and now().timestamp() < reveal.get("until", 0)
    audit("gateway.script", "gateway", gateway.id, gateway.village_kode,
          detail="with secret" if with_secret else "placeholder")  # fmt: skip
    text = router_script.render_script(
        script_values(gateway, gateway.village, gateway.secret if with_secret else None)
    )
    return Response(
        text,
        mimetype="text/plain",
        headers={
            "Content-Disposition": 'attachment; filename="wifidesa.rsc"',
            "Cache-Control": "no-store",
        },
    )


def script_values(
    gateway: Gateway, village: Village, secret: str | None
) -> router_script.ScriptValues:
    """Everything the script needs, from the gateway, its village and the settings."""
    config = settings()
    portal_host = urlsplit(config.public_url).hostname or "localhost"
    radius_host = str(config.extra.get("radius_host") or portal_host)
    policy = policies.effective_policy(db.session, village.kode)
    emergency = router_pages.emergency_allowance(policy)
    return router_script.ScriptValues(
        nas_identifier=gateway.nas_identifier,
        village_name=village.name,
        village_kode=village.kode,
        hotspot_host=gateway.hotspot_host or "",
        coa_port=gateway.coa_port,
        heartbeat_token=gateway.heartbeat_token,
        public_url=config.public_url,
        portal_host=portal_host,
        radius_host=radius_host,
        interim_minutes=policies.interim_minutes_for(policy, gateway.backhaul_class),
        secret=secret,
        splash_location=gateway.splash_location,
        radius_secondary=config.radius_secondary,
        emergency_minutes=emergency.minutes,
        emergency_rate=emergency.rate_limit,
        files=router_pages.FILES,
    )
