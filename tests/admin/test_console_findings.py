"""Findings of issue 14 in the console: the regency dashboard is titled with the
regency's name, and every report page leads back to the console."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from portal import create_app
from portal.config import Settings
from tests.admin.conftest import VILLAGE_A


def title_of(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1).strip()


def test_the_regency_dashboard_is_titled_with_the_regency_name(app, make_admin, login):
    client = app.test_client()
    login(client, make_admin("kab", "regency", "64.01"))
    page = client.get("/admin/").get_data(as_text=True)
    assert title_of(page) == "Kabupaten Paser"
    assert "<title>Kabupaten Paser · Wifi Desa</title>" in page


def test_the_province_dashboard_is_titled_with_the_province_name(app, make_admin, login):
    client = app.test_client()
    login(client, make_admin("prov", "province", "64"))
    assert title_of(client.get("/admin/").get_data(as_text=True)) == "Kalimantan Timur"


def report_paths() -> list[str]:
    app = create_app(Settings(secret_key="only-for-listing-routes"))
    return sorted(
        rule.rule.replace("<kode>", VILLAGE_A)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("reports.") and "GET" in rule.methods
    )


@pytest.mark.parametrize("path", report_paths())
def test_every_report_page_links_back_to_the_console(app: Flask, make_admin, login, path):
    client = app.test_client()
    login(client, make_admin("kab", "regency", "64.01"))
    # (the export download without parameters answers with a redirect to its form)
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="to-console"', page)
    assert link, path
    assert client.get(link.group(1)).status_code == 200
