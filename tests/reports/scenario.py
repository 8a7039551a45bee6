"""A WITA village and a WIB village around a local midnight, with hand-computed figures.

16:00 UTC on 20 November is midnight in WITA (Samurangau, Kabupaten Paser) and 17:00
UTC is midnight in WIB (Lempur Tengah, Kabupaten Kerinci), so the same UTC hour lands
on different local days in the two villages.
"""

from __future__ import annotations

from datetime import date, datetime

from tests.reports.feed import Played, feed

WITA_VILLAGE = "64.01.01.2009"  # Samurangau, Batu Sopang, Paser (WITA, UTC+8)
WIB_VILLAGE = "15.01.01.1004"  # Lempur Tengah, Gunung Raya, Kerinci (WIB, UTC+7)
DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)
MAC_A, MAC_B = "aa:00:00:00:00:01", "aa:00:00:00:00:02"
MAC_C, MAC_D = "cc:00:00:00:00:03", "cc:00:00:00:00:04"
#: 13.00 WITA and 12.00 WIB on DAY2.
NOW = datetime(2026, 11, 21, 5, 0)

# Hand-computed from the sessions in `load` (see the comments there).
EXPECTED_DAILY = {
    (WITA_VILLAGE, DAY1): dict(sessions=1, devices=1, bytes_down=1_000_000, bytes_up=200_000,
                               seconds_online=1200, peak_concurrent=1, terms_accepted=1,
                               vouchers_redeemed=0, quota_refusals=0),
    (WITA_VILLAGE, DAY2): dict(sessions=3, devices=2, bytes_down=10_000_000, bytes_up=1_600_000,
                               seconds_online=7800, peak_concurrent=2, terms_accepted=2,
                               vouchers_redeemed=1, quota_refusals=0),
    (WIB_VILLAGE, DAY1): dict(sessions=1, devices=1, bytes_down=4_000_000, bytes_up=400_000,
                              seconds_online=2700, peak_concurrent=1, terms_accepted=1,
                              vouchers_redeemed=0, quota_refusals=0),
    (WIB_VILLAGE, DAY2): dict(sessions=2, devices=2, bytes_down=1_500_000, bytes_up=100_000,
                              seconds_online=1200, peak_concurrent=2, terms_accepted=2,
                              vouchers_redeemed=0, quota_refusals=3),
}  # fmt: skip
EXPECTED_HOURLY_WITA = {
    (DAY1, 23): dict(sessions=1, devices=1, bytes_down=1_000_000, seconds_online=1200),
    (DAY2, 0): dict(sessions=2, devices=2, bytes_down=5_000_000, seconds_online=2400),
    (DAY2, 10): dict(sessions=1, devices=1, bytes_down=5_000_000, seconds_online=5400),
}
#: Buckets heard in the 24 hours before NOW: 4 (session a) + 6 (b, c inside it) + 18 (d).
WITA_UPTIME = 100 * 28 / 288
#: Session lengths of WITA_VILLAGE: 20, 30, 10 and 90 minutes.
WITA_LENGTHS = [0, 1, 1, 1, 1, 0]


def load(session, make_village, make_gateway) -> dict:
    """Register both villages and their gateways and feed the sessions; returns the gateways."""
    paser = make_gateway(make_village(WITA_VILLAGE), "paser-1", last_seen_at=NOW)
    kerinci = make_gateway(
        make_village(WIB_VILLAGE), "kerinci-1", last_seen_at=datetime(2026, 11, 21, 3, 0)
    )
    played = [
        # a: 23.50 WITA on DAY1, 20 min, device A
        Played(paser, MAC_A, datetime(2026, 11, 20, 15, 50), 20, 1_000_000, 200_000),
        # b: 00.10 WITA on DAY2, 30 min, device B
        Played(paser, MAC_B, datetime(2026, 11, 20, 16, 10), 30, 3_000_000, 500_000),
        # c: 00.20 WITA on DAY2, 10 min, device A again (overlaps b: peak 2)
        Played(paser, MAC_A, datetime(2026, 11, 20, 16, 20), 10, 2_000_000, 100_000),
        # d: 10.00 WITA on DAY2, 90 min, device A with a voucher
        Played(paser, MAC_A, datetime(2026, 11, 21, 2, 0), 90, 5_000_000, 1_000_000, True),
        # e: 23.30 WIB on DAY1, 45 min, device C
        Played(kerinci, MAC_C, datetime(2026, 11, 20, 16, 30), 45, 4_000_000, 400_000),
        # f: 00.30 WIB on DAY2, 15 min, device C again
        Played(kerinci, MAC_C, datetime(2026, 11, 20, 17, 30), 15, 1_000_000, 50_000),
        # g: 00.40 WIB on DAY2, 5 min, device D (overlaps f: peak 2)
        Played(kerinci, MAC_D, datetime(2026, 11, 20, 17, 40), 5, 500_000, 50_000),
    ]  # fmt: skip
    feed(session, played, refusals={(WIB_VILLAGE, DAY2, 0): 3})
    return {"paser": paser, "kerinci": kerinci}
