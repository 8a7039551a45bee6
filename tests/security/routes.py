"""Every route of the whole app, classified: who may call it, with which methods, and
what protects its writes. `unclassified` lists any rule of ``app.url_map`` the table
does not know, so a new route fails the matrix until someone decides what it is.

Access kinds:

* ``public``: anyone (residents' pages, the login pages, health, static files);
* ``login``: a complete admin login; anonymous callers are sent to /admin/login;
* ``bearer``: the reports API; anonymous callers get a JSON 401;
* ``router``: called by a gateway with its own secret token; anything else is a 404.

Write protection of each state-changing route:

* ``csrf``: the session's CSRF token and a same-site Origin (portal.security);
* ``ticket``: the splash's accept form. Its signed, one-use, device-bound ticket is the
  token (captive-portal windows drop cookies, so a session token cannot work), and no
  Origin check applies: the Android/iOS sign-in windows' Origin handling varies;
* ``router``: /hotspot and /hotspot/status take the posts of the router's own login and
  status pages, which are served by the gateway at its hotspot address (always another
  origin). They change nothing but open the day's pseudonym key once; they answer with
  a signed ticket or status reference in a 303;
* ``token``: the router heartbeat, sent by RouterOS' `/tool fetch` with the gateway's
  heartbeat token in the form (no cookie, no browser involved).

The bearer-token API has no CSRF token: a browser never attaches an Authorization
header on its own, so a foreign page cannot make an authenticated request; it is GET
only anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    access: str
    methods: tuple[str, ...]
    #: How its writes are protected (see the module docstring); "" for GET-only routes.
    writes: str = ""
    #: The only rows a GET may touch, with why (everything else must stay unchanged).
    get_side_effect: str = ""


def _login(*methods: str) -> Route:
    return Route("login", methods or ("GET",), "csrf" if "POST" in methods else "")


GET, FORM = ("GET",), ("GET", "POST")

ROUTES: dict[str, Route] = {
    # --- admin console (deny by default at the blueprint) ---------------------------------
    "admin.login": Route("public", FORM, "csrf"),
    "admin.login_totp": Route("public", FORM, "csrf"),
    "admin.totp_enrol_pending": Route("public", FORM, "csrf"),
    "admin.language": Route("public", ("POST",), "csrf"),
    "admin.dashboard": _login(),
    "admin.account": _login(*FORM),
    "admin.totp_enrol": _login(*FORM),
    "admin.totp_disable": _login("POST"),
    "admin.logout": _login("POST"),
    "admin.audit_log": _login(),
    "admin.bulletin_list": _login(),
    "admin.bulletin_new": _login(*FORM),
    "admin.bulletin_import": _login(*FORM),
    "admin.bulletin_preview": _login(),
    "admin.bulletin_picture": _login(),
    "admin.bulletin_edit": _login(*FORM),
    "admin.bulletin_publish": _login("POST"),
    "admin.bulletin_delete": _login("POST"),
    "admin.gateway_list": _login(),
    "admin.gateway_new": _login(*FORM),
    "admin.gateway_detail": _login(),
    "admin.gateway_edit": _login(*FORM),
    "admin.gateway_rotate": _login("POST"),
    "admin.gateway_script": _login(),
    "admin.devices": _login(),
    "admin.device_disconnect": _login("POST"),
    "admin.terms_list": _login(*FORM),
    "admin.user_list": _login(),
    "admin.user_create": _login("POST"),
    "admin.user_toggle_active": _login("POST"),
    "admin.user_reset_password": _login("POST"),
    "admin.user_reset_totp": _login("POST"),
    "admin.village_page": _login(),
    "admin.poster": _login(),
    "admin.voucher_list": _login(),
    "admin.voucher_create": _login("POST"),
    "admin.voucher_batch": _login(),
    "admin.voucher_void": _login("POST"),
    # --- report pages (the console's login, region scope) ---------------------------------
    "reports.overview": _login(),
    "reports.village": _login(),
    "reports.gateways_down": _login(),
    "reports.summary": _login(),
    "reports.retention_settings": _login(),
    # --- reports API ----------------------------------------------------------------------
    "api.usage": Route("bearer", GET, get_side_effect="api_token.last_used_at"),
    "api.usage_metadata": Route("public", GET),
    # --- residents ------------------------------------------------------------------------
    "splash.entry": Route("public", FORM, "router", get_side_effect="device_key"),
    "splash.accept": Route("public", ("POST",), "ticket"),
    "splash.status": Route("public", FORM, "router"),
    "splash.voucher_link": Route("public", GET),
    "splash.bulletin": Route("public", GET),
    "splash.terms": Route("public", GET),
    "splash.router_page": Route("public", GET),
    "splash.router_capport": Route("public", GET),
    "media.announcement_picture": Route("public", GET),
    # --- gateways and operations ----------------------------------------------------------
    # RouterOS' scheduler posts this every 5 minutes with the gateway's own token; it
    # only marks the gateway as heard from.
    "routers.heartbeat": Route("router", ("POST",), "token"),
    "ops.healthz": Route("public", GET),
    # Prometheus scrapes without credentials; it shows counts only (villages, gateways,
    # open sessions, requests per endpoint), never a name, code or address.
    "ops.metrics": Route("public", GET),
    "static": Route("public", GET),
}

#: Values for every URL parameter name of the app (objects of village A unless a test
#: passes others); "name" is a picture that does not exist.
STATIC_VALUES = {"page": "login", "filename": "base.css", "name": "tidak-ada.jpg"}


def rules(app: Flask) -> list[tuple[str, str, tuple[str, ...]]]:
    """(rule, endpoint, methods) of every rule, methods without HEAD and OPTIONS."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        found.append((rule.rule, rule.endpoint, methods))
    return sorted(found)


def unclassified(app: Flask) -> list[str]:
    """Rules the table does not know, or whose methods differ from the table's."""
    problems = []
    for rule, endpoint, methods in rules(app):
        route = ROUTES.get(endpoint)
        if route is None:
            problems.append(f"{rule} ({endpoint}) is not in the security matrix")
        elif tuple(sorted(route.methods)) != methods:
            problems.append(f"{rule} ({endpoint}) answers {methods}, matrix says {route.methods}")
    known = {endpoint for _rule, endpoint, _methods in rules(app)}
    problems += [
        f"{name} is in the matrix but not in the app" for name in ROUTES if name not in known
    ]
    return problems


def fill(rule: str, values: dict[str, object]) -> str:
    """The rule's path with every ``<converter:name>`` replaced from ``values``."""
    path = rule
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        name = path[start + 1 : end].rsplit(":", 1)[-1]
        if name not in values:
            raise KeyError(f"the matrix has no value for <{name}> of {rule}")
        path = path[:start] + str(values[name]) + path[end + 1 :]
    return path
