"""The splash slows down whoever hammers it, never a village behind one NAT address.

`portal.domain.access.throttle`: accepts draw from token buckets per (gateway, client
address) and per (gateway, device); well-formed voucher codes that match nothing back
off exponentially per device and per address. Time moves by the installation's clock
(`tests.clock.set_clock`); the phones are the router's login page posted as usual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.database import db
from portal.domain.access import throttle, vouchers
from portal.models import LoginGrant, RateLimit, TermsAcceptance
from tests.clock import set_clock
from tests.splash.conftest import World, router_fields, ticket_of

START = datetime(2026, 12, 20, 2, 0)  # 10.00 WITA: the whole test stays in one local day
NAT = "203.0.113.7"  # the village's one public address (documentation range)


class Clock:
    """The portal's clock, moved by hand."""

    def __init__(self, app: Flask) -> None:
        self.now = START
        set_clock(app, lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(portal_app: Flask, world: World) -> Iterator[Clock]:
    yield Clock(portal_app)
    set_clock(portal_app)


def phone_mac(number: int) -> str:
    return f"02:00:5E:10:{number // 256:02X}:{number % 256:02X}"


@pytest.fixture
def accept(portal_client: FlaskClient) -> Callable[..., TestResponse]:
    """``accept(mac, address=NAT, voucher=None)``: the splash for a phone, then its tap
    on Setuju & Sambungkan (or its voucher), from ``address``."""

    def tap(mac: str, address: str = NAT, voucher: str | None = None) -> TestResponse:
        entry = portal_client.post("/hotspot", data=router_fields(mac=mac))
        assert entry.status_code == 303
        token = ticket_of(portal_client.get(entry.headers["Location"]))
        data = {"t": token}
        if voucher is not None:
            data |= {"kind": "voucher", "voucher": voucher}
        return portal_client.post(
            "/hotspot/accept", data=data, environ_base={"REMOTE_ADDR": address}
        )

    return tap


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def retry_after(answer: TestResponse) -> int:
    assert answer.status_code == 429, answer.status_code
    return int(answer.headers["Retry-After"])


def test_one_address_inventing_phones_is_slowed_and_told_kindly(
    portal_app: Flask, clock: Clock, accept
) -> None:
    """A script behind one address inventing a MAC per accept: the address's bucket
    lets 40 through at once, then one every 3 s; what it refuses writes nothing."""
    answers = [accept(phone_mac(n)) for n in range(60)]

    assert [a.status_code for a in answers[:40]] == [303] * 40
    assert {a.status_code for a in answers[40:]} == {429}
    refused = answers[40]
    assert 1 <= retry_after(refused) <= 3
    html = refused.get_data(as_text=True)
    assert "Tunggu sebentar" in html and "Warga lain tetap bisa tersambung" in html
    assert re.search(r"Coba lagi dalam \d+ detik", html)
    assert refused.headers["Cache-Control"] == "no-store"
    # Forty grants issued, and nothing counted yet: an acceptance counts once RADIUS
    # lets the device on (none of these invented phones ever logs in).
    assert count(portal_app, LoginGrant) == 40 and count(portal_app, TermsAcceptance) == 0
    clock.advance(3)
    assert accept(phone_mac(100)).status_code == 303
    assert retry_after(accept(phone_mac(101))) >= 1
    clock.advance(60)  # 20 more tokens a minute, not more
    assert [accept(phone_mac(200 + n)).status_code for n in range(21)].count(303) == 20


def test_sixty_residents_behind_one_nat_all_get_on_in_ten_minutes(
    portal_app: Flask, clock: Clock, accept
) -> None:
    """An evening at the balai desa: 25 phones in the first minute after prayers, the
    rest over ten minutes, a third of them tapping twice (a slow page). Nobody waits."""
    arrivals = [2.0] * 25 + [24.0] * 35  # seconds before the next phone: 25 + 35 = 60
    for number, gap in enumerate(arrivals):
        answer = accept(phone_mac(number))
        assert answer.status_code == 303, (number, answer.status_code)
        if number % 3 == 0:
            assert accept(phone_mac(number)).status_code == 303  # a second tap, a new page
        clock.advance(gap)
    assert clock.now - START <= timedelta(minutes=15)
    with portal_app.app_context():
        devices = db.session.scalar(sa.select(sa.func.count(sa.distinct(LoginGrant.device))))
    assert devices == 60


def test_one_phone_tapping_again_and_again_is_slowed_from_any_address(clock: Clock, accept) -> None:
    """Six taps at once, then one a minute, whichever address the phone comes from."""
    mac = phone_mac(7)
    codes = [accept(mac, address=f"198.51.100.{n + 1}").status_code for n in range(8)]

    assert codes == [303] * 6 + [429, 429]
    assert 50 <= retry_after(accept(mac, address="198.51.100.99")) <= 60
    assert accept(phone_mac(8)).status_code == 303  # the next phone is not held up
    clock.advance(60)
    assert accept(mac).status_code == 303


def _guesses(count: int) -> list[str]:
    """Well-formed codes that no batch printed (the test world's codes are random)."""
    letters = vouchers.ALPHABET
    return [
        "".join(letters[(n * 7 + i * 3) % len(letters)] for i in range(vouchers.CODE_LENGTH))
        for n in range(count)
    ]


def _guess_for(clock: Clock, seconds: float, guess: Callable[[str], TestResponse]) -> int:
    """Guess whenever allowed (waiting exactly Retry-After) for ``seconds``; tries made."""
    end, tries = clock.now + timedelta(seconds=seconds), 0
    for code in _guesses(100_000):
        answer = guess(code)
        if answer.status_code == 429:
            clock.advance(retry_after(answer))
        else:
            assert answer.status_code == 200 and "Kode voucher tidak dikenal" in answer.text
            tries += 1
        if clock.now >= end:
            return tries
    raise AssertionError("the loop ran out of codes")


def test_voucher_guesses_from_one_phone_back_off_exponentially(
    portal_app: Flask, clock: Clock, accept, voucher_code: str
) -> None:
    mac = phone_mac(3)
    guess = _guesses(8)

    answers = [accept(mac, voucher=code) for code in guess[:4]]
    assert [a.status_code for a in answers] == [200] * 4  # 3 free; the 4th sets a wait
    waits = []
    for code in guess[4:8]:
        answer = accept(mac, voucher=code)
        waits.append(retry_after(answer))
        assert "kode voucher yang salah" in answer.get_data(as_text=True)
        clock.advance(waits[-1])
        assert accept(mac, voucher=code).status_code == 200
    assert waits == [2, 4, 8, 16]
    # Even the right code waits its turn, then works and clears the phone's failures.
    assert retry_after(accept(mac, voucher=voucher_code)) == 32
    clock.advance(32)
    assert accept(mac, voucher=voucher_code).status_code == 303
    assert accept(mac, voucher=guess[0]).status_code == 200
    assert count(portal_app, LoginGrant) == 1


def test_an_hour_of_voucher_brute_force_gets_few_guesses(clock: Clock, accept) -> None:
    """Waiting out every Retry-After: one phone gets under 20 guesses an hour; a script
    inventing a phone per guess behind one address under 200 (of 31^10 codes)."""
    one_phone = _guess_for(clock, 3600, lambda code: accept(phone_mac(1), voucher=code))
    assert 10 <= one_phone <= 20
    numbers = iter(range(1000, 100_000))
    many = _guess_for(
        clock,
        3600,
        lambda code: accept(phone_mac(next(numbers)), address="192.0.2.9", voucher=code),
    )
    assert 60 <= many <= 200


def test_a_guessing_neighbour_does_not_lock_the_village_out(
    clock: Clock, accept, voucher_code: str
) -> None:
    """Guesses from the village's address make its voucher box wait at most 30 s; a
    plain accept goes on at once, and a resident's voucher works after the wait."""
    numbers = iter(range(2000, 3000))
    for code in _guesses(40):
        answer = accept(phone_mac(next(numbers)), voucher=code)
        if answer.status_code == 429:
            assert retry_after(answer) <= 30
            clock.advance(retry_after(answer))
    assert accept(phone_mac(1)).status_code == 303
    resident = accept(phone_mac(2), voucher=voucher_code)
    if resident.status_code == 429:
        assert retry_after(resident) <= 30
        clock.advance(retry_after(resident))
        resident = accept(phone_mac(2), voucher=voucher_code)
    assert resident.status_code == 303


def test_what_cannot_be_a_code_costs_nothing_and_counts_nothing(
    portal_app: Flask, clock: Clock, accept
) -> None:
    """Text that is no code is refused without a lookup: no failure, no wait."""
    for text in ("", "<script>", "x" * 64, "ABCDE"):
        for _ in range(5):
            assert accept(phone_mac(5), voucher=text).status_code == 200
    with portal_app.app_context():
        assert db.session.scalar(sa.select(sa.func.max(RateLimit.failures))) in (None, 0)


def test_only_keyed_hashes_are_stored(
    portal_app: Flask, world: World, clock: Clock, accept
) -> None:
    mac = phone_mac(9)
    assert accept(mac).status_code == 303
    assert accept(mac, voucher=_guesses(1)[0]).status_code == 200
    with portal_app.app_context():
        keys = db.session.scalars(sa.select(RateLimit.key)).all()
        settings = portal_app.extensions["wifidesa.settings"]
    assert len(keys) == 4 and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    assert throttle.key(settings.secret_key, "accept-address", world.gateway_id, NAT) in keys


@pytest.fixture
def voucher_code(portal_app: Flask, world: World) -> str:
    with portal_app.app_context():
        _, (code,) = vouchers.create_batch(
            db.session, village_kode=world.village_kode, count=1, valid_days=7, now=START,
            master_key=world.settings.secret_key,
        )  # fmt: skip
        db.session.commit()
    return code
