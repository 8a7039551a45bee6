"""Voucher codes typed on the router's own login page: wrong ones from one phone back
off, as on the splash (`portal.domain.access.throttle`), over real UDP on loopback."""

from __future__ import annotations

from datetime import timedelta

from pyrad import packet

from portal.config import utcnow
from portal.domain.access import vouchers
from tests.radius.radclient import answered

MAC, NEIGHBOUR = "BC:24:11:EB:56:4D", "BC:24:11:EB:56:4E"
WRONG = "Kode atau kata sandi salah. Silakan coba lagi."
SLOW = "Terlalu banyak kode voucher yang salah dari perangkat ini."


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


def guesses(count: int) -> list[str]:
    letters = vouchers.ALPHABET
    return [
        "".join(letters[(n * 5 + i * 11) % len(letters)] for i in range(vouchers.CODE_LENGTH))
        for n in range(count)
    ]


def test_wrong_voucher_codes_from_one_phone_back_off(
    make_gateway, make_vouchers, radius_server, router
):
    gateway = make_gateway()
    code, neighbours = make_vouchers(gateway.village_kode, 2, daily_mb=500)
    clock = Clock()
    server = radius_server(clock=clock, reject_delay=0.05)
    nas = router(server, gateway)

    def login(user: str, mac: str = MAC):
        reply = nas.send(nas.access_request(user, user, mac=mac))
        assert reply is not None
        return reply.code, reply.get("Reply-Message", [""])[0]

    first = [login(guess) for guess in guesses(4)]
    assert first == [(packet.AccessReject, WRONG)] * 4  # 3 free; the 4th sets 2 s
    refused, message = login(guesses(5)[4])
    assert refused == packet.AccessReject and message.startswith(SLOW)
    # The right code from this phone waits too; from the neighbour's it works at once.
    assert login(code)[1].startswith(SLOW)
    assert login(neighbours, NEIGHBOUR)[0] == packet.AccessAccept
    assert answered(server)["access/voucher-throttled"] == 2
    clock.now += timedelta(seconds=2)
    assert login(guesses(6)[5]) == (packet.AccessReject, WRONG)  # the 5th failure: 4 s
    clock.now += timedelta(seconds=3)
    assert login(code)[1].startswith(SLOW)
    clock.now += timedelta(seconds=1)
    assert login(code)[0] == packet.AccessAccept
    assert login(guesses(7)[6]) == (packet.AccessReject, WRONG)  # failures forgotten
