"""Report pages for Diskominfo and village admins at /reports (placeholder until slice 2)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the report pages (added in the next slice)."""
