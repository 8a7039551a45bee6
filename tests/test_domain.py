"""Domain functions without HTTP: villages, gateways, admins, tokens, the demo seed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portal import demo
from portal.domain.accounts import tokens
from portal.domain.accounts.admins import hash_password, password_matches
from portal.domain.errors import DomainError
from portal.domain.network import gateways, villages
from portal.models import (
    AdminUser,
    Announcement,
    AuditEntry,
    Gateway,
    Policy,
    TermsVersion,
    Village,
)
from tests.conftest import row_count


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Batu Kajang", "batu-kajang"), ("Sungai Tuak (Baru)", "sungai-tuak-baru"), ("—", "desa")],
)
def test_slugify(name: str, slug: str) -> None:
    assert villages.slugify(name) == slug


def test_slugs_stay_unique(db_session: Session, make_village: Callable[..., Village]) -> None:
    make_village("64.01.01.2009")

    assert villages.unique_slug(db_session, "Samurangau") == "samurangau-2"
    assert villages.unique_slug(db_session, "Busui") == "busui"


def test_every_domain_refusal_is_a_domain_error() -> None:
    with pytest.raises(DomainError):
        gateways.normalize_address("not-an-address")
    with pytest.raises(DomainError):
        gateways.validate_secret("x" * 23)


def test_generated_secrets_are_long_and_distinct() -> None:
    secrets = {gateways.generate_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(secret) >= 24 and secret.isalnum() for secret in secrets)


def test_addresses_are_canonical() -> None:
    assert gateways.normalize_address(" 10.8.0.0/24 ") == "10.8.0.0/24"
    assert gateways.normalize_address("2001:DB8::1") == "2001:db8::1"


def test_password_hashes_are_argon2id_and_verify() -> None:
    hashed = hash_password("kata-sandi-panjang")

    assert hashed.startswith("$argon2id$")
    assert password_matches(hashed, "kata-sandi-panjang")
    assert not password_matches(hashed, "kata-sandi-salah")
    assert not password_matches("not a hash", "kata-sandi-panjang")


def test_find_token(db_session: Session, now: datetime) -> None:
    created = tokens.create_token(db_session, scope="64.01", now=now)

    assert tokens.find_token(db_session, created.token) is created.record
    assert tokens.find_token(db_session, created.token + "x") is None


def _counts(session: Session) -> dict[str, int]:
    models = (Village, Gateway, Policy, TermsVersion, Announcement, AdminUser)
    return {model.__name__: row_count(session, model) for model in models}


def test_demo_seed_is_idempotent(db_session: Session, now: datetime) -> None:
    first = demo.seed_demo(db_session, now=now)
    db_session.commit()
    counts = _counts(db_session)
    second = demo.seed_demo(db_session, now=now)
    db_session.commit()

    assert counts == {
        "Village": 3,
        "Gateway": 3,
        "Policy": 1,
        "TermsVersion": 1,
        "Announcement": 9,
        "AdminUser": 2,
    }
    assert _counts(db_session) == counts
    assert [g.secret for g in second.gateways] == [g.secret for g in first.gateways]
    for old, new in zip(first.admins, second.admins, strict=True):
        assert old.password != new.password
        admin = db_session.query(AdminUser).filter_by(username=new.username).one()
        assert password_matches(admin.password_hash, new.password)
    assert row_count(db_session, AuditEntry) > 0


def test_demo_content_is_plain_and_escaped(db_session: Session, now: datetime) -> None:
    demo.seed_demo(db_session, now=now)

    terms = db_session.query(TermsVersion).one()
    assert 3 <= len(terms.summary.splitlines()) <= 5
    pinned = db_session.query(Announcement).filter_by(pinned=True).all()
    assert len(pinned) == 3
    categories = {a.category for a in db_session.query(Announcement)}
    assert {"pengumuman", "agenda", "kesehatan"} <= categories
    # Written as an admin writes them: Markdown the console can edit, HTML for residents.
    for note in db_session.query(Announcement):
        assert "<" not in note.body_markdown and "\n\n" in note.body_markdown
        assert note.body_html.count("<p>") == 2


@given(st.text(max_size=200))
def test_slugs_are_always_url_safe(name: str) -> None:
    slug = villages.slugify(name)

    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 70


@given(st.ip_addresses().filter(lambda address: not address.is_unspecified))
def test_any_ip_address_is_accepted_in_canonical_form(address: IPv4Address | IPv6Address) -> None:
    assert gateways.normalize_address(str(address)) == str(address)


@pytest.mark.parametrize(
    "wildcard",
    ["0.0.0.0", "0.0.0.0/0", "::", "::/0", "10.0.0.0/7", "2001::/31"],  # noqa: S104 (refused)
)
def test_a_gateway_source_any_sender_could_claim_is_refused(wildcard: str) -> None:
    """AT-05: a wildcard source would make every packet a known client's."""
    with pytest.raises(gateways.InvalidGateway, match="any sender"):
        gateways.normalize_address(wildcard)
    assert gateways.normalize_address("10.0.0.0/8") == "10.0.0.0/8"
    assert gateways.normalize_address("10.8.0.2/32") == "10.8.0.2"


@given(st.text(max_size=40))
def test_nas_identifiers_are_url_safe_or_refused(text: str) -> None:
    try:
        accepted = gateways.validate_nas_identifier(text)
    except DomainError:
        return
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", accepted)
