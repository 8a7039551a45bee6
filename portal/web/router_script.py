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
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from portal.domain.network.gateways import is_ip

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


def render_script(v: ScriptValues) -> str:
    """The complete .rsc text for one gateway (``secret`` None writes a placeholder)."""
    q = rsc_string
    base = v.public_url.rstrip("/")
    heartbeat = f"{base}/mt/{v.nas_identifier}/heartbeat"
    form = "token=" + quote(v.heartbeat_token, safe="")
    on_event = (
        f"/tool fetch url={q(heartbeat)} http-method=post http-data={q(form)}"
        f" http-header-field={q('Content-Type: application/x-www-form-urlencoded')}"
        " output=none check-certificate=no"
    )
    if is_ip(v.hotspot_host):
        hotspot_target = f"hotspot-address={v.hotspot_host}"
    else:
        hotspot_target = f"dns-name={q(v.hotspot_host)}"
    radius = _address(v.radius_host)
    lines = [
        "# Wifi Desa: RouterOS 7 setup for one village hotspot gateway.",
        "# Import with: /import file-name=wifidesa.rsc  (safe to run again)",
        "# Routers shipped with RouterOS 7.17 or newer start in device-mode 'home', which",
        "# disables hotspot, fetch and scheduler: run",
        "#   /system device-mode update hotspot=yes fetch=yes scheduler=yes",
        "# and press the reset/mode button (or cut power) within 5 minutes to confirm.",
        "# A hotspot server must exist already (/ip hotspot setup on the LAN interface).",
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
        '/radius remove [find comment="wifidesa"]',
        f"/radius add service=hotspot address={radius} secret={q(v.secret or SECRET_PLACEHOLDER)}"
        " authentication-port=1812 accounting-port=1813 timeout=3s"
        ' require-message-auth=yes-for-request-resp comment="wifidesa"',
        f"/radius incoming set accept=yes port={v.coa_port}",
        '/ip firewall filter remove [find comment="wifidesa CoA"]',
        f"/ip firewall filter add chain=input protocol=udp dst-port={v.coa_port}"
        f' src-address={radius} action=accept comment="wifidesa CoA"',
        ':if ([:len [/ip firewall filter find]] > 1) do={ /ip firewall filter move [find comment="wifidesa CoA"] destination=0 }',  # noqa: E501
        "/ip hotspot profile",
        ':if ([:len [find name="wifidesa"]] = 0) do={ add name="wifidesa" }',
        f'set [find name="wifidesa"] {hotspot_target} login-by=http-chap,http-pap'
        " use-radius=yes radius-accounting=yes"
        f" radius-interim-update={v.interim_minutes}m nas-port-type=wireless-802.11"
        " radius-mac-format=XX:XX:XX:XX:XX:XX",
        '/ip hotspot set [find] profile="wifidesa"',
        "/ip hotspot user profile set [find default=yes] shared-users=1 add-mac-cookie=no",
        '/ip hotspot walled-garden remove [find comment="wifidesa"]',
        f"/ip hotspot walled-garden add dst-host={q(v.portal_host)} action=allow"
        ' comment="wifidesa"',
        '/ip hotspot walled-garden ip remove [find comment="wifidesa"]',
        f"/ip hotspot walled-garden ip add dst-host={q(v.portal_host)} action=accept"
        ' comment="wifidesa"',
        "{",
        '  :local dir "hotspot"',
        '  :if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }',
        '  /ip hotspot profile set [find name="wifidesa"] html-directory=$dir',
        f"  /tool fetch url={q(f'{base}/mt/{v.nas_identifier}/login.html')}"
        ' dst-path=($dir . "/login.html") check-certificate=no',
        "}",
        '/system scheduler remove [find name="wifidesa-heartbeat"]',
        '/system scheduler add name="wifidesa-heartbeat" interval=5m start-time=startup'
        f" on-event={q(on_event)}",
        ':put "Wifi Desa: selesai"',
    ]
    return "\n".join(lines) + "\n"
