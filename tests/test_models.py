"""Constraints live in the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.models import AdminUser, Gateway, Policy, Village


def _gateway(village: Village, now: datetime, **values: object) -> Gateway:
    fields: dict[str, object] = {
        "village_kode": village.kode,
        "nas_identifier": "desa-samurangau",
        "source_address": "10.8.0.2",
        "secret": "s" * 24,
        "heartbeat_token": "h" * 32,
        "created_at": now,
        "updated_at": now,
    }
    fields.update(values)
    return Gateway(**fields)


def _refused(session: Session, row: object) -> None:
    session.add(row)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_duplicate_nas_identifier_at_one_address_is_refused(
    db_session: Session, make_village: Callable[..., Village], now: datetime
) -> None:
    village = make_village()
    db_session.add(_gateway(village, now))
    db_session.commit()

    _refused(db_session, _gateway(village, now))
    _refused(db_session, _gateway(village, now, source_address="10.8.0.3"))


def test_gateway_secret_and_port_are_checked(
    db_session: Session, make_village: Callable[..., Village], now: datetime
) -> None:
    village = make_village()

    _refused(db_session, _gateway(village, now, secret="short"))
    _refused(db_session, _gateway(village, now, coa_port=70000))


def test_gateway_needs_an_existing_village(db_session: Session, now: datetime) -> None:
    orphan = Village(kode="64.01.01.2010")
    _refused(db_session, _gateway(orphan, now))


@pytest.mark.parametrize(
    ("role", "scope"),
    [("mayor", "64.01"), ("village", "64.01"), ("regency", "64"), ("province", "64.01")],
)
def test_admin_role_must_match_scope(
    db_session: Session, now: datetime, role: str, scope: str
) -> None:
    admin = AdminUser(
        username="budi", password_hash="x", role=role, scope_kode=scope, created_at=now
    )
    _refused(db_session, admin)


def test_admin_usernames_are_unique(db_session: Session, now: datetime) -> None:
    for _ in range(2):
        db_session.add(
            AdminUser(
                username="budi",
                password_hash="x",
                role="regency",
                scope_kode="64.01",
                created_at=now,
            )
        )
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()
    db_session.rollback()


@pytest.mark.parametrize(
    "values",
    [
        {"daily_mb": -1},
        {"daily_minutes": -5},
        {"max_session_minutes": 0},
        {"idle_minutes": 0},
        {"interim_minutes": -1},
        {"on_exhausted": "maybe"},
    ],
)
def test_policy_checks(db_session: Session, now: datetime, values: dict[str, object]) -> None:
    _refused(db_session, Policy(scope_kode="64.01", updated_at=now, **values))


def test_village_checks(db_session: Session, now: datetime) -> None:
    fields = {
        "slug": "x",
        "name": "X",
        "district_name": "",
        "regency_name": "",
        "province_name": "",
        "ssid": "X",
        "created_at": now,
    }
    _refused(db_session, Village(kode="64.01.01.2009", timezone="UTC", **fields))
    _refused(db_session, Village(kode="64.01", timezone="WITA", **fields))
