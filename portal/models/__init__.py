"""Typed SQLAlchemy 2 models, grouped by subject.

Every table the product needs is defined here; constraints live in the database.
Times are stored in UTC (naive datetimes that mean UTC); local dates (``local_date``)
are the village's own calendar day, which is the quota window.
"""

from portal.models.access import LoginGrant, PseudonymKey, RateLimit, Voucher, VoucherBatch
from portal.models.accounts import AdminUser, ApiToken, AuditEntry, LoginAttempt
from portal.models.content import Announcement, TermsVersion
from portal.models.network import Gateway, GatewayOutage, GatewayUptime, Policy, Village
from portal.models.notify import Notification, NotifySettings
from portal.models.usage import (
    AccountingSession,
    DeviceDay,
    RouterOrder,
    TermsAcceptance,
    UsageDaily,
    UsageHourly,
)

__all__ = [
    "AccountingSession",
    "AdminUser",
    "Announcement",
    "ApiToken",
    "AuditEntry",
    "DeviceDay",
    "Gateway",
    "GatewayOutage",
    "GatewayUptime",
    "LoginAttempt",
    "LoginGrant",
    "Notification",
    "NotifySettings",
    "Policy",
    "PseudonymKey",
    "RateLimit",
    "RouterOrder",
    "TermsAcceptance",
    "TermsVersion",
    "UsageDaily",
    "UsageHourly",
    "Village",
    "Voucher",
    "VoucherBatch",
]
