"""Domain: which terms apply, counting acceptances, and the bulletin's window and order."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from portal.config import utcnow
from portal.database import db
from portal.domain.access import acceptance
from portal.domain.content import announcements, terms
from portal.domain.usage import rollups
from portal.models import (
    Announcement,
    DeviceDay,
    TermsAcceptance,
    TermsVersion,
    UsageDaily,
    UsageHourly,
    Village,
)
from tests.splash.conftest import World


def test_current_terms_prefer_the_regency_then_the_province(portal_app: Flask, world: World):
    now = utcnow()
    with portal_app.app_context():
        session = db.session
        village = session.get(Village, world.village_kode)
        assert terms.current_terms(session, village).id == world.terms_id
        session.add(
            TermsVersion(scope_kode="64", version=9, summary="a", full_text="b", published_at=now)
        )
        session.add(
            TermsVersion(
                scope_kode="64.01",
                version=2,
                summary="Satu\n- Dua\n\n• Tiga",
                full_text="…",
                published_at=now,
            )
        )
        session.flush()
        newest = terms.current_terms(session, village)
        assert (newest.scope_kode, newest.version) == ("64.01", 2)
        assert terms.summary_points(newest.summary) == ["Satu", "Dua", "Tiga"]
        session.execute(sa.delete(TermsVersion).where(TermsVersion.scope_kode == "64.01"))
        assert terms.current_terms(session, village).scope_kode == "64"
        session.rollback()


def test_summary_shows_at_most_five_points() -> None:
    version = TermsVersion(summary="\n".join(str(n) for n in range(8)))
    assert terms.summary_points(version.summary) == ["0", "1", "2", "3", "4"]


def test_acceptances_count_once_a_device_is_online_by_village_day_and_hour(
    portal_app: Flask, world: World
):
    day = date(2026, 11, 22)
    nine, ten = datetime(2026, 11, 22, 1, 5), datetime(2026, 11, 22, 2, 5)  # 09.05, 10.05 WITA
    with portal_app.app_context():
        session = db.session
        for device in ("d1", "d2", "d1", "d3"):  # d3 accepts and never comes online
            acceptance.record_acceptance(
                session, village_kode=world.village_kode, day=day, version_id=world.terms_id,
                device=device,
            )  # fmt: skip
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(TermsAcceptance)) == 0
        # first sessions: d1 and d2 at 09.05, d1's second session at 10.05
        for at, devices in ((nine, ("d1", "d2")), (ten, ("d1",))):
            usage = rollups.UsageBatch()
            for device in devices:
                usage.device_usage(world.village_kode, day, device, bytes_=1, seconds=1, sessions=1)
            usage.flush(session, {world.village_kode: "WITA"}, at)
        session.commit()
        assert session.scalar(sa.select(TermsAcceptance.count)) == 2
        assert session.scalar(sa.select(UsageDaily.terms_accepted)) == 2
        assert session.scalar(sa.select(UsageDaily.devices)) == 2
        rows = session.execute(sa.select(UsageHourly.local_hour, UsageHourly.terms_accepted))
        assert {hour: count for hour, count in rows} == {9: 2}
        rows = session.scalars(sa.select(DeviceDay).order_by(DeviceDay.device)).all()
        assert [(r.device, r.terms_version_id, r.sessions) for r in rows] == [
            ("d1", world.terms_id, 2),
            ("d2", world.terms_id, 1),
            ("d3", world.terms_id, 0),
        ]


def test_bulletin_window_and_order(portal_app: Flask, world: World) -> None:
    now = utcnow()
    with portal_app.app_context():
        session = db.session
        village = session.get(Village, world.village_kode)
        session.execute(sa.delete(Announcement))
        base = {"village_kode": village.kode, "created_at": now, "updated_at": now}
        session.add_all(
            [
                Announcement(title="old", **{**base, "created_at": now - timedelta(days=2)}),
                Announcement(title="new", **base),
                Announcement(
                    title="pinned-old",
                    pinned=True,
                    **{**base, "created_at": now - timedelta(days=3)},
                ),
                Announcement(
                    title="emergency",
                    emergency=True,
                    **{**base, "created_at": now - timedelta(days=9)},
                ),
                Announcement(
                    title="window",
                    starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(hours=1),
                    **base,
                ),
                Announcement(title="later", starts_at=now + timedelta(seconds=1), **base),
                Announcement(title="ended", ends_at=now, **base),
            ]
        )
        session.flush()
        shown = [
            a.title for a in announcements.current_announcements(session, village, now, limit=9)
        ]
        assert shown == ["emergency", "pinned-old", "new", "window", "old"]
        assert len(announcements.current_announcements(session, village, now)) == 5
        later = [
            a.title
            for a in announcements.current_announcements(
                session, village, now + timedelta(hours=2), limit=9
            )
        ]
        assert "later" in later and "window" not in later
        session.rollback()


def test_safe_html_keeps_text_and_drops_script() -> None:
    cleaned = announcements.safe_html(
        '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">a</a>'
        '<a href="https://desa.id">b</a><img src=x onerror=alert(1)></p>'
    )
    assert "script" not in cleaned and "onclick" not in cleaned and "<img" not in cleaned
    assert "javascript" not in cleaned and 'href="https://desa.id"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
