"""The usage export from the report pages: the same bytes as the API for the same
question, for the admin's own region only; bad parameters are a 400."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from tests.reports import scenario

RANGE = {"from": "2026-11-20", "to": "2026-11-21"}


@pytest.fixture
def loaded(session, make_village, make_gateway):
    return scenario.load(session, make_village, make_gateway)


def _api(client, token, **params):
    return client.get("/api/v1/usage", query_string=params,
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip


@pytest.mark.parametrize(
    ("output", "group", "variant", "totals"),
    list(
        itertools.product(
            ("csv", "json"), ("day", "hour", "village"), ("internal", "open"), ("", "1")
        )
    ),
)
def test_download_has_the_same_bytes_as_the_api(
    client, loaded, make_token, make_admin, login, output, group, variant, totals
):
    token = make_token("64")
    login(make_admin("province", "64"))
    params = {"scope": "64.01", "format": output, "group": group, "variant": variant,
              "totals": totals, **RANGE}  # fmt: skip
    page = client.get("/reports/unduh/data", query_string=params)
    downloaded = page.get_data()  # a streamed body is read before the next request
    api = _api(client, token, **params)
    assert page.status_code == api.status_code == 200
    assert downloaded == api.get_data() and len(downloaded) > 100
    assert page.mimetype == api.mimetype
    assert page.headers["Content-Disposition"].startswith("attachment; filename=")
    if output == "csv":
        assert page.headers["Content-Disposition"] == api.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(page.get_data(as_text=True))))
        assert rows and {r["kode_kabupaten_kota"] for r in rows} == {"64.01"}
    else:
        assert page.get_json()["scope"] == "64.01"


def test_the_form_offers_the_region_its_villages_and_every_option(
    client, loaded, make_admin, login
):
    login(make_admin("regency", "64.01"))
    page = client.get("/reports/unduh").get_data(as_text=True)
    assert '<option value="64.01">' in page and f'<option value="{scenario.WITA_VILLAGE}">' in page
    assert scenario.WIB_VILLAGE not in page  # Jambi: another province
    for value in ("day", "hour", "village", "csv", "json", "internal", "open"):
        assert f'value="{value}"' in page
    assert 'href="/reports/unduh"' in client.get("/reports/").get_data(as_text=True)


def test_another_region_is_not_found(client, loaded, make_admin, login):
    login(make_admin("regency", "64.01"))
    for scope in ("15", "15.01", scenario.WIB_VILLAGE, "64"):
        response = client.get("/reports/unduh/data",
                              query_string={"scope": scope, "format": "csv", **RANGE})  # fmt: skip
        assert response.status_code == 404, scope


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "64.01", "from": "kemarin", "to": "2026-11-21"},
        {"scope": "99.99", **RANGE},
        {"scope": "64.01", "group": "week", **RANGE},
        {"scope": "64.01", "format": "xlsx", **RANGE},
        {"scope": "64.01", "variant": "public", **RANGE},
        {"scope": "64.01", "from": "2026-11-21", "to": "2026-11-20"},
        {"scope": "64.01", "group": "hour", "from": "2025-01-01", "to": "2026-11-21"},
    ],
)
def test_bad_parameters_are_a_400(client, loaded, make_admin, login, params):
    login(make_admin("regency", "64.01"))
    assert client.get("/reports/unduh/data", query_string=params).status_code == 400


def test_download_needs_a_login(client, loaded):
    response = client.get("/reports/unduh/data", query_string={"scope": "64.01", **RANGE})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
