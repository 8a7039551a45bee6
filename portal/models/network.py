"""Villages, their gateways (MikroTik routers) and fair-use policies."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.storage import Base

KODE = sa.String(13)


class Village(Base):
    """A desa or kelurahan served by at least one hotspot, keyed by its kode wilayah."""

    __tablename__ = "village"

    kode: Mapped[str] = mapped_column(KODE, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    district_name: Mapped[str] = mapped_column(sa.String(120))
    regency_name: Mapped[str] = mapped_column(sa.String(120))
    province_name: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(4))
    ssid: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime]

    gateways: Mapped[list[Gateway]] = relationship(back_populates="village")

    __table_args__ = (
        sa.CheckConstraint("timezone IN ('WIB', 'WITA', 'WIT')", name="timezone"),
        sa.CheckConstraint("length(kode) = 13", name="kode_is_village"),
    )

    @property
    def regency_kode(self) -> str:
        return self.kode[:5]

    @property
    def district_kode(self) -> str:
        return self.kode[:8]


class Gateway(Base):
    """A MikroTik router acting as RADIUS client (NAS) for one village hotspot.

    A gateway is identified by its source address plus NAS-Identifier: several routers
    may share one address (carrier NAT, a VPN concentrator, the demo on 127.0.0.1).
    The NAS-Identifier alone also names the gateway in the portal's URLs, so it is unique.
    """

    __tablename__ = "gateway"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), index=True)
    nas_identifier: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: An address (10.8.0.2) or a network (10.8.0.0/24) packets may come from.
    source_address: Mapped[str] = mapped_column(sa.String(64))
    secret: Mapped[str] = mapped_column(sa.String(128))
    coa_port: Mapped[int] = mapped_column(default=3799)
    require_message_authenticator: Mapped[bool] = mapped_column(default=True)
    #: The router's hotspot address or DNS name, as it appears in link-login-only.
    hotspot_host: Mapped[str | None] = mapped_column(sa.String(253))
    heartbeat_token: Mapped[str] = mapped_column(sa.String(64))
    last_seen_at: Mapped[datetime | None]
    #: Where residents' login page lives: ``router`` (files in the router's hotspot
    #: directory, no satellite round trip) or ``portal`` (the central splash).
    splash_location: Mapped[str] = mapped_column(sa.String(8), default="router")
    #: Inventory: who connects the village, over what, paid by whom and until when.
    provider: Mapped[str | None] = mapped_column(sa.String(80))
    #: ``satellite``, ``radio`` or ``fibre`` (BACKHAUL_CLASSES in the domain).
    backhaul_class: Mapped[str | None] = mapped_column(sa.String(10))
    contracted_mbps: Mapped[int | None]
    #: The programme or funder, e.g. GratisPol, Dumisake, BAKTI, Dana Desa.
    programme: Mapped[str | None] = mapped_column(sa.String(80))
    contract_end: Mapped[date | None]
    #: The version of its router pages the gateway last said it holds (heartbeat
    #: ``pages=``), the version it last fetched with its token, and when.
    pages_held: Mapped[str | None] = mapped_column(sa.String(16))
    pages_fetched: Mapped[str | None] = mapped_column(sa.String(16))
    pages_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    village: Mapped[Village] = relationship(back_populates="gateways")

    __table_args__ = (
        sa.UniqueConstraint("source_address", "nas_identifier"),
        sa.CheckConstraint("coa_port BETWEEN 1 AND 65535", name="coa_port"),
        sa.CheckConstraint("length(secret) >= 16", name="secret_length"),
        sa.CheckConstraint("splash_location IN ('router', 'portal')", name="splash_location"),
        sa.CheckConstraint(
            "backhaul_class IS NULL OR backhaul_class IN ('satellite', 'radio', 'fibre')",
            name="backhaul_class",
        ),
        sa.CheckConstraint(
            "contracted_mbps IS NULL OR contracted_mbps > 0", name="contracted_mbps"
        ),
    )


class GatewayUptime(Base):
    """One row per gateway per 5-minute bucket in which it was heard from."""

    __tablename__ = "gateway_uptime"

    gateway_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gateway.id", ondelete="CASCADE"), primary_key=True
    )
    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)


class GatewayOutage(Base):
    """A time the router could not reach the central RADIUS server, as the router
    reported it after recovery, with the emergency use it allowed meanwhile.

    Keyed by gateway and the router's own outage id, so a report sent twice counts once.
    Counts only: how many emergency logins, seconds and bytes — no device, MAC or IP.
    """

    __tablename__ = "gateway_outage"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[int] = mapped_column(sa.ForeignKey("gateway.id", ondelete="CASCADE"))
    outage_key: Mapped[str] = mapped_column(sa.String(64))
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"))
    #: The village's local day the outage started on (the reports' day).
    local_date: Mapped[date]
    started_at: Mapped[datetime]
    #: When the report arrived: the outage ended at most one heartbeat interval earlier.
    ended_at: Mapped[datetime] = mapped_column(index=True)
    emergency_logins: Mapped[int] = mapped_column(default=0)
    emergency_seconds: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    emergency_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (
        sa.UniqueConstraint("gateway_id", "outage_key"),
        sa.Index("ix_gateway_outage_village_day", "village_kode", "local_date"),
        sa.CheckConstraint("started_at <= ended_at", name="period"),
    )


class Policy(Base):
    """Fair-use limits for a regency (the default) or one village (an override).

    A NULL field inherits: a village falls back to its regency, the regency to the
    built-in defaults. For data and time, 0 means unlimited.
    """

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A regency code (64.01) or a village code (64.01.01.2009).
    scope_kode: Mapped[str] = mapped_column(KODE, unique=True)
    daily_mb: Mapped[int | None]
    daily_minutes: Mapped[int | None]
    rate_limit: Mapped[str | None] = mapped_column(sa.String(100))
    max_session_minutes: Mapped[int | None]
    idle_minutes: Mapped[int | None]
    interim_minutes: Mapped[int | None]
    on_exhausted: Mapped[str | None] = mapped_column(sa.String(8))
    throttle_rate: Mapped[str | None] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint(
            "on_exhausted IS NULL OR on_exhausted IN ('reject', 'throttle')",
            name="on_exhausted",
        ),
        sa.CheckConstraint("daily_mb IS NULL OR daily_mb >= 0", name="daily_mb"),
        sa.CheckConstraint("daily_minutes IS NULL OR daily_minutes >= 0", name="daily_minutes"),
        sa.CheckConstraint(
            "max_session_minutes IS NULL OR max_session_minutes > 0", name="max_session"
        ),
        sa.CheckConstraint("idle_minutes IS NULL OR idle_minutes > 0", name="idle"),
        sa.CheckConstraint("interim_minutes IS NULL OR interim_minutes > 0", name="interim"),
    )
