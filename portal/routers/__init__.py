"""Endpoints the MikroTik gateways call themselves (no login; each checks a token)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("routers", __name__, url_prefix="/mt")
