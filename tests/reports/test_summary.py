"""The daily summary text per regency."""

from __future__ import annotations

from datetime import datetime

from portal.web.summary import daily_summaries
from tests.reports import scenario
from tests.reports.feed import Played, feed


def test_summary_counts_active_villages_down_gateways_users_and_data(
    session, make_village, make_gateway
):
    gateways = scenario.load(session, make_village, make_gateway)
    busui = make_village("64.01.01.2010")
    make_gateway(busui, "busui-1", last_seen_at=datetime(2026, 11, 20, 1, 0))
    legai = make_gateway(make_village("64.01.01.2012"), "legai-1", last_seen_at=scenario.NOW)
    big = [Played(legai, f"02:00:00:00:00:{n:02x}", datetime(2026, 11, 21, 1, n), 10,
                  100_000_000_000, 0) for n in range(3)]  # fmt: skip
    feed(session, big)
    assert gateways  # Samurangau: 2 users and 11,6 MB on 21/11 (WITA)
    (paser,) = daily_summaries(session, "64", scenario.NOW)
    assert paser.name == "Kabupaten Paser"
    assert paser.text == (
        "Kabupaten Paser · Sabtu 21/11/2026 pukul 13.00 WITA\n"
        "Hari ini: 2 desa aktif, 1 gateway mati (Busui), 5 pengguna, 300 GB"
    )


def test_summary_page_shows_one_block_per_regency(client, session, make_village, make_gateway,
                                                  make_admin, login):  # fmt: skip
    scenario.load(session, make_village, make_gateway)
    make_village("64.02.01.2001")  # another regency of the province
    login(make_admin("province", "64"))
    page = client.get("/reports/ringkasan").get_data(as_text=True)
    assert page.count('<pre class="summary">') == 2
    assert "0 gateway mati" in page
