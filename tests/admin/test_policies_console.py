"""Fair-use policies in the console: the regency default from a preset, a village
override, the effective policy with the source of every value, the next-login note;
roles, other regions, bad values and CSRF."""

from __future__ import annotations

import re

from portal.database import db
from portal.domain.network import policies
from portal.domain.network.policy_presets import preset
from tests.admin.conftest import OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B, log_in, post

EMPTY = dict.fromkeys(policies.POLICY_FIELDS, "")


def _form_values(page: str) -> dict[str, str]:
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    values.update(re.findall(r'<select[^>]*name="(\w+)".*?<option selected value="([^"]*)"',
                             page, flags=re.S))  # fmt: skip
    return {name: values.get(name, "") for name in policies.POLICY_FIELDS}


def _effective(app, kode):
    with app.app_context():
        return policies.resolve_policy(db.session, kode)


def _regency(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("kab", "regency", "64.01"))
    return client


def test_regency_default_from_the_satellite_preset_then_a_village_override(app, make_admin):
    client = _regency(app, make_admin)
    filled = client.get("/admin/policies/regency/64.01?preset=satellite").get_data(as_text=True)
    assert 'data-testid="preset-filled"' in filled
    values = _form_values(filled)
    assert values["daily_mb"] == "150" and values["rate_limit"] == "256k/1M"
    assert values["on_exhausted"] == "throttle"
    saved = post(client, "/admin/policies/regency/64.01", values)
    assert saved.status_code == 302
    for kode in (VILLAGE_A, VILLAGE_B):
        resolved = _effective(app, kode)
        assert resolved.policy.daily_mb == 150 and resolved.sources["daily_mb"] == "regency"
    assert _effective(app, OTHER_REGENCY_VILLAGE).policy == policies.BUILT_IN

    override = post(client, f"/admin/policies/village/{VILLAGE_A}",
                    {**EMPTY, "daily_mb": "300", "rate_limit": "512k/2M"})  # fmt: skip
    assert override.status_code == 302
    page = client.get(f"/admin/policies/village/{VILLAGE_A}").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-field="(\w+)" data-source="([\w-]+)">', page))
    assert rows["daily_mb"] == "village" and rows["rate_limit"] == "village"
    assert rows["throttle_rate"] == "regency" and rows["max_session_minutes"] == "regency"
    assert "pengecualian desa" in page and "bawaan kabupaten" in page
    assert 'data-testid="next-login"' in page and "login berikutnya" in page
    assert _effective(app, VILLAGE_B).policy.daily_mb == 150
    overview = client.get("/admin/policies").get_data(as_text=True)
    cell = re.search(rf'data-kode="{VILLAGE_A}">.*?data-field="daily_mb" data-source="(\w+)">'
                     r"([^<]+)<", overview, flags=re.S)  # fmt: skip
    assert cell.groups() == ("village", "300 MB")
    assert "login berikutnya" in overview


def test_clearing_every_field_inherits_again(app, make_admin):
    client = _regency(app, make_admin)
    post(client, f"/admin/policies/village/{VILLAGE_A}", {**EMPTY, "daily_mb": "300"})
    assert _effective(app, VILLAGE_A).sources["daily_mb"] == "village"
    post(client, f"/admin/policies/village/{VILLAGE_A}", EMPTY)
    assert set(_effective(app, VILLAGE_A).sources.values()) == {"built-in"}


def test_built_in_values_are_shown_with_their_source(app, make_admin):
    client = _regency(app, make_admin)
    page = client.get(f"/admin/policies/village/{VILLAGE_A}").get_data(as_text=True)
    assert set(re.findall(r'data-source="([\w-]+)"', page)) == {"built-in"}
    assert f"{policies.BUILT_IN.daily_mb} MB" in page and "bawaan sistem" in page


def test_bad_policy_values_are_refused_in_indonesian(app, make_admin):
    client = _regency(app, make_admin)
    for data, message in (
        ({"daily_mb": "-1"}, "Isi 0 (tanpa batas) atau lebih."),
        ({"daily_mb": "banyak"}, "Isi dengan bilangan bulat"),
        ({"idle_minutes": "0"}, "Isi paling sedikit 1 menit."),
        ({"rate_limit": "cepat"}, "Tulis kecepatan seperti di MikroTik"),
        ({"throttle_rate": '1M"; /system reset'}, "Tulis kecepatan seperti di MikroTik"),
        ({"on_exhausted": "ignore"}, "Pilih dari daftar."),
        ({"rate_limit": "1M/2M " * 20}, "Tulis kecepatan seperti di MikroTik"),
    ):
        response = post(client, "/admin/policies/regency/64.01", {**EMPTY, **data})
        assert response.status_code == 422 and message in response.text, data
    assert set(_effective(app, VILLAGE_A).sources.values()) == {"built-in"}


def test_another_regency_is_not_found(app, make_admin):
    client = _regency(app, make_admin)
    paths = ("/admin/policies/regency/64.02", f"/admin/policies/village/{OTHER_REGENCY_VILLAGE}",
             "/admin/policies/regency/64", "/admin/policies/regency/99.99")  # fmt: skip
    for path in paths:
        assert client.get(path).status_code == 404, path
    refused = post(client, "/admin/policies/regency/64.02", {**EMPTY, "daily_mb": "1"})
    assert refused.status_code == 404
    assert post(client, f"/admin/policies/village/{OTHER_REGENCY_VILLAGE}",
                {**EMPTY, "daily_mb": "1"}).status_code == 404  # fmt: skip
    assert _effective(app, OTHER_REGENCY_VILLAGE).policy == policies.BUILT_IN


def test_village_admin_sees_the_policy_but_cannot_change_it(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("operator"))
    page = client.get(f"/admin/policies/village/{VILLAGE_A}").get_data(as_text=True)
    assert 'data-testid="effective-policy"' in page
    assert '<form method="post" class="card"' not in page
    assert post(client, f"/admin/policies/village/{VILLAGE_A}",
                {**EMPTY, "daily_mb": "1"}).status_code == 403  # fmt: skip
    assert client.get("/admin/policies/regency/64.01").status_code == 403
    assert client.get(f"/admin/policies/village/{VILLAGE_B}").status_code == 404
    overview = client.get("/admin/policies").get_data(as_text=True)
    assert VILLAGE_A in overview and VILLAGE_B not in overview


def test_province_admin_sets_any_regency_of_the_province(app, make_admin):
    client = app.test_client()
    log_in(client, make_admin("prov", "province", "64"))
    overview = client.get("/admin/policies").get_data(as_text=True)
    assert 'data-regency="64.01"' in overview and 'data-regency="64.02"' in overview
    fibre = {k: "" if v is None else str(v) for k, v in preset("fibre").items()}
    assert post(client, "/admin/policies/regency/64.02", {**EMPTY, **fibre}).status_code == 302
    assert _effective(app, OTHER_REGENCY_VILLAGE).policy.daily_mb == 2000


def test_policy_change_without_csrf_is_refused(app, make_admin):
    client = _regency(app, make_admin)
    response = client.post("/admin/policies/regency/64.01", data={**EMPTY, "daily_mb": "1"})
    assert response.status_code == 400
    assert _effective(app, VILLAGE_A).policy == policies.BUILT_IN
