"""The usage API: figures against hand-computed totals, formats, token scopes."""

from __future__ import annotations

import csv
import io

import pytest

from portal.domain.reporting.reports import INDICATORS
from tests.reports import scenario
from tests.reports.scenario import DAY1, DAY2, WIB_VILLAGE, WITA_VILLAGE


@pytest.fixture
def loaded(session, make_village, make_gateway):
    return scenario.load(session, make_village, make_gateway)


def get(client, token, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/usage", query_string=params, headers=headers)


def test_daily_json_matches_hand_computed_totals_across_zones_and_midnight(
    client, loaded, make_token
):
    token = make_token("64")
    kaltim = get(client, token, scope="64", **{"from": "2026-11-20", "to": "2026-11-21"})
    token = make_token("15.01")
    kerinci = get(client, token, scope="1501", **{"from": "2026-11-20", "to": "2026-11-21"})
    rows = kaltim.get_json()["rows"] + kerinci.get_json()["rows"]
    got = {(r["kode_desa_kelurahan"], r["tanggal"]): {n: r[n] for n in INDICATORS} for r in rows}
    expected = {(k, d.isoformat()): v for (k, d), v in scenario.EXPECTED_DAILY.items()}
    assert got == expected
    assert {r["nama_kabupaten_kota"] for r in kaltim.get_json()["rows"]} == {"Kabupaten Paser"}


def test_hourly_rows_follow_local_hours(client, loaded, make_token):
    token = make_token("64.01")
    body = get(client, token, scope="64.01", group="hour",
               **{"from": "2026-11-20", "to": "2026-11-21"}).get_json()  # fmt: skip
    got = {(r["tanggal"], r["jam"]): r for r in body["rows"]}
    for (day, hour), figures in scenario.EXPECTED_HOURLY_WITA.items():
        row = got.pop((day.isoformat(), f"{hour:02d}.00"))
        assert {name: row[name] for name in figures} == figures
    assert got == {}


def test_village_group_sums_the_range_and_takes_the_peak(client, loaded, make_token):
    token = make_token("64.01.01.2009")
    body = get(client, token, scope="6401012009", group="village",
               **{"from": "2026-11-20", "to": "2026-11-21"}).get_json()  # fmt: skip
    (row,) = body["rows"]
    day1 = scenario.EXPECTED_DAILY[(WITA_VILLAGE, DAY1)]
    day2 = scenario.EXPECTED_DAILY[(WITA_VILLAGE, DAY2)]
    for name in INDICATORS:
        combine = max if name == "peak_concurrent" else int.__add__
        assert row[name] == combine(day1[name], day2[name]), name
    assert (row["tanggal_awal"], row["tanggal_akhir"]) == ("2026-11-20", "2026-11-21")


def test_csv_has_satu_data_columns_and_plain_numbers(client, loaded, make_token):
    token = make_token("15")
    response = get(client, token, scope="15", format="csv", totals="1",
                   **{"from": "2026-11-21", "to": "2026-11-21"})  # fmt: skip
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0])[:10] == [
        "tingkat", "kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota",
        "kode_kecamatan", "nama_kecamatan", "kode_desa_kelurahan", "nama_desa_kelurahan", "tanggal",
    ]  # fmt: skip
    village, *totals = rows
    assert village["kode_desa_kelurahan"] == WIB_VILLAGE
    assert village["bytes_down"] == "1500000"
    assert [t["tingkat"] for t in totals] == ["kecamatan", "kabupaten_kota", "provinsi"]
    assert all(t["sessions"] == "2" and t["peak_concurrent"] == "" for t in totals)


def test_metadata_describes_indicators_units_source_period_and_licence(client, app):
    body = client.get(
        "/api/v1/usage/metadata.json?group=day&from=2026-01-01&to=2026-12-31"
    ).get_json()
    assert body["lisensi"] == "CC-BY-4.0"
    assert body["periode"] == {
        "awal": "2026-01-01",
        "akhir": "2026-12-31",
        "satuan_waktu": "harian",
    }
    assert "RADIUS" in body["sumber"]
    units = {c["nama"]: c.get("satuan") for c in body["kolom"]}
    assert units["bytes_down"] == "byte" and units["seconds_online"] == "detik"
    assert units["devices"] == "perangkat"


@pytest.mark.parametrize(
    ("token_scope", "asked", "status"),
    [
        ("64", "64.01.01.2009", 200),
        ("64.01", "64", 403),
        ("64.01.01.2009", "64.01.01", 403),
        ("64.01.01.2009", "64.01.01.2010", 403),
        ("15", "64.01", 403),
    ],
)
def test_a_token_sees_only_its_area(client, loaded, make_token, token_scope, asked, status):
    token = make_token(token_scope)
    response = get(client, token, scope=asked, **{"from": "2026-11-20", "to": "2026-11-21"})
    assert response.status_code == status
    if status == 403:
        assert "rows" not in response.get_json()


def test_missing_unknown_and_revoked_tokens_are_refused(client, loaded, make_token):
    params = {"scope": "64", "from": "2026-11-20", "to": "2026-11-21"}
    revoked = make_token("64", revoked=True)
    for token in (None, "not-a-token", revoked):
        response = get(client, token, **params)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "99", "from": "2026-11-20", "to": "2026-11-21"},
        {"scope": "64", "from": "2026-11-21", "to": "2026-11-20"},
        {"scope": "64", "from": "20-11-2026", "to": "2026-11-21"},
        {"scope": "64", "from": "2026-01-01", "to": "2026-12-31", "group": "hour"},
        {"scope": "64", "from": "2026-11-20", "to": "2026-11-21", "group": "week"},
        {"scope": "64", "from": "2026-11-20", "to": "2026-11-21", "variant": "public"},
    ],
)
def test_bad_parameters_get_a_400_with_a_reason(client, loaded, make_token, params):
    response = get(client, make_token("64"), **params)
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_a_used_token_records_when(client, loaded, make_token, session):
    from portal.models import ApiToken

    token = make_token("64")
    get(client, token, scope="64", **{"from": "2026-11-20", "to": "2026-11-21"})
    session.expire_all()
    assert session.query(ApiToken).one().last_used_at is not None


def test_csv_and_json_carry_the_same_cells_in_the_open_variant(client, loaded, make_token):
    token = make_token("64")
    params = {"scope": "64", "from": "2026-11-20", "to": "2026-11-21", "variant": "open"}
    records = get(client, token, **params).get_json()["rows"]
    text = get(client, token, format="csv", **params).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(records) == 2 + 2 * 3  # two village-days, three area levels each
    for row, record in zip(rows, records, strict=True):
        assert row == {k: "" if v is None else str(v) for k, v in record.items()}
    assert all(row["devices"] == "" for row in rows)  # 1 and 2 devices: all hidden


@pytest.mark.parametrize("group", ["day", "hour"])
def test_streamed_csv_equals_the_general_writer(session, loaded, group):
    from datetime import date

    from portal.domain.reporting import exports, reports, satudata

    start, end = date(2026, 11, 20), date(2026, 11, 21)
    streamed = "".join(exports.export_csv(session, "64", start, end, group=group))
    table = reports.usage(session, "64", start, end, group)
    general = "".join(exports.write_csv(satudata.build_export(table, "64")))
    assert streamed == general and streamed.count("\n") > 2


def test_json_refuses_exports_too_big_for_memory(client, loaded, make_token, monkeypatch):
    from portal.domain.reporting import satudata

    monkeypatch.setattr(satudata, "MAX_RECORDS", 1)
    response = get(
        client, make_token("64"), scope="64", **{"from": "2026-11-20", "to": "2026-11-21"}
    )
    assert response.status_code == 400 and "format=csv" in response.get_json()["error"]
