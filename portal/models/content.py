"""What residents read: terms of use and the village bulletin."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.network import KODE
from portal.storage import Base

CATEGORIES = (
    "pengumuman",
    "agenda",
    "kesehatan",
    "umkm",
    "wisata",
    "apbdes",
    "darurat",
)


class TermsVersion(Base):
    """A published version of the terms of use for a regency (or a province)."""

    __tablename__ = "terms_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kode: Mapped[str] = mapped_column(KODE)
    version: Mapped[int]
    #: 3–5 plain points, one per line, shown on the splash.
    summary: Mapped[str] = mapped_column(sa.Text)
    full_text: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_user.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.UniqueConstraint("scope_kode", "version"),)


class Announcement(Base):
    """A bulletin item of one village: Markdown source and its sanitised HTML."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_kode: Mapped[str] = mapped_column(sa.ForeignKey("village.kode"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    category: Mapped[str] = mapped_column(sa.String(16), default="pengumuman")
    #: None = shown from publication on; None = shown until removed.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False)
    emergency: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=True)
    image_path: Mapped[str | None] = mapped_column(sa.String(200))
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("admin_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        sa.CheckConstraint(
            "category IN ('pengumuman', 'agenda', 'kesehatan', 'umkm', 'wisata', "
            "'apbdes', 'darurat')",
            name="category",
        ),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="window"
        ),
    )
