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
from portal.domain.access import grants, vouchers
from portal.domain.network import policies
from portal.domain.pseudonyms import KeyRing
from portal.domain.usage.rollups import ensure_device_day
from portal.migrations import upgrade_database
from portal.models import DeviceDay, Gateway, TermsVersion, Village, Voucher, VoucherBatch
from portal.storage import make_engine, make_sessionmaker

NOW = datetime(2026, 11, 22, 15, 59, 30)  # naive UTC, as the server's clock gives it
MASTER_KEY = "fuzz-master-key-" + "0" * 48
VILLAGES = {
    "64.01.01.2009": ("Desa Sungai Terik", "Batu Sopang", "Kabupaten Paser", "WITA"),
    "15.01.01.2001": ("Desa Pulau Betung", "Pemayung", "Kabupaten Batang Hari", "WIB"),
}
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
    for kode, (name, district, regency, timezone) in VILLAGES.items():
        session.add(
            Village(
                kode=kode,
                slug=name.lower().replace(" ", "-"),
                name=name,
                district_name=district,
                regency_name=regency,
                province_name="Kalimantan Timur" if timezone == "WITA" else "Jambi",
                timezone=timezone,
                ssid="WiFi-Desa",
                created_at=NOW,
            )
        )
        terms = TermsVersion(
            scope_kode=kode[:5], version=1, summary="Bijak.", full_text="Bijak.", published_at=NOW
        )
        session.add(terms)
    session.flush()
    policies.set_policy(session, "64.01", now=NOW, daily_mb=100, daily_minutes=60)
    policies.set_policy(session, "64.01.01.2009", now=NOW, on_exhausted="throttle")
    policies.set_policy(session, "15.01", now=NOW, daily_mb=50, max_session_minutes=30)
    ring = KeyRing()
    for number, (nas, (kode, address, secret, require_ma)) in enumerate(GATEWAYS.items()):
        gateway = Gateway(
            village_kode=kode,
            nas_identifier=nas,
            source_address=address,
            secret=secret,
            coa_port=9,  # discard: nothing answers a quota Disconnect here
            require_message_authenticator=require_ma,
            heartbeat_token=f"{number:032x}",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(gateway)
        session.flush()
        catalogue.secrets[nas] = secret
        terms_id = session.query(TermsVersion.id).filter_by(scope_kode=kode[:5]).scalar()
        timezone = VILLAGES[kode][3]
        for n in range(GRANTS_PER_GATEWAY):
            mac = MACS[n % len(MACS)]
            day, device = ring.device_for_day(
                session, village_kode=kode, timezone=timezone, mac=mac, now=NOW
            )
            issued = grants.issue_grant(
                session,
                gateway=gateway,
                device=device,
                local_date=day,
                now=NOW,
                master_key=MASTER_KEY,
                terms_version_id=terms_id,
                username=f"wd-{number:02x}{n:014x}",
            )
            catalogue.grants.append(
                {"nas": nas, "user": issued.username, "password": issued.password, "mac": mac}
            )
        if address == "127.0.0.1":
            for mac in TERMS_MACS:
                day, device = ring.device_for_day(
                    session, village_kode=kode, timezone=timezone, mac=mac, now=NOW
                )
                ensure_device_day(session, village_kode=kode, day=day, device=device)
                session.get(DeviceDay, (kode, day, device)).terms_version_id = terms_id
    for kode in VILLAGES:
        _vouchers(session, kode, catalogue)


def _vouchers(session, kode: str, catalogue: Catalogue) -> None:
    """Voucher batches with fixed codes (create_batch draws random ones)."""
    for label, codes in VOUCHER_CODES.items():
        created = NOW - timedelta(days=10 if label == "kedaluwarsa" else 0)
        batch = VoucherBatch(
            village_kode=kode,
            label=label,
            valid_days=7,
            daily_mb=1,
            total_minutes=30,
            created_at=created,
            expires_at=created + timedelta(days=7),
            voided_at=NOW if label == "dibatalkan" else None,
        )
        session.add(batch)
        session.flush()
        for serial, code in enumerate(codes, start=1):
            # one code per village: the hash is unique, so each village gets its variant
            village_code = code[:-1] + ("2" if kode.startswith("64") else "3")
            session.add(
                Voucher(
                    batch_id=batch.id,
                    serial=serial,
                    code_hash=vouchers.code_hash(MASTER_KEY, village_code),
                )
            )
            catalogue.vouchers[village_code] = kode
    session.flush()
