"""One world of villages, gateways, policies, admins, devices and vouchers, made through
the domain's own doors.

The tests' fixtures, the benchmarks, the fuzzers and the demo seed all build their data
here, so none of them copies another or drifts from what the domain allows: a village
comes from the official list by its code, a gateway passes the gateway rules (and gets a
generated secret unless one is given), an admin's password is hashed as a real one.
Labels (a village's name, a secret, a voucher's code) may be chosen where a test or a
fuzzer's fixed corpus needs them.

`World` only flushes; whoever made the session commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.domain import pseudonyms
from portal.domain.access import acceptance, grants, vouchers
from portal.domain.accounts import admins, tokens
from portal.domain.content import announcements, terms
from portal.domain.network import gateways, inventory, policies, regions, villages
from portal.domain.pseudonyms import KeyRing
from portal.domain.usage.rollups import UsageBatch
from portal.models import (
    AdminUser,
    Announcement,
    Gateway,
    Policy,
    TermsVersion,
    Village,
    Voucher,
    VoucherBatch,
)

INVENTORY_FIELDS = tuple(f.name for f in fields(inventory.Inventory))

TERMS_SUMMARY = "Gunakan internet dengan bijak.\nDilarang konten ilegal.\nKuota dibagi adil."


@dataclass(frozen=True)
class Device:
    """A phone at a village on one local day: its MAC (in memory only) and pseudonym."""

    mac: str
    village_kode: str
    day: date
    pseudonym: str


class World:
    """Factories over one session at the instant ``now`` (naive UTC), keyed by
    ``master_key`` (grants' passwords, voucher hashes), with one pseudonym key ring."""

    def __init__(
        self,
        session: Session,
        *,
        now: datetime,
        master_key: str,
        keyring: KeyRing | None = None,
        actor: str = "world",
    ) -> None:
        self.session, self.now, self.master_key = session, now, master_key
        self.keyring = keyring or KeyRing()
        #: Who the audit log names for what the world makes.
        self.actor = actor

    # -- places --------------------------------------------------------------------------

    def village(self, kode: str = "64.01.01.2009", **labels: Any) -> Village:
        """The village of ``kode``, set up from the official list when missing.

        ``labels`` may set ``timezone`` and ``ssid`` (checked by the domain) and
        ``name``, ``slug``, ``district_name``, ``regency_name`` (labels only).
        """
        existing = self.session.get(Village, regions.normalize_code(kode))
        if existing is not None:
            return existing
        village = villages.add_village(
            self.session, kode, now=self.now, timezone=labels.pop("timezone", None),
            ssid=labels.pop("ssid", None), actor=self.actor,
        )  # fmt: skip
        for name, value in labels.items():
            setattr(village, name, value)
        self.session.flush()
        return village

    def gateway(
        self,
        village: str = "64.01.01.2009",
        nas_identifier: str = "desa-gateway",
        *,
        address: str = "127.0.0.1",
        last_seen_at: datetime | None = None,
        **options: Any,
    ) -> Gateway:
        """A gateway of ``village`` (set up when missing). ``options`` are those of
        `gateways.add_gateway` (secret, hotspot_host, coa_port, …); the secret is
        generated unless given; inventory fields (provider, backhaul_class,
        contracted_mbps, programme, contract_end) go through `inventory.set_inventory`.
        ``last_seen_at`` says when it was last heard from."""
        self.village(village)
        stock = {k: options.pop(k) for k in INVENTORY_FIELDS if k in options}
        added = gateways.add_gateway(
            self.session, village_code=village, nas_identifier=nas_identifier, address=address,
            now=self.now, actor=self.actor, **options,
        )  # fmt: skip
        added.gateway.last_seen_at = last_seen_at
        if stock:
            inventory.set_inventory(
                self.session, added.gateway, inventory.Inventory(**stock), now=self.now,
                actor=self.actor,
            )  # fmt: skip
        self.session.flush()
        return added.gateway

    def policy(self, scope: str = "64.01", **values: Any) -> Policy:
        """Set fair-use limits for a regency or a village (see `policies.set_policy`)."""
        return policies.set_policy(self.session, scope, now=self.now, actor=self.actor, **values)

    def terms(
        self, scope: str = "64.01", summary: str = TERMS_SUMMARY, full_text: str = "",
        *, published_at: datetime | None = None,
    ) -> TermsVersion:  # fmt: skip
        """Publish the next terms version of a regency or province."""
        return terms.publish_terms(
            self.session, scope_kode=scope, summary=summary, full_text=full_text or summary,
            now=published_at or self.now,
        )  # fmt: skip

    def announcement(
        self, village: Village, title: str, body: str = "", *, at: datetime | None = None,
        **fields: Any,
    ) -> Announcement:  # fmt: skip
        """Post one announcement (``body`` in Markdown; HTML passes, sanitised)."""
        values = announcements.AnnouncementInput(title=title, body_markdown=body, **fields)
        (note,) = announcements.create_announcements(
            self.session, [village], values, now=at or self.now
        )
        return note

    # -- people ----------------------------------------------------------------------------

    def admin(
        self,
        username: str,
        role: str = "village",
        scope: str = "64.01.01.2009",
        *,
        password: str,
        totp_secret: str | None = None,
    ) -> AdminUser:
        """An administrator with this password (a village scope is set up when missing)."""
        if role == "village":
            self.village(scope)
        admin = admins.create_admin(
            self.session, username, role=role, scope=scope, password=password, now=self.now,
            actor=self.actor,
        )  # fmt: skip
        admin.totp_secret = totp_secret
        self.session.flush()
        return admin

    def token(self, scope: str, *, label: str = "") -> tokens.NewToken:
        """A bearer token of the reports API for an area (the value is in ``.token``)."""
        return tokens.create_token(
            self.session, scope=scope, now=self.now, label=label, actor=self.actor
        )

    # -- devices -----------------------------------------------------------------------------

    def device(self, village: Village | Gateway, mac: str, now: datetime | None = None) -> Device:
        """The phone with ``mac`` at the village (or the gateway's village) at ``now``."""
        kode = village.village_kode if isinstance(village, Gateway) else village.kode
        zone = self.session.get(Village, kode).timezone
        day, pseudonym = self.keyring.device_for_day(
            self.session, village_kode=kode, timezone=zone,
            mac=pseudonyms.normalize_mac(mac), now=now or self.now,
        )  # fmt: skip
        return Device(mac, kode, day, pseudonym)

    def accept_terms(self, gateway: Gateway, mac: str, now: datetime | None = None) -> Device:
        """The phone accepted the village's current terms (what a MAC login checks)."""
        found = self.device(gateway, mac, now)
        village = self.session.get(Village, gateway.village_kode)
        version = terms.current_terms(self.session, village)
        acceptance.record_acceptance(
            self.session, village_kode=found.village_kode, day=found.day,
            version_id=version.id if version else None, device=found.pseudonym,
        )  # fmt: skip
        return found

    def grant(
        self, gateway: Gateway, mac: str, now: datetime | None = None, **options: Any
    ) -> grants.IssuedGrant:
        """A one-time grant for the phone at ``gateway``, as the portal issues it after the
        terms were accepted (the current terms version is noted)."""
        found = self.device(gateway, mac, now)
        village = self.session.get(Village, gateway.village_kode)
        version = terms.current_terms(self.session, village)
        options.setdefault("terms_version_id", version.id if version else None)
        return grants.issue_grant(
            self.session, gateway=gateway, device=found.pseudonym, local_date=found.day,
            now=now or self.now, master_key=self.master_key, **options,
        )  # fmt: skip

    def use(
        self, village: Village | Gateway, mac: str, *, bytes_: int = 0, seconds: int = 0,
        sessions: int = 0, now: datetime | None = None,
    ) -> Device:  # fmt: skip
        """Add usage to the phone's day counters, as accounting would; ``sessions`` > 0
        is a session seen, which makes a device with none yet one of the day's users."""
        found = self.device(village, mac, now)
        zone = self.session.get(Village, found.village_kode).timezone
        batch = UsageBatch()
        batch.device_usage(
            found.village_kode, found.day, found.pseudonym, bytes_=bytes_, seconds=seconds,
            sessions=sessions,
        )  # fmt: skip
        batch.flush(self.session, {found.village_kode: zone}, now or self.now)
        return found

    # -- vouchers ------------------------------------------------------------------------------

    def vouchers(
        self, village: str = "64.01.01.2009", count: int = 1, *, codes: Iterable[str] = (),
        valid_days: int = 7, created_at: datetime | None = None, **allowance: Any,
    ) -> list[str]:  # fmt: skip
        """A batch of vouchers and their plain codes; ``codes`` chooses them (a fixed
        corpus), else they are drawn at random. ``allowance``: daily_mb, total_minutes …"""
        chosen = [vouchers.normalize_code(code) or code for code in codes]
        batch, drawn = vouchers.create_batch(
            self.session, village_kode=regions.normalize_code(village),
            count=len(chosen) or count, valid_days=valid_days, now=created_at or self.now,
            master_key=self.master_key, **allowance,
        )  # fmt: skip
        if not chosen:
            return drawn
        for voucher, code in zip(sorted(batch.vouchers, key=_serial), chosen, strict=True):
            voucher.code_hash = vouchers.code_hash(self.master_key, code)
        self.session.flush()
        return chosen

    def batch_of(self, code: str) -> VoucherBatch:
        """The batch a voucher code belongs to."""
        digest = vouchers.code_hash(self.master_key, vouchers.normalize_code(code) or code)
        voucher = self.session.query(Voucher).filter_by(code_hash=digest).one()
        return voucher.batch


def _serial(voucher: Voucher) -> int:
    return voucher.serial
