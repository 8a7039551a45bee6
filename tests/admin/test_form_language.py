"""Form errors in the console's language: Bahasa Indonesia first, English when chosen.

Both kinds of error are checked: WTForms' own validator messages (written in English by
WTForms) and the domain's refusals, which carry a reason code and parameters that
`portal.messages.refusal` puts into words.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from portal import messages
from portal.domain.network import gateways, regions
from portal.domain.reporting import reports
from tests.admin.conftest import VILLAGE_A, post

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def errors_of(response) -> list[str]:
    page = response.get_data(as_text=True)
    return [html.unescape(text) for text in re.findall(r'class="error"[^>]*>([^<]+)<', page)]


def gateway_form(**changes: str) -> dict[str, str]:
    values = {
        "village": VILLAGE_A,
        "nas_identifier": "gw-baru",
        "source_address": "10.8.0.9",
        "hotspot_host": "10.5.50.1",
        "coa_port": "3799",
        "require_message_authenticator": "y",
    }
    return {**values, **changes}


@pytest.fixture
def officer(app, make_admin, login):
    client = app.test_client()
    login(client, make_admin("kab", "regency", "64.01"))
    return client


def test_a_bad_address_is_refused_in_indonesian_then_in_english(officer):
    response = post(officer, "/admin/gateways/new", gateway_form(source_address="10.8.0.999"))
    assert response.status_code == 200
    assert errors_of(response) == [
        "'10.8.0.999' bukan alamat IP atau jaringan (contoh: 10.8.0.2 atau 10.8.0.0/24)."
    ]
    officer.set_cookie("lang", "en")
    response = post(officer, "/admin/gateways/new", gateway_form(source_address="10.8.0.999"))
    assert errors_of(response) == [
        "'10.8.0.999' is not an IP address or network (e.g. 10.8.0.2 or 10.8.0.0/24)."
    ]


def test_a_bad_nas_identifier_and_a_missing_field_are_in_indonesian(officer):
    response = post(
        officer, "/admin/gateways/new", gateway_form(nas_identifier="gw baru!", hotspot_host="")
    )
    found = errors_of(response)
    assert "Wajib diisi." in found
    assert not any("required" in text or "letters, digits" in text for text in found)
    response = post(officer, "/admin/gateways/new", gateway_form(nas_identifier="gw baru!"))
    assert errors_of(response) == [
        "NAS-Identifier hanya boleh huruf, angka, '.', '_' atau '-' (maks. 64)."
    ]


def test_validator_ranges_are_in_indonesian(officer):
    response = post(officer, "/admin/vouchers", {"village": VILLAGE_A, "count": "0",
                                                 "valid_days": "x", "layout": "a4"})  # fmt: skip
    found = errors_of(response)
    assert "Angka harus antara 1 dan 500." in found
    assert "Harus bilangan bulat." in found
    officer.set_cookie("lang", "en")
    response = post(officer, "/admin/vouchers", {"village": VILLAGE_A, "count": "0",
                                                 "valid_days": "7", "layout": "a4"})  # fmt: skip
    assert errors_of(response) == ["Number must be between 1 and 500."]


def test_a_bad_username_and_scope_are_refused_in_indonesian(officer):
    response = post(
        officer, "/admin/users", {"username": "Siti Aminah", "role": "village", "scope": VILLAGE_A}
    )
    assert errors_of(response) == [
        "Nama pengguna harus 3–64 huruf kecil, angka, '.', '_' atau '-'."
    ]
    response = post(officer, "/admin/users", {"username": "siti", "role": "village",
                                              "scope": "64.01.01.9999"})  # fmt: skip
    assert errors_of(response) == [
        "64.01.01.9999 tidak ada dalam daftar resmi Kemendagri (edisi 2025)."
    ]


def test_every_reason_code_the_domain_raises_has_words():
    raised = set()
    for path in PORTAL.rglob("*.py"):
        raised |= set(re.findall(r'\bcode="([a-z-]+)"', path.read_text(encoding="utf-8")))
    assert raised - set(messages.REFUSALS) == set()
    assert len(raised) >= 30


def test_refusal_fills_in_the_parameters_in_both_languages():
    with pytest.raises(gateways.InvalidGateway) as caught:
        gateways.normalize_address("0.0.0.0/0")
    assert caught.value.code == "address-too-wide"
    assert messages.refusal(caught.value) == (
        "0.0.0.0/0 akan menerima pengirim mana pun; isi alamat router atau jaringan paling luas /8."
    )
    assert "would accept any sender" in messages.refusal(caught.value, "en")
    with pytest.raises(reports.InvalidReportRequest) as caught:
        reports.check_range(reports.date(2026, 1, 2), reports.date(2026, 1, 1), "day")
    assert messages.refusal(caught.value) == "Tanggal akhir sebelum tanggal awal."
    with pytest.raises(regions.UnknownRegion) as caught:
        regions.lookup("xx")
    assert messages.refusal(caught.value, "en").startswith("'xx' is not a region code")


def test_words_missing_a_parameter_fall_back_to_a_general_sentence():
    error = gateways.InvalidGateway("source_address", "x", code="address-invalid")
    assert messages.refusal(error) == "Isian ini tidak dapat diterima."
