"""Starting fair-use values by backhaul class, for a regency default or a village override.

A preset only fills the form: the officer sees the values, may change them, and saves.
Why these numbers (per device; MikroTik rate limits are ``upload/download`` as the
router writes rx/tx):

- **satellite** (VSAT/LEO, usually 2–4 Mbps shared; BAKTI sites often 2 Mbps, which
  carries about five people browsing at once): ``256k/1M`` so one phone can never take
  more than a quarter to a half of the link; 150 MB and 120 minutes a day, enough for
  messages, school work and a few short low-resolution videos, so that some 30 daily
  users fit in what a 2–4 Mbps link moves in its busy hours; sessions of at most 60
  minutes and a 10-minute idle timeout free slots quickly; once the quota is spent the
  device is throttled to ``64k/128k`` instead of cut off, so WhatsApp text still works.
- **radio** (point-to-point wireless to a town, typically 10–30 Mbps): ``512k/2M``,
  500 MB and 240 minutes a day, sessions up to 120 minutes, throttled to ``128k/256k``.
- **fibre** (FO, 50–200 Mbps as GratisPol contracts): ``2M/5M``, 2 GB a day and no
  daily time limit (the link is not the bottleneck, the data cap keeps it fair), sessions
  up to 240 minutes, 15 minutes idle, throttled to ``256k/512k``.

Every preset reports accounting every 5 minutes, which the quotas need to be close.
"""

from __future__ import annotations

from types import MappingProxyType

_COMMON = {"interim_minutes": 5, "on_exhausted": "throttle"}

PRESETS: MappingProxyType[str, MappingProxyType[str, object]] = MappingProxyType({
    "satellite": MappingProxyType({
        **_COMMON, "daily_mb": 150, "daily_minutes": 120, "rate_limit": "256k/1M",
        "max_session_minutes": 60, "idle_minutes": 10, "throttle_rate": "64k/128k",
    }),
    "radio": MappingProxyType({
        **_COMMON, "daily_mb": 500, "daily_minutes": 240, "rate_limit": "512k/2M",
        "max_session_minutes": 120, "idle_minutes": 10, "throttle_rate": "128k/256k",
    }),
    "fibre": MappingProxyType({
        **_COMMON, "daily_mb": 2000, "daily_minutes": 0, "rate_limit": "2M/5M",
        "max_session_minutes": 240, "idle_minutes": 15, "throttle_rate": "256k/512k",
    }),
})  # fmt: skip


def preset(backhaul_class: str) -> dict[str, object]:
    """The policy values of the preset for a backhaul class; KeyError for another name."""
    return dict(PRESETS[backhaul_class])
