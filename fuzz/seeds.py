"""Seed packets shaped like a RouterOS 7 hotspot's (mikrotik-hotspot.md §2.2, §2.5) for
the world of `fuzz.world`, plus hand-made malformed ones (security reference §2.3).

`canonical_seeds` are signed-mode inputs (cleartext User-Password, see `fuzz.packets`);
`python -m fuzz.seeds` writes them to fuzz/corpus/signed and their signed wire form to
fuzz/corpus/raw. The world is deterministic, so the corpus stays valid.
"""

from __future__ import annotations

import hashlib
import socket
import struct
import sys
from pathlib import Path

from fuzz import world
from fuzz.packets import ACCESS_REQUEST, ACCOUNTING_REQUEST, Attributes, build, parse, sign

CORPUS = Path(__file__).resolve().parent / "corpus"
MIKROTIK, WISPR = 14988, 14122
CHALLENGE = bytes.fromhex("19a63ce2e283187f977609b470b01368")


def integer(value: int) -> bytes:
    return struct.pack("!L", value & 0xFFFFFFFF)


def vsa(vendor: int, key: int, value: bytes) -> tuple[int, bytes]:
    return 26, struct.pack("!L", vendor) + bytes([key, len(value) + 2]) + value


def common(nas: str, mac: str, user: str, session: str = "80100014") -> Attributes:
    """The attributes every hotspot request of a device carries, in RouterOS's order."""
    ip = socket.inet_aton("10.5.88.2")
    return [
        (61, integer(19)),  # NAS-Port-Type = Wireless-802.11
        (31, mac.encode()),  # Calling-Station-Id
        (30, b"hs-desa"),  # Called-Station-Id = hotspot server name
        (87, b"bridge-hotspot"),  # NAS-Port-Id
        (1, user.encode()),
        (5, integer(2148532244)),  # NAS-Port
        (44, session.encode()),  # Acct-Session-Id
        (8, ip),  # Framed-IP-Address
        vsa(MIKROTIK, 10, ip),  # Mikrotik-Host-IP
    ]


def access(nas: str, mac: str, user: str, *, password: str | None, chap: bool) -> bytes:
    attributes = [(80, bytes(16)), *common(nas, mac, user)]
    if password is not None and chap:
        response = hashlib.md5(b"\x07" + password.encode() + CHALLENGE).digest()  # noqa: S324
        attributes += [(60, CHALLENGE), (3, b"\x07" + response)]
    elif password is not None:
        attributes.append((2, password.encode()))
    attributes += [
        (6, integer(1)),  # Service-Type = Login-User
        vsa(WISPR, 3, b"http://10.5.88.1/logout"),
        (32, nas.encode()),
        (4, socket.inet_aton("10.0.0.1")),
    ]
    return build(ACCESS_REQUEST, 7, bytes(16), attributes)


def accounting(nas: str, status: int, mac: str = "", user: str = "", **counters: int) -> bytes:
    """Start (1), Stop (2), Interim (3), On (7), Off (8); ``class_`` as an int id."""
    attributes: Attributes = [(40, integer(status))]
    if status in (1, 2, 3):
        attributes += common(nas, mac, user, counters.get("session", "80100014"))
        if "class_" in counters:
            attributes.append((25, f"wd:g:{counters['class_']}".encode()))
    if status in (2, 3):
        octets = counters.get("octets", 150_000_000)
        attributes += [
            (46, integer(counters.get("seconds", 600))),
            (42, integer(octets // 10)),
            (52, integer(0)),
            (43, integer(octets)),
            (53, integer(octets >> 32)),
            (47, integer(octets // 1000)),
            (48, integer(octets // 1000)),
        ]
    if status == 2:
        attributes.append((49, integer(1)))  # User-Request
    attributes += [(55, integer(1_700_000_000)), (32, nas.encode()), (41, integer(0))]
    attributes.append((4, socket.inet_aton("10.0.0.1")))
    return build(ACCOUNTING_REQUEST, 9, bytes(16), attributes)


def canonical_seeds(catalogue: world.Catalogue) -> dict[str, bytes]:
    """Named signed-mode seeds: logins of every kind, accounting of every status."""
    seeds: dict[str, bytes] = {}
    by_nas: dict[str, dict[str, str]] = {}
    for grant in catalogue.grants:
        by_nas.setdefault(grant["nas"], grant)
    for nas, grant in by_nas.items():
        mac, user, pw = grant["mac"], grant["user"], grant["password"]
        seeds[f"{nas}-chap"] = access(nas, mac, user, password=pw, chap=True)
        seeds[f"{nas}-pap"] = access(nas, mac, user, password=pw, chap=False)
        seeds[f"{nas}-wrong"] = access(nas, mac, user, password="salah", chap=True)
        terms_mac = catalogue.terms_macs[0]
        seeds[f"{nas}-mac"] = access(nas, terms_mac, terms_mac, password="", chap=False)
        village = world.GATEWAYS[nas][0]
        code = next(c for c, kode in catalogue.vouchers.items() if kode == village)
        seeds[f"{nas}-voucher"] = access(nas, mac, code, password=code, chap=False)
        seeds[f"{nas}-voucher-chap"] = access(nas, mac, code, password=code, chap=True)
        if not world.GATEWAYS[nas][3]:  # an older RouterOS: no Message-Authenticator
            _, _, _, attributes, _ = parse(seeds[f"{nas}-pap"])
            seeds[f"{nas}-pap-no-ma"] = build(1, 8, bytes(16), attributes[1:])
        seeds[f"{nas}-start"] = accounting(nas, 1, mac, user, class_=1)
        seeds[f"{nas}-interim"] = accounting(nas, 3, mac, user, class_=1, octets=90_000_000)
        seeds[f"{nas}-interim-huge"] = accounting(nas, 3, mac, user, octets=(5 << 32) + 7)
        seeds[f"{nas}-stop"] = accounting(nas, 2, mac, user, class_=1, seconds=3600)
        seeds[f"{nas}-on"] = accounting(nas, 7)
        seeds[f"{nas}-off"] = accounting(nas, 8)
    return seeds


def malformed_seeds(catalogue: world.Catalogue) -> dict[str, bytes]:
    """Wire-level oddities (§2.3): attribute lengths 0/1/255, broken VSAs, bad lengths."""
    base = canonical_seeds(catalogue)
    login = base["desa-sungai-terik-chap"]
    start = base["desa-sungai-terik-start"]
    header = login[:20]
    return {
        "attr-len0": header + b"\x01\x00",
        "attr-len1": header + b"\x01\x01abc",
        "attr-len255": header + b"\x01\xffabc",
        "vsa-empty": build(1, 1, bytes(16), [(26, b"")]),
        "vsa-sublen0": build(1, 1, bytes(16), [(26, struct.pack("!L", MIKROTIK) + b"\x01\x00")]),
        "vsa-sublen1": build(1, 1, bytes(16), [(26, struct.pack("!L", MIKROTIK) + b"\x01\x01")]),
        "ma-len4": build(1, 1, bytes(16), [(80, b"abcd"), (32, b"desa-sungai-terik")]),
        "length-over": login[:2] + struct.pack("!H", len(login) + 40) + login[4:],
        "padding": login + bytes(32),
        "huge": build(1, 1, bytes(16), [(24, bytes(250))] * 17),
        "int-len3": start.replace(b"\x28\x06\x00\x00\x00\x01", b"\x28\x05\x00\x00\x01", 1),
        "many-attrs": build(1, 1, bytes(16), [(33, b"ps")] * 220 + [(32, b"desa-sungai-terik")]),
        "eap-no-ma": build(1, 1, bytes(16), [(79, b"\x02\x00\x00\x05\x01"), (1, b"x")]),
        "short": login[:19],
    }


def write_corpus(workdir: Path) -> None:
    """Prepare a world in ``workdir`` and write both corpora."""
    _, catalogue = world.prepare(workdir)
    canonical = canonical_seeds(catalogue)
    malformed = malformed_seeds(catalogue)
    for mode in ("signed", "raw"):
        folder = CORPUS / mode
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in {**canonical, **malformed}.items():
            if mode == "raw" and name in canonical:
                data = sign(data, catalogue.secrets, "desa-sungai-terik")
            (folder / name).write_bytes(data)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(Path(tmp))
    sys.stdout.write(f"seeds written to {CORPUS}\n")
