"""What `wifidesa demo` prints: the TOTP set-up a regency admin is forced into, and
each gateway's RADIUS secret with where its router script is (the console's script
leaves the secret out unless it was just created there)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask

from portal.cli.demo import banner
from portal.database import db
from portal.demo import seed_demo
from portal.models import AdminUser, Gateway
from portal.web.router_script import SECRET_PLACEHOLDER
from tests.conftest import TEST_NOW


def seeded_banner(app: Flask, settings) -> str:
    with app.app_context():
        seed = seed_demo(db.session, now=TEST_NOW)
        db.session.commit()
        return banner(seed, settings, "http://127.0.0.1:8080", "127.0.0.1", 1812)


def test_the_banner_explains_the_forced_totp_set_up(app: Flask, settings) -> None:
    text = seeded_banner(app, settings)
    note = re.search(r"Two-step verification: (.*)", text)
    assert note, text
    assert "demo-paser" in note.group(1)
    assert "demo-samurangau" not in note.group(1)  # a village operator is not forced
    assert "6-digit code" in text and "oathtool --totp" in text


def test_every_start_sets_totp_up_again(app: Flask, settings) -> None:
    seeded_banner(app, settings)
    with app.app_context():
        paser = db.session.scalars(
            sa.select(AdminUser).where(AdminUser.username == "demo-paser")
        ).one()
        paser.totp_secret = "JBSWY3DPEHPK3PXP"  # enrolled by the tester last time
        db.session.commit()
    text = seeded_banner(app, settings)
    assert "Two-step verification: demo-paser" in text
    with app.app_context():
        paser = db.session.scalars(
            sa.select(AdminUser).where(AdminUser.username == "demo-paser")
        ).one()
        assert paser.totp_secret is None


def test_each_gateway_secret_and_where_to_get_its_script_are_printed(app: Flask, settings) -> None:
    text = seeded_banner(app, settings)
    with app.app_context():
        secrets = dict(db.session.execute(sa.select(Gateway.nas_identifier, Gateway.secret)).all())
    assert len(secrets) == 3
    for nas_id, secret in secrets.items():
        block = text[text.index(f"  {nas_id} (") :]
        assert f"RADIUS secret: {secret}" in block.split("\n\n")[0], nas_id
    assert SECRET_PLACEHOLDER in text
    assert "Unduh skrip RouterOS (.rsc)" in text and "Ganti rahasia" in text
