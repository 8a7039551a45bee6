"""The scripts the .rsc installs on a gateway: the heartbeat (with the pages' fetch), and
for router-hosted pages the emergency switch and its counts.

Each function returns a RouterOS script's source; `router_script` puts it into
``/system script add … source="…"`` through `rsc_string`, so every value in it is
escaped twice: once here as a string of the script (``q``), once for the .rsc line.

Global variables the scripts share (they live until the router restarts):

* ``wdPages``: the version of the router pages this router holds ("" after a restart,
  so the first heartbeat fetches them again);
* ``wdReport``: the outage report the next heartbeat sends, cleared once the portal
  answered it (``&outage=o<seconds>&emergency_logins=…&emergency_seconds=…
  &emergency_bytes=…&outage_minutes=…``);
* ``wdDownAt`` (a ``[:timestamp]``), ``wdEmergency`` (true while trial is on) and
  ``wdSeen`` (per active trial session id: bytes, seconds — never a MAC or an IP).

All of them are set by scripts that the two schedulers run, under the same owner: the
netwatch probes carry no scripts, because netwatch runs its scripts as ``*sys``, whose
globals no scheduler can read (manual, Netwatch, help.mikrotik.com/docs/x/iAB-).

Manual sections (help.mikrotik.com, RouterOS): Scripting (globals, ``:timestamp``,
arrays), Scheduler, Fetch (``output=user as-value``, ``check-certificate``), Netwatch
(probe ``status``), HotSpot (``login-by=trial``, ``/ip hotspot active``). What the
manual does not settle is on docs/field-checklist.md; search VERIFY-ON-ROUTER.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: How long every central RADIUS server must be unreachable before trial is turned on.
EMERGENCY_AFTER = "3m"


@dataclass(frozen=True)
class NetwatchProbe:
    """The ICMP probe of each central RADIUS host that the watch script reads.

    Every threshold is set: the manual (Netwatch, "ICMP probe options") says unset ones
    take their defaults all the same (`ROUTEROS_DEFAULT_PROBE`), and ``thr-avg`` 100 ms
    fails every probe across a geostationary link's 0.7 s round trip: the village would
    sit in emergency mode for good. Here a probe fails when it is lost (``thr-loss-percent``
    keeps its 85 %: all three packets) or answered later than 3 s; three packets of 54
    bytes every 30 s are ~1 MB a day per host, against ~3 MB with the default ten at the
    same interval.
    VERIFY-ON-ROUTER S3.
    """

    interval_s: int = 30
    timeout_s: int = 3
    packet_count: int = 3
    packet_interval_ms: int = 200
    thr_avg_ms: int = 3000
    thr_max_ms: int = 3000
    thr_stdev_ms: int = 3000
    thr_jitter_ms: int = 3000
    thr_loss_percent: float = 85.0  # RouterOS's default, kept (not written)

    def options(self) -> str:
        """The probe's ``/tool netwatch add`` options (after ``host=``)."""
        return (
            f"type=icmp interval={self.interval_s}s timeout={self.timeout_s}s"
            f" packet-count={self.packet_count}"
            f" packet-interval={_time(self.packet_interval_ms)}"
            f" thr-avg={_time(self.thr_avg_ms)} thr-max={_time(self.thr_max_ms)}"
            f" thr-stdev={_time(self.thr_stdev_ms)} thr-jitter={_time(self.thr_jitter_ms)}"
        )


def _time(ms: int) -> str:
    """A RouterOS time value: ``3s``, ``200ms``."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


#: The probe the .rsc installs, and the RouterOS twin imitates.
NETWATCH = NetwatchProbe()
#: A bare ``type=icmp`` probe: RouterOS's defaults (manual, Netwatch, "Properties" and
#: "ICMP probe options").
ROUTEROS_DEFAULT_PROBE = NetwatchProbe(
    interval_s=10,
    timeout_s=3,
    packet_count=10,
    packet_interval_ms=50,
    thr_avg_ms=100,
    thr_max_ms=1000,
    thr_stdev_ms=250,
    thr_jitter_ms=1000,
)


def heartbeat_source(
    q: Callable[[str], str],
    *,
    heartbeat_url: str,
    form_token: str,
    files_url: str | None,
    files: Sequence[str],
) -> str:
    """The heartbeat: POST ``token`` and ``pages`` (and a pending outage report) every
    ten minutes; on ``fetch <version>`` fetch every file and remember the version.
    ``files_url`` None (portal-hosted splash) sends the token only and ignores the answer.

    VERIFY-ON-ROUTER S6: ``([/tool fetch … output=user as-value]->"data")`` holds the
    answer's body (nothing for the 204 that means "nothing to do"), and a 4xx/5xx answer
    raises an error caught by ``on-error``, so the pending outage report is cleared only
    once the portal answered 2xx; F2: files fetched straight to ``dst-path`` are never
    served half-written; F3: bytes a day with no change; F4: after a reboot ``wdPages``
    is empty and the pages are fetched again.
    """
    post = (
        f"/tool fetch url={q(heartbeat_url)} http-method=post http-data=$data"
        f" http-header-field={q('Content-Type: application/x-www-form-urlencoded')}"
        " output=user as-value check-certificate=yes"
    )
    if files_url is None:
        return "\n".join(
            [
                f":local data {q('token=' + form_token)}",
                f':do {{ {post} }} on-error={{ :log warning "wifidesa: heartbeat failed" }}',
            ]
        )
    names = ";".join(q(name) for name in files)
    return "\n".join(
        [
            ":global wdPages",
            ":global wdReport",
            ':if ([:typeof $wdPages] != "str") do={ :set wdPages "" }',
            ':if ([:typeof $wdReport] != "str") do={ :set wdReport "" }',
            ':local dir "hotspot"',
            ':if ([:len [/file find name="flash"]] > 0) do={ :set dir "flash/hotspot" }',
            f":local data ({q('token=' + form_token + '&pages=')} . $wdPages . $wdReport)",
            ':local answer ""',
            ":local heard false",
            f':do {{ :local result [{post}]; :set answer ($result->"data"); :set heard true }}'
            ' on-error={ :log warning "wifidesa: heartbeat failed" }',
            ':if ($heard) do={ :set wdReport "" }',
            ':if ([:pick $answer 0 6] = "fetch ") do={',
            "  :local version [:pick $answer 6 [:len $answer]]",
            "  :local complete true",
            f"  :foreach f in={{{names}}} do={{",
            f"    :do {{ /tool fetch url=({q(files_url)} . $f . {q('?token=' + form_token)})"
            ' dst-path=($dir . "/" . $f) check-certificate=yes }'
            " on-error={ :set complete false }",
            "  }",
            "  :if ($complete) do={ :set wdPages $version }",
            "}",
        ]
    )


def watch_source() -> str:
    """Every minute (the scheduler ``wifidesa-watch``): the emergency switch and its counts.

    * every ``wifidesa`` netwatch probe of a central RADIUS server reads ``down``: note
      when (``wdDownAt``, at most a minute late); once that is `EMERGENCY_AFTER` ago,
      turn trial on (``login-by=…,trial``: the emergency allowance of the profile);
    * while trial is on, keep each active trial session's bytes and seconds by its
      session id (counts only);
    * a probe answers again: turn trial off, end the trial sessions, write the outage
      report for the next heartbeat (only when emergency access was on) and send the
      heartbeat at once.

    The state lives in this script, not in netwatch's up/down scripts: netwatch runs its
    scripts as the ``*sys`` user, whose global variables other scripts cannot read
    (manual, Netwatch). VERIFY-ON-ROUTER S5: ``/ip hotspot active`` entries of trial
    users have ``login-by=trial`` and session ``.id`` values are not reused within an
    outage; S4: ``[:tonum <time>]`` gives seconds, ``[:timestamp]`` differences compare
    with ``3m``, and globals set here are read by the heartbeat script run from another
    scheduler of the same owner.
    """
    return "\n".join(
        [
            ":global wdDownAt",
            ":global wdEmergency",
            ":global wdSeen",
            ":global wdReport",
            ':if ([:typeof $wdSeen] != "array") do={ :set wdSeen [:toarray ""] }',
            ":local probes 0",
            ":local down 0",
            ':foreach n in=[/tool netwatch find where comment="wifidesa"] do={',
            "  :set probes ($probes + 1)",
            '  :if ([/tool netwatch get $n status] = "down") do={ :set down ($down + 1) }',
            "}",
            ":if ($probes > 0 && $down = $probes) do={",
            '  :if ([:typeof $wdDownAt] != "time") do={ :set wdDownAt [:timestamp] }',
            "  :if ($wdEmergency != true"
            f" && ([:timestamp] - $wdDownAt) >= {EMERGENCY_AFTER}) do={{",
            "    :set wdEmergency true",
            '    /ip hotspot profile set [find name="wifidesa"] login-by=http-chap,http-pap,trial',
            '    :log warning "wifidesa: central RADIUS unreachable, emergency access on"',
            "  }",
            "}",
            ':foreach a in=[/ip hotspot active find where login-by="trial"] do={',
            "  :local b [/ip hotspot active get $a bytes-in]",
            "  :set b ($b + [/ip hotspot active get $a bytes-out])",
            "  :local s [:tonum [/ip hotspot active get $a uptime]]",
            "  :set ($wdSeen->[:tostr $a]) {$b;$s}",
            "}",
            ':if ($down < $probes && [:typeof $wdDownAt] = "time") do={',
            "  :if ($wdEmergency = true) do={",
            '    /ip hotspot profile set [find name="wifidesa"] login-by=http-chap,http-pap',
            "    :local logins 0",
            "    :local seconds 0",
            "    :local bytes 0",
            "    :foreach k,v in=$wdSeen do={",
            "      :set logins ($logins + 1)",
            "      :set bytes ($bytes + ($v->0))",
            "      :set seconds ($seconds + ($v->1))",
            "    }",
            '    /ip hotspot active remove [find where login-by="trial"]',
            "    :local minutes ([:tonum ([:timestamp] - $wdDownAt)] / 60)",
            '    :set wdReport ("&outage=o" . [:tonum $wdDownAt] . "&emergency_logins=" . $logins'
            ' . "&emergency_seconds=" . $seconds . "&emergency_bytes=" . $bytes'
            ' . "&outage_minutes=" . $minutes)',
            "    :set wdEmergency false",
            '    :set wdSeen [:toarray ""]',
            '    :log warning "wifidesa: central RADIUS back, emergency access off"',
            "  }",
            "  :set wdDownAt",
            '  /system script run "wifidesa-heartbeat"',
            "}",
        ]
    )
