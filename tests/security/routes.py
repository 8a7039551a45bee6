"""Every route of the whole app, classified: who may call it (in the console, with which
role at least), with which methods, and what protects its writes. `unclassified` lists
any rule of ``app.url_map`` the table does not know, so a new route fails the matrix
until someone decides what it is.

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

Every ``login`` route also names the lowest role that may call it (`ROLES`, lowest
first), read from its view: ``require_role("regency")`` in portal/admin/gateways.py
(add, edit, rotate, script), users.py (every view, `load_manageable` included),
terms.py, villages.py, tokens.py, policies.py (but the policy pages' GETs) and
notify.py (every view, through its `_area`); no guard, so every role, for the rest of
the console and for every report page (portal/reports scopes them by region only). No
route needs ``province`` yet. A
lower role is refused with 403 before anything is loaded (`portal.admin.scope.require_role`);
tests/security/test_roles.py holds every route to its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from portal import create_app
from portal.config import Settings

VILLAGE, REGENCY, PROVINCE = "village", "regency", "province"
#: The admin roles, lowest first (portal.domain.accounts.logins.ROLE_RANK).
ROLES = (VILLAGE, REGENCY, PROVINCE)
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
    #: The lowest admin role that may call a ``login`` route; "" for every other access.
    role: str = ""


def _login(role: str, *methods: str) -> Route:
    return Route("login", methods or ("GET",), "csrf" if "POST" in methods else "", role=role)


def below(role: str) -> tuple[str, ...]:
    """The roles ranked under ``role``."""
    return ROLES[: ROLES.index(role)]


GET, FORM = ("GET",), ("GET", "POST")

ROUTES: dict[str, Route] = {
    # --- admin console (deny by default at the blueprint) ---------------------------------
    "admin.login": Route("public", FORM, "csrf"),
    "admin.login_totp": Route("public", FORM, "csrf"),
    "admin.totp_enrol_pending": Route("public", FORM, "csrf"),
    "admin.language": Route("public", ("POST",), "csrf"),
    "admin.dashboard": _login(VILLAGE),
    "admin.account": _login(VILLAGE, *FORM),
    "admin.totp_enrol": _login(VILLAGE, *FORM),
    "admin.totp_disable": _login(VILLAGE, "POST"),
    "admin.logout": _login(VILLAGE, "POST"),
    "admin.audit_log": _login(VILLAGE),
    "admin.bulletin_list": _login(VILLAGE),
    "admin.bulletin_new": _login(VILLAGE, *FORM),
    "admin.bulletin_import": _login(VILLAGE, *FORM),
    "admin.bulletin_preview": _login(VILLAGE),
    "admin.bulletin_picture": _login(VILLAGE),
    "admin.bulletin_edit": _login(VILLAGE, *FORM),
    "admin.bulletin_publish": _login(VILLAGE, "POST"),
    "admin.bulletin_delete": _login(VILLAGE, "POST"),
    "admin.gateway_list": _login(VILLAGE),
    "admin.gateway_new": _login(REGENCY, *FORM),
    "admin.gateway_detail": _login(VILLAGE),
    "admin.gateway_edit": _login(REGENCY, *FORM),
    "admin.gateway_rotate": _login(REGENCY, "POST"),
    "admin.gateway_script": _login(REGENCY),
    "admin.devices": _login(VILLAGE),
    "admin.device_disconnect": _login(VILLAGE, "POST"),
    "admin.order": _login(VILLAGE),
    "admin.terms_list": _login(REGENCY, *FORM),
    "admin.user_list": _login(REGENCY),
    "admin.user_create": _login(REGENCY, "POST"),
    "admin.user_toggle_active": _login(REGENCY, "POST"),
    "admin.user_reset_password": _login(REGENCY, "POST"),
    "admin.user_reset_totp": _login(REGENCY, "POST"),
    "admin.notify_settings": _login(REGENCY),
    "admin.notify_save": _login(REGENCY, "POST"),
    "admin.notify_test": _login(REGENCY, "POST"),
    "admin.village_page": _login(VILLAGE),
    "admin.poster": _login(VILLAGE),
    "admin.voucher_list": _login(VILLAGE),
    "admin.voucher_create": _login(VILLAGE, "POST"),
    "admin.voucher_batch": _login(VILLAGE),
    "admin.voucher_void": _login(VILLAGE, "POST"),
    # console (issue 14): villages, fair-use policies, API tokens
    "admin.village_list": _login(REGENCY),
    "admin.village_search": _login(REGENCY),
    "admin.village_new": _login(REGENCY, *FORM),
    "admin.village_edit": _login(REGENCY, *FORM),
    "admin.policy_overview": _login(VILLAGE),
    "admin.policy_regency": _login(REGENCY, *FORM),
    "admin.policy_village": _login(VILLAGE),
    "admin.policy_village_save": _login(REGENCY, "POST"),
    "admin.token_list": _login(REGENCY, *FORM),
    "admin.token_revoke": _login(REGENCY, "POST"),
    # --- report pages (the console's login, region scope) ---------------------------------
    "reports.overview": _login(VILLAGE),
    "reports.village": _login(VILLAGE),
    "reports.gateways_down": _login(VILLAGE),
    "reports.summary": _login(VILLAGE),
    "reports.retention_settings": _login(VILLAGE),
    "reports.export_form": _login(VILLAGE),
    "reports.export_file": _login(VILLAGE),
    # --- reports API ----------------------------------------------------------------------
    "api.usage": Route("bearer", GET, get_side_effect="api_token.last_used_at"),
    "api.usage_metadata": Route("public", GET),
    # --- residents ------------------------------------------------------------------------
    "splash.entry": Route("public", FORM, "router", get_side_effect="device_key"),
    "splash.accept": Route("public", ("POST",), "ticket"),
    "splash.status": Route("public", FORM, "router"),
    "splash.voucher_link": Route("public", GET),
    "splash.home": Route("public", GET),
    "splash.bulletin": Route("public", GET),
    "splash.terms": Route("public", GET),
    "splash.router_page": Route("public", GET),
    "splash.router_capport": Route("public", GET),
    "media.announcement_picture": Route("public", GET),
    # --- gateways and operations ----------------------------------------------------------
    # RouterOS' scheduler posts this every 10 minutes with the gateway's own token; it
    # marks the gateway as heard from, notes which pages it holds and records an outage
    # report once (docs/field-checklist.md).
    "routers.heartbeat": Route("router", ("POST",), "token"),
    # The router's own pages, served to anyone (they hold nothing a phone does not get
    # from the router); with the gateway's ?token= the fetch is recorded on the gateway.
    "routers.hotspot_file": Route("public", GET, get_side_effect="gateway.pages_fetched"),
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


def app_rules() -> list[tuple[str, str, tuple[str, ...]]]:
    """`rules` of a freshly made app (listing routes needs no database)."""
    return rules(create_app(Settings(secret_key="only-for-listing-routes")))


def unclassified(app: Flask) -> list[str]:
    """Rules the table does not know, or whose methods differ from the table's."""
    problems = []
    for rule, endpoint, methods in rules(app):
        route = ROUTES.get(endpoint)
        if route is None:
            problems.append(f"{rule} ({endpoint}) is not in the security matrix")
        elif tuple(sorted(route.methods)) != methods:
            problems.append(f"{rule} ({endpoint}) answers {methods}, matrix says {route.methods}")
        elif (route.access == "login") != (route.role in ROLES):
            problems.append(f"{rule} ({endpoint}) is {route.access!r} with role {route.role!r}")
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
