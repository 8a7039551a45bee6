"""Accounting-Requests: the domain records them (`portal.domain.usage.accounting`).

What arrives is already a plain `AccountingRequest` (decoded and verified by the shell);
what leaves is the list of orders for sessions whose allowance ran out, which the shell
hands to the enforcer once the batch is committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.usage.accounting import (
    STATUS_FAILED,
    STATUS_INTERIM,
    STATUS_OFF,
    STATUS_ON,
    STATUS_START,
    STATUS_STOP,
    record_batch,
)
from portal.domain.usage.accounting import AccountingReport as AccountingRequest
from portal.domain.usage.orders import Order
from radius.handlers import HandlerContext

__all__ = [
    "STATUS_FAILED",
    "STATUS_INTERIM",
    "STATUS_OFF",
    "STATUS_ON",
    "STATUS_START",
    "STATUS_STOP",
    "AccountingRequest",
    "account_batch",
]


def account_batch(
    session: Session, requests: list[AccountingRequest], ctx: HandlerContext, *, now: datetime
) -> list[Order]:
    """Record a batch of accounting requests; returns the orders to send.

    Nothing is committed here. Raises SQLAlchemyError when the database fails.
    """
    return record_batch(session, requests, ctx.accounting, now=now)
