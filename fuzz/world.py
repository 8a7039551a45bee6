"""The fuzzers' world: a real, migrated database with villages, gateways, a policy,
terms, grants, vouchers and MAC logins, and the catalogue of what is valid in it.

Everything is fixed (secrets, usernames, voucher codes, MACs, the instant), so the
committed seed corpus stays valid for every freshly prepared world. The instant is
23:59:30 in WITA: quota days are about to end, which is where time limits bite.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from portal import create_app
from portal.config import Settings
from portal.domain.access import vouchers
from portal.migrations import upgrade_database
from portal.storage import make_engine, make_sessionmaker
from portal.world import World

NOW = datetime(2026, 11, 22, 15, 59, 30)  # naive UTC, as the server's clock gives it
MASTER_KEY = "fuzz-master-key-" + "0" * 48
#: Samurangau (Paser, WITA) and Selam Paung (Kerinci, WIB), as the official list has them.
VILLAGES = {"64.01.01.2009": "WITA", "15.01.01.2001": "WIB"}
# nas-id: (village, source address, secret, require Message-Authenticator)
GATEWAYS = {
    "desa-sungai-terik": ("64.01.01.2009", "127.0.0.1", "s3cretSungaiTerik0123456789ab", True),
    "desa-pulau-betung": ("15.01.01.2001", "127.0.0.1", "PulauBetungSecret9876543210zz", False),
    "desa-jaringan": ("64.01.01.2009", "127.0.0.0/8", "JaringanNetSecret000111222333", True),
}
MACS = [f"02:00:00:00:00:{n:02X}" for n in range(1, 17)]
TERMS_MACS = MACS[:4]  # these accepted the terms today: login-by=mac lets them back in
GRANTS_PER_GATEWAY = 48
VOUCHER_CODES = {  # batch label: codes (daily 1 MB: they run out quickly)
    "aktif": ["ABCDE23456", "FGHJK34567", "MNPQR45678", "STUVW56789"],
    "kedaluwarsa": ["XYZAB67892"],
    "dibatalkan": ["CDEFG78923"],
}


@dataclass
class Catalogue:
    """What is valid in the world (written next to the database as catalogue.json)."""

    secrets: dict[str, str] = field(default_factory=dict)  # nas-id: secret
    grants: list[dict[str, str]] = field(default_factory=list)  # nas, user, password, mac
    vouchers: dict[str, str] = field(default_factory=dict)  # code: village
    macs: list[str] = field(default_factory=lambda: list(MACS))
    terms_macs: list[str] = field(default_factory=lambda: list(TERMS_MACS))

    def grant_passwords(self) -> dict[str, str]:
        return {g["user"]: g["password"] for g in self.grants}

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        return cls(**json.loads(path.read_text()))


def settings_for(workdir: Path, database_url: str = "") -> Settings:
    """Settings of a world in ``workdir`` (SQLite there unless ``database_url``)."""
    return Settings(
        data_dir=workdir, database_url=database_url, secret_key=MASTER_KEY, testing=True
    )


def prepare(workdir: Path, database_url: str = "") -> tuple[Settings, Catalogue]:
    """Create and fill the world's database once; returns its settings and catalogue.

    Raises sqlalchemy errors when the database cannot be reached or is not empty.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    settings = settings_for(workdir, database_url)
    upgrade_database(create_app(settings))
    engine = make_engine(settings)
    catalogue = Catalogue()
    try:
        with make_sessionmaker(engine)() as session:
            _fill(session, catalogue)
            session.commit()
    finally:
        engine.dispose()
    (workdir / "catalogue.json").write_text(json.dumps(asdict(catalogue)))
    return settings, catalogue


def _fill(session, catalogue: Catalogue) -> None:
    """The world through `portal.world.World`, with the corpus's fixed names and codes."""
    world = World(session, now=NOW, master_key=MASTER_KEY, actor="fuzz")
    for kode, timezone in VILLAGES.items():
        world.village(kode, timezone=timezone)
        world.terms(kode[:5])
    world.policy("64.01", daily_mb=100, daily_minutes=60)
    world.policy("64.01.01.2009", on_exhausted="throttle")
    world.policy("15.01", daily_mb=50, max_session_minutes=30)
    for number, (nas, (kode, address, secret, require_ma)) in enumerate(GATEWAYS.items()):
        gateway = world.gateway(
            kode, nas, address=address, secret=secret, require_message_authenticator=require_ma,
            coa_port=9,  # discard: nothing answers a quota Disconnect here
        )  # fmt: skip
        catalogue.secrets[nas] = secret
        for n in range(GRANTS_PER_GATEWAY):
            mac = MACS[n % len(MACS)]
            issued = world.grant(gateway, mac, username=f"wd-{number:02x}{n:014x}")
            catalogue.grants.append(
                {"nas": nas, "user": issued.username, "password": issued.password, "mac": mac}
            )
        if address == "127.0.0.1":
            for mac in TERMS_MACS:
                world.accept_terms(gateway, mac)
    for kode in VILLAGES:
        _vouchers(world, kode, catalogue)


def _vouchers(world: World, kode: str, catalogue: Catalogue) -> None:
    """Voucher batches with the corpus's fixed codes, one variant per village (the hash of
    a code is unique, so each village's codes end in its own digit)."""
    for label, codes in VOUCHER_CODES.items():
        created = NOW - timedelta(days=10 if label == "kedaluwarsa" else 0)
        village_codes = [code[:-1] + ("2" if kode.startswith("64") else "3") for code in codes]
        world.vouchers(
            kode, codes=village_codes, valid_days=7, created_at=created, daily_mb=1,
            total_minutes=30, label=label,
        )  # fmt: skip
        if label == "dibatalkan":
            vouchers.void_batch(world.session, world.batch_of(village_codes[0]), now=NOW)
        for code in village_codes:
            catalogue.vouchers[code] = kode
