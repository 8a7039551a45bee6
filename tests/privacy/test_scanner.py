"""The privacy scan finds what it looks for: planted identifiers in every notation, in a
table, a log file and a database file, in a folder scanned before its test deletes it,
and the client IP of a closed session.

Planted identifiers are built at run time (no literal in this file) and never recorded
as test identifiers, so the scan of the whole suite does not report them.
"""

from __future__ import annotations

import ipaddress
import secrets
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from tests.privacy import session as privacy_session
from tests.privacy import stores
from tests.privacy.identifiers import Identifiers, add_datagram


def planted_mac() -> tuple[str, Identifiers]:
    """A random MAC (``AA:BB:…``, upper case) and identifiers that know it."""
    octets = [secrets.randbelow(256) for _ in range(6)]
    octets[0] = 0xA2  # locally administered, and at least three distinct hex digits
    octets[1] = 0x5C
    mac = ":".join(f"{o:02X}" for o in octets)
    ids = Identifiers()
    ids.add_mac(mac)
    return mac, ids


def planted_ip() -> str:
    return str(ipaddress.IPv4Address((10 << 24) + secrets.randbelow(1 << 24) | 1))


def notations(mac: str) -> dict[str, str]:
    bare = mac.replace(":", "")
    return {
        "colon": mac,
        "dash-lower": mac.replace(":", "-").lower(),
        "dotted": ".".join(bare[i : i + 4] for i in (0, 4, 8)).lower(),
        "bare": bare,
        "url-encoded": mac.replace(":", "%3A"),
    }


def test_every_notation_of_a_test_mac_is_found_and_nothing_else():
    mac, ids = planted_mac()
    ip = planted_ip()
    ids.add_ip(ip)
    for name, written in notations(mac).items():
        text = f"INFO radius x={written} y"
        assert [found for found, _ in ids.find(text)] == [mac.replace(":", "")], name
    assert list(ids.find(f"client {ip}.")) == [(ip, ip)]
    assert list(ids.find(f"client {ip}7 and 1.{ip}")) == []  # a longer address is another
    other = "0E:" + mac[3:]
    assert list(ids.find(f"{other} {other.replace(':', '')}")) == []


def whole_occurrences(text: str, ip: str) -> list[tuple[str, str]]:
    """The plain way to look for one address: each place it occurs that is not part of
    a longer number or dotted run (the scanner looks for all of them in one pass)."""
    found, start = [], text.find(ip)
    while start != -1:
        before, after = text[start - 1 : start] if start else "", text[start + len(ip) :][:2]
        if not (before == "." or before.isdigit() or after[:1].isdigit()) and not (
            after[:1] == "." and after[1:2].isdigit()
        ):
            found.append((ip, ip))
        start = text.find(ip, start + 1)
    return found


_ADDRESSES = ["10.5.50.2", "10.5.50.23", "1.10.5.50", "192.168.1.1"]


@given(
    st.lists(st.sampled_from(_ADDRESSES), max_size=3),
    st.lists(st.sampled_from([*_ADDRESSES, ".", "0", "2", "5", "x", " "]), max_size=8),
)
def test_client_ips_are_found_whole_wherever_they_stand(addresses, pieces):
    ids = Identifiers()
    for address in addresses:
        ids.add_ip(address)
    text = "".join(pieces)
    expected = [hit for ip in sorted(ids.ips) for hit in whole_occurrences(text, ip)]
    assert sorted(ids.find(text)) == sorted(expected)


def test_a_mac_planted_in_a_table_and_a_log_file_is_reported_by_place(tmp_path):
    mac, ids = planted_mac()
    forms = notations(mac)
    database = tmp_path / "data" / "planted.sqlite3"
    database.parent.mkdir()
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT, raw BLOB)")
        connection.execute(
            "INSERT INTO note (body, raw) VALUES (?, ?), (?, NULL)",
            (f"device {forms['dash-lower']}", forms["dotted"].encode(), "nothing here"),
        )
    connection.close()
    log = tmp_path / "logs" / "radius.log"
    log.parent.mkdir()
    log.write_text(f"INFO start\nINFO login of {forms['bare']}\n")
    try:
        found = {(f.where, f.part) for f in stores.scan_tree(tmp_path, ids)}
    finally:
        database.unlink()
        log.unlink()
    assert ("data/planted.sqlite3", "note.body") in found
    assert ("data/planted.sqlite3", "note.raw") in found
    assert ("logs/radius.log", "line 2") in found
    report = str(stores.Finding("logs/radius.log", "line 2", mac.replace(":", ""), mac))
    assert mac not in report and mac[3:] not in report  # the report masks it


def test_a_folder_scanned_before_its_test_deletes_it_is_reported_under_the_test(
    tmp_path, monkeypatch, request
):
    mac, ids = planted_mac()
    state = privacy_session.State(ids=ids, test=request.node.nodeid)
    monkeypatch.setattr(privacy_session, "STATE", state)  # the session's report stays clean
    folder = tmp_path / "disk"
    folder.mkdir()
    (folder / "radius.log").write_text(f"INFO start\nINFO login of {mac.lower()}\n")
    (folder / "quiet.log").write_text("INFO start\n")
    (folder / "inputs.txt").write_text(mac)  # the test's own, skipped
    try:
        found = privacy_session.scan_now("tiny disk", folder=folder, skip=[folder / "inputs.txt"])
    finally:
        for file in folder.iterdir():
            file.unlink()
    place = f"tiny disk of {request.node.nodeid}: radius.log"
    assert [(f.where, f.part) for f in found] == [(place, "line 2")]
    assert state.findings == found and state.files == state.files_now == 2


def test_a_radius_request_sent_by_a_test_records_its_mac_and_framed_ip():
    mac, _ = planted_mac()
    ip = planted_ip()
    attributes = bytes([31, 2 + len(mac)]) + mac.encode()
    attributes += bytes([8, 6]) + ipaddress.IPv4Address(ip).packed
    packet = bytes([4, 1]) + (20 + len(attributes)).to_bytes(2, "big") + bytes(16) + attributes
    ids = Identifiers()
    add_datagram(ids, packet)
    assert ids.macs == {mac.replace(":", "")} and ids.ips == {ip}


def test_only_the_framed_ip_of_an_open_session_is_allowed(
    settings, engine, make_gateway, now, database_url
):
    gateway = make_gateway()
    ip_open, ip_closed = planted_ip(), planted_ip()
    ids = Identifiers()
    ids.add_ip(ip_open)
    ids.add_ip(ip_closed)
    row = (
        "INSERT INTO accounting_session (gateway_id, acct_session_id, village_kode, local_date,"
        " credential_kind, started_at, updated_at, stopped_at, session_seconds, input_octets,"
        " output_octets, interim_count, framed_ip) VALUES (:gw, :sid, :village, :day, 'grant',"
        " :now, :now, :stopped, 0, 0, 0, 0, :ip)"
    )
    values = {"gw": gateway.id, "village": gateway.village_kode, "day": now.date(), "now": now}
    with engine.begin() as connection:
        if database_url:  # the schema forbids what is planted here: lift it in this schema
            connection.execute(
                sa.text(
                    "ALTER TABLE accounting_session"
                    " DROP CONSTRAINT ck_accounting_session_closed_sessions_forget_ip"
                )
            )
        else:
            connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        connection.execute(sa.text(row), {**values, "sid": "o", "stopped": None, "ip": ip_open})
        connection.execute(sa.text(row), {**values, "sid": "c", "stopped": now, "ip": ip_closed})
    if database_url:
        with engine.begin() as connection:
            schema = connection.scalar(sa.text("SELECT current_schema()"))
            findings = stores.scan_postgres(connection, schema, ids)
    else:
        engine.dispose()
        path = settings.sqlalchemy_url.removeprefix("sqlite:///")
        findings = stores.scan_sqlite(Path(path), ids, "db")
    rows = [f for f in findings if f.part.startswith("accounting_session")]
    assert {(f.part, f.identifier) for f in rows} == {("accounting_session.framed_ip", ip_closed)}
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM accounting_session"))
