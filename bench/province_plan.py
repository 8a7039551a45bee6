"""The day's plan: who logs in when, for how long, and which gateways reboot or fall silent.

A village day is compressed into ``seconds`` of real time. Logins follow the shape of a
kantor desa's day: a few in the morning, steady during office hours, a burst after
office hours (16:00–22:00) when people come to sit near the office for the Wi-Fi.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from province_gateway import Device

#: Relative login rates per local hour 00..23.
HOUR_WEIGHTS = [0.2] * 6 + [1, 1] + [2] * 8 + [6, 6] + [8, 8, 8, 8] + [3, 2]
DAY = 86_400


@dataclass
class Plan:
    devices: dict[int, list[Device]]  # by gateway index
    reboots: dict[int, float]  # gateway index -> real offset
    silent: dict[int, float]

    @property
    def logins(self) -> int:
        return sum(len(d.logins) for devices in self.devices.values() for d in devices)


def make_plan(
    gateways: int,
    *,
    seconds: float,
    devices: tuple[int, int],
    heavy: float,
    reboots: int,
    silent: int,
    seed: int,
) -> Plan:
    """Devices per village drawn from ``devices`` (min, max); a share ``heavy`` of them
    use far more than the daily quota. Raises ValueError for an impossible plan."""
    if reboots + silent > gateways:
        raise ValueError("more rebooting and silent gateways than gateways")
    rng = random.Random(seed)
    scale = DAY / seconds
    plan = Plan({}, {}, {})
    for index in range(gateways):
        plan.devices[index] = [
            _device(rng, index, number, scale, rng.random() < heavy)
            for number in range(rng.randint(*devices))
        ]
    chosen = rng.sample(range(gateways), reboots + silent)
    for index in chosen[:reboots]:
        plan.reboots[index] = rng.uniform(0.35, 0.65) * seconds
    for index in chosen[reboots:]:
        plan.silent[index] = rng.uniform(0.3, 0.5) * seconds
    return plan


def _device(rng: random.Random, gateway: int, number: int, scale: float, heavy: bool) -> Device:
    count = rng.choices([1, 2, 3], [65, 28, 7])[0] if not heavy else rng.choice([2, 3])
    starts = sorted(_login_time(rng) for _ in range(count))
    logins, minutes, free_at = [], [], 0.0
    for start in starts:
        start = max(start, free_at)
        length = rng.randint(60, 120) if heavy else rng.randint(10, 90)
        length = min(length, int((DAY - start) // 60) - 1)
        if length < 5:
            break
        logins.append(start / scale)
        minutes.append(length)
        free_at = start + length * 60 + rng.uniform(60, 1800)
    return Device(
        mac=f"0A:64:{gateway >> 8:02X}:{gateway & 255:02X}:{number:02X}:01",
        client_ip=f"10.5.50.{number + 2}",
        logins=logins,
        minutes=minutes,
        mb_per_minute=rng.uniform(8, 15) if heavy else rng.uniform(0.3, 2.0),
        heavy=heavy,
    )


def _login_time(rng: random.Random) -> float:
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    return hour * 3600 + rng.uniform(0, 3600)
