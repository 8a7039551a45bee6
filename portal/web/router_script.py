"""The RouterOS 7 setup script (.rsc) for one gateway.

Every value from the database goes into the script through `rsc_string`, which
writes a RouterOS string literal: inside double quotes ``$`` would start a variable
substitution and ``?`` would ask for help, so they are escaped like ``"`` and ``\\``;
control characters become ``\\n``, ``\\r``, ``\\t`` or ``\\XX`` hex escapes, so no value can
end a line and start a command of its own. The scheduler's ``on-event`` is a script
inside a string, so its text is escaped twice: once as the inner script, once as the
outer string.

The script is idempotent: everything it adds carries the comment ``wifidesa`` (or a
fixed name) and is removed or updated first, so running it again is safe.

What it sets up for a village on a satellite link (reference §5, §8): RADIUS tries of
3 s with a second line (the installation's second server, else the same one again) as
accounting backup; the interim interval of the gateway's backhaul class; the heartbeat
script every 10 minutes, which for router-hosted pages (``splash_location=router``)
also fetches the pages when the portal answers ``fetch <version>``; DHCP option 114
pointing at the router's api.json; and the emergency switch: netwatch probes of the
RADIUS server(s) read every minute by ``wifidesa-watch``, trial on after 3 minutes
without any, off again with the outage's counts reported by the heartbeat at once
(`portal.web.router_edge_scripts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from portal.domain.network.gateways import is_ip
from portal.domain.network.liveness import HEARTBEAT_INTERVAL
from portal.web import router_edge_scripts as scripts

_SIMPLE = {'"': '\\"', "\\": "\\\\", "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
SECRET_PLACEHOLDER = "GANTI-DENGAN-RAHASIA-DARI-KONSOL"  # noqa: S105 (a placeholder text)


def rsc_escape(value: str) -> str:
    """``value`` escaped for use between double quotes in a RouterOS script."""
    out = []
    for char in value:
        if char in _SIMPLE:
            out.append(_SIMPLE[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


def rsc_string(value: str) -> str:
    """``value`` as a quoted RouterOS string literal."""
    return f'"{rsc_escape(value)}"'


def _address(host: str) -> str:
    """An IP as is, a DNS name resolved by the router when the script runs."""
    return host if is_ip(host) else f"[:resolve {rsc_string(host)}]"


@dataclass(frozen=True)
class ScriptValues:
    nas_identifier: str
    village_name: str
    village_kode: str
    hotspot_host: str
    coa_port: int
    heartbeat_token: str
    public_url: str
    portal_host: str
    radius_host: str
    interim_minutes: int = 5
    secret: str | None = None
    #: "router": install the router pages, the emergency switch and DHCP option 114;
    #: "portal": the router's login page only forwards to the portal's splash.
    splash_location: str = "portal"
    #: A second RADIUS server of the installation ("" when there is none).
    radius_secondary: str = ""
    emergency_minutes: int = 30
    emergency_rate: str = "256k/512k"
    files: tuple[str, ...] = ()


def render_script(v: ScriptValues) -> str:
    """The complete .rsc text for one gateway (``secret`` None writes a placeholder)."""
    lines = _header(v) + _radius(v) + _hotspot(v) + _pages(v) + _schedulers(v)
    return "\n".join([*lines, ':put "Wifi Desa: selesai"']) + "\n"


def _header(v: ScriptValues) -> list[str]:
    q = rsc_string
    return [
        "# Wifi Desa: RouterOS 7 setup for one village hotspot gateway.",
        "# Import with: /import file-name=wifidesa.rsc  (safe to run again)",
        "# Routers shipped with RouterOS 7.17 or newer start in device-mode 'home', which",
        "# disables hotspot, fetch and scheduler: run",
        "#   /system device-mode update hotspot=yes fetch=yes scheduler=yes",
        "# and press the reset/mode button (or cut power) within 5 minutes to confirm.",
        "# A hotspot server must exist already (/ip hotspot setup on the LAN interface).",
        # VERIFY-ON-ROUTER F1 (docs/field-checklist.md): the trust store.
        "# Fetches use check-certificate=yes: the router must trust the portal's CA",
        "# (see docs/field-checklist.md).",
        ":put " + q(f"Wifi Desa: {v.village_name} ({v.village_kode}), {v.nas_identifier}"),
        "{",
        "  :local hs true",
        "  :do { :set hs [/system device-mode get hotspot] } on-error={}",
        "  :if ($hs = false) do={ :error "
        + q("device-mode: hotspot tidak aktif, lihat petunjuk di awal skrip")
        + " }",
        "  :if ([:len [/ip hotspot find]] = 0) do={ :error "
        + q("belum ada server hotspot: jalankan /ip hotspot setup dulu")
        + " }",
        "}",
        f"/system identity set name={q(v.nas_identifier)}",
    ]


def _radius(v: ScriptValues) -> list[str]:
    """RADIUS servers in order (RouterOS tries them in the order listed, each for
    ``timeout``; MikroTik manual, RADIUS client). A satellite round trip is up to 1.5 s,
    so each try waits 3 s. The second line is the installation's second server, or the
    same server again as one retry; it is the accounting backup either way.
    VERIFY-ON-ROUTER S1: a second line for the same address acts as a retry; S2: the
    profile's interim interval against Acct-Interim-Interval (docs/field-checklist.md)."""
    q = rsc_string
    secret = q(v.secret or SECRET_PLACEHOLDER)
    primary = _address(v.radius_host)
    backup = _address(v.radius_secondary) if v.radius_secondary else primary
    common = (
        f"service=hotspot secret={secret} authentication-port=1812 accounting-port=1813"
        " timeout=3s require-message-auth=yes-for-request-resp"
    )
    lines = [
        '/radius remove [find comment="wifidesa"]',
        f'/radius add address={primary} {common} comment="wifidesa"',
        f'/radius add address={backup} {common} accounting-backup=yes comment="wifidesa"',
        f"/radius incoming set accept=yes port={v.coa_port}",
        '/ip firewall filter remove [find comment="wifidesa CoA"]',
    ]
    for source in dict.fromkeys([primary, backup]):
        lines.append(
            f"/ip firewall filter add chain=input protocol=udp dst-port={v.coa_port}"
            f' src-address={source} action=accept comment="wifidesa CoA"'
        )
    lines.append(
        ':if ([:len [/ip firewall filter find]] > 1) do={ /ip firewall filter move [find comment="wifidesa CoA"] destination=0 }'  # noqa: E501
    )
    return lines


def _hotspot(v: ScriptValues) -> list[str]:
    q = rsc_string
    if is_ip(v.hotspot_host):
        hotspot_target = f"hotspot-address={v.hotspot_host}"
    else:
        hotspot_target = f"dns-name={q(v.hotspot_host)}"
    lines = [
        "/ip hotspot user profile",
        ':if ([:len [find name="wifidesa-emergency"]] = 0) do={ add name="wifidesa-emergency" }',
        f'set [find name="wifidesa-emergency"] rate-limit={q(v.emergency_rate)}'
        " shared-users=1 add-mac-cookie=no",
        "set [find default=yes] shared-users=1 add-mac-cookie=no",
        "/ip hotspot profile",
        ':if ([:len [find name="wifidesa"]] = 0) do={ add name="wifidesa" }',
        # Trial (the emergency access) stays out of login-by until the central server
        # has been away for a while (wifidesa-count turns it on).
        f'set [find name="wifidesa"] {hotspot_target} login-by=http-chap,http-pap'
        " use-radius=yes radius-accounting=yes"
        f" radius-interim-update={v.interim_minutes}m nas-port-type=wireless-802.11"
        " radius-mac-format=XX:XX:XX:XX:XX:XX"
        f" trial-uptime-limit={v.emergency_minutes}m trial-uptime-reset=1d"
        ' trial-user-profile="wifidesa-emergency"',
        '/ip hotspot set [find] profile="wifidesa"',
        '/ip hotspot walled-garden remove [find comment="wifidesa"]',
        f"/ip hotspot walled-garden add dst-host={q(v.portal_host)} action=allow"
        ' comment="wifidesa"',
        '/ip hotspot walled-garden ip remove [find comment="wifidesa"]',
        f"/ip hotspot walled-garden ip add dst-host={q(v.portal_host)} action=accept"
        ' comment="wifidesa"',
    ]
    return lines


def _pages(v: ScriptValues) -> list[str]:
    """The hotspot directory's files: all router pages, or the forwarding login page."""
    q = rsc_string
    base = v.public_url.rstrip("/")
    token = quote(v.heartbeat_token, safe="")
    lines = [
        "{",
        '  :local dir "hotspot"',
        '  :if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }',
        '  /ip hotspot profile set [find name="wifidesa"] html-directory=$dir',
    ]
    if v.splash_location == "router":
        for name in v.files:
            url = f"{base}/mt/{v.nas_identifier}/hotspot/{name}?token={token}"
            lines.append(
                f"  /tool fetch url={q(url)} dst-path=($dir . {q('/' + name)})"
                " check-certificate=yes"
            )
    else:
        lines.append(
            f"  /tool fetch url={q(f'{base}/mt/{v.nas_identifier}/login.html')}"
            ' dst-path=($dir . "/login.html") check-certificate=yes'
        )
    lines.append("}")
    lines += [
        '/ip dhcp-server option sets remove [find name="wifidesa"]',
        '/ip dhcp-server option remove [find name="wifidesa-capport"]',
    ]
    if v.splash_location == "router" and v.hotspot_host:
        # RFC 8910 option 114: the RFC 8908 API the router serves from its own
        # api.json. VERIFY-ON-ROUTER P8: phones read an http:// API URL (RFC 8908 asks for
        # https, which needs a certificate on the router).
        api = f"'http://{v.hotspot_host}/api.json'"
        lines += [
            f'/ip dhcp-server option add name="wifidesa-capport" code=114 value={q(api)} force=yes',
            '/ip dhcp-server option sets add name="wifidesa" options=wifidesa-capport',
            ":foreach h in=[/ip hotspot find] do={ /ip dhcp-server set"
            ' [find interface=[/ip hotspot get $h interface]] dhcp-option-set="wifidesa" }',
        ]
    return lines


def _schedulers(v: ScriptValues) -> list[str]:
    q = rsc_string
    base = v.public_url.rstrip("/")
    router = v.splash_location == "router"
    heartbeat_minutes = HEARTBEAT_INTERVAL // timedelta(minutes=1)
    heartbeat = scripts.heartbeat_source(
        q,
        heartbeat_url=f"{base}/mt/{v.nas_identifier}/heartbeat",
        form_token=quote(v.heartbeat_token, safe=""),
        files_url=f"{base}/mt/{v.nas_identifier}/hotspot/" if router else None,
        files=v.files,
    )
    lines = [
        '/system scheduler remove [find name~"^wifidesa"]',
        '/tool netwatch remove [find comment="wifidesa"]',
        '/system script remove [find name~"^wifidesa"]',
        f'/system script add name="wifidesa-heartbeat" source={q(heartbeat)}',
        f'/system scheduler add name="wifidesa-heartbeat" interval={heartbeat_minutes}m'
        ' start-time=startup on-event="/system script run wifidesa-heartbeat"',
    ]
    if not router:
        return lines
    lines += [
        f'/system script add name="wifidesa-watch" source={q(scripts.watch_source())}',
        '/system scheduler add name="wifidesa-watch" interval=1m start-time=startup'
        ' on-event="/system script run wifidesa-watch"',
    ]
    for host in dict.fromkeys(filter(None, [v.radius_host, v.radius_secondary])):
        # Probes only; wifidesa-watch reads their status. VERIFY-ON-ROUTER S3: ICMP reaches
        # the RADIUS host (else type=tcp-conn on a port it serves).
        lines.append(
            f"/tool netwatch add host={_address(host)} {scripts.NETWATCH.options()}"
            ' comment="wifidesa"'
        )
    return lines
