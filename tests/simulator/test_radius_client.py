"""The twin's `/radius` client against our server over real UDP: entries in order, a silent
first entry, replies that do not verify (manual, RADIUS client: order, timeout,
require-message-auth, bad-replies)."""

from __future__ import annotations

import socket
import threading

from portal.domain.access import click_through
from portal.domain.credentials import click_through_username
from portal.simulator.routeros.radius_client import RadiusClient, RadiusServerEntry
from tests.radius.mikrotik import chap
from tests.simulator.conftest import GATEWAY_SECRET, NAS_ID


def _attributes(world, mac: str = "AA:BB:CC:DD:EE:09"):
    password = click_through.password(world.settings.secret_key, world.gateway_id, world.terms_id)
    attributes = {"User-Name": click_through_username(world.terms_id), "NAS-Identifier": NAS_ID,
                  "Calling-Station-Id": mac, "NAS-Port-Type": "Wireless-802.11"}  # fmt: skip
    return attributes, chap(password)


def test_a_silent_first_entry_then_the_second_answers(central_site, world):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        radius = central_site.radius
        client = RadiusClient(
            [RadiusServerEntry("127.0.0.1", port, port, GATEWAY_SECRET),
             RadiusServerEntry("127.0.0.1", radius.auth_port, radius.acct_port, GATEWAY_SECRET)],
            timeout=1.5,  # generous: the second entry must answer within one try
        )  # fmt: skip
        attributes, pair = _attributes(world)
        answer = client.access(attributes, chap=pair)
    assert answer.accepted and answer.server == 1 and answer.seconds >= 1.5
    assert client.monitor.requests == 1 and client.monitor.accepts == 1
    assert client.monitor.timeouts == 0


def test_a_wrong_secret_is_silence_to_the_router(central_site, world):
    radius = central_site.radius
    entry = RadiusServerEntry("127.0.0.1", radius.auth_port, radius.acct_port, "wrong-secret")
    client = RadiusClient([entry], timeout=0.3, resends=1)
    attributes, pair = _attributes(world)
    answer = client.access(attributes, chap=pair)
    assert answer.code is None  # our server drops a request whose Message-Authenticator fails
    assert client.monitor.timeouts == 1 and client.monitor.resends == 1


def test_a_forged_reply_is_a_bad_reply(world):
    forger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    forger.bind(("127.0.0.1", 0))

    def answer_with_garbage() -> None:
        data, peer = forger.recvfrom(4096)
        forger.sendto(bytes([2, data[1], 0, 20]) + bytes(16), peer)  # Accept, bad authenticator

    thread = threading.Thread(target=answer_with_garbage, daemon=True)
    thread.start()
    port = forger.getsockname()[1]
    client = RadiusClient([RadiusServerEntry("127.0.0.1", port, port, GATEWAY_SECRET)], 0.3)
    attributes, pair = _attributes(world)
    try:
        answer = client.access(attributes, chap=pair)
    finally:
        thread.join(2)
        forger.close()
    assert answer.code is None and client.monitor.bad_replies == 1
