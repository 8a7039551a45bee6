"""Access-Requests in batches: credentials first, then the day's quota.

A batch reads what it needs in a few queries (the grants named by its usernames, the
device-day counters of its devices), decides each request in memory, and writes back in
a few statements (grants used, terms noted, rollups). The shell commits, then replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain.access import grants, vouchers
from portal.domain.access.pseudonyms import InvalidMac, normalize_mac
from portal.domain.usage import quotas
from portal.domain.usage.rollups import UsageBatch, ensure_device_day
from portal.models import DeviceDay, Voucher
from radius.handlers import (
    GRANT_STALE,
    NO_DEVICE,
    TERMS_FIRST,
    VOUCHER_MESSAGES,
    WRONG,
    AccessReply,
    AccessRequest,
    HandlerContext,
    accept,
    reject,
)

DayKey = tuple[str, date, str]


@dataclass
class Batch:
    """What a batch read up front: grants by username, each request's device and usage."""

    grants: dict[str, grants.GrantRow]
    devices: dict[int, tuple[date, str]]
    usage: dict[DayKey, quotas.DayUsage]


def prefetch(
    session: Session, requests: list[AccessRequest], ctx: HandlerContext, now: datetime
) -> Batch:
    """Read the batch's grants and device-day counters (a query or two each)."""
    found = grants.load_grants(
        session, [r.user_name for r in requests if grants.is_grant_username(r.user_name)]
    )
    devices: dict[int, tuple[date, str]] = {}
    for index, request in enumerate(requests):
        if request.mac is not None:
            devices[index] = ctx.keyring.device_for_day(
                session,
                village_kode=request.client.village_kode,
                timezone=request.client.timezone,
                mac=request.mac,
                now=now,
            )
    keys = [(requests[i].client.village_kode, day, dev) for i, (day, dev) in devices.items()]
    return Batch(found, devices, quotas.day_usage(session, keys))


def authenticate_batch(
    session: Session, requests: list[AccessRequest], ctx: HandlerContext, *, now: datetime
) -> list[AccessReply]:
    """Handle several Access-Requests in one unit of work; one reply per request, in order.

    Nothing is committed here. Raises SQLAlchemyError when the database fails.
    """
    usage = UsageBatch(marked=ctx.uptime_marked)
    batch = prefetch(session, requests, ctx, now)
    replies = []
    for index, request in enumerate(requests):
        device = batch.devices.get(index)
        if device is None:
            replies.append(reject(NO_DEVICE, "no-device", delay=True))
            continue
        replies.append(
            authenticate(session, request, ctx, now=now, usage=usage, day=device, batch=batch)
        )
        usage.gateway_seen(request.client.gateway_id, now)
    grants.save_first_uses(session, list(batch.grants.values()))
    session.flush()
    usage.flush(session, {r.client.village_kode: r.client.timezone for r in requests}, now)
    return replies


def authenticate(
    session: Session,
    request: AccessRequest,
    ctx: HandlerContext,
    *,
    now: datetime,
    usage: UsageBatch,
    day: tuple[date, str],
    batch: Batch,
) -> AccessReply:
    """Check one request's credentials, then its quota; returns the reply.

    ``day`` is the local quota day and the device's pseudonym for it. The credential
    decides the Class: "wd:g:<grant id>", "wd:v:<voucher id>" or "wd:m" (MAC login).
    """
    client = request.client
    local_date, device = day
    key = (client.village_kode, local_date, device)
    name = request.user_name
    voucher: Voucher | None = None
    if grants.is_grant_username(name):
        if not request.credentials.matches(grants.grant_password(ctx.master_key, name)):
            return reject(WRONG, "wrong-password", delay=True)
        try:
            # A retransmission with a new Identifier, or a second tap, reaches here
            # again: use_grant accepts the same device within a minute of first use.
            grant = grants.use_grant(
                session,
                username=name,
                gateway_id=client.gateway_id,
                device=device,
                now=now,
                preloaded=batch.grants,
            )
        except grants.GrantRefused as refused:
            message = WRONG if refused.reason == "unknown" else GRANT_STALE
            return reject(message, f"grant-{refused.reason}", delay=True)
        if grant.voucher_id is not None:
            voucher = session.get(Voucher, grant.voucher_id)
        _remember_terms(session, request, key, grant.terms_version_id, batch, usage, now)
        class_ = f"wd:g:{grant.id}"
    elif (code := vouchers.normalize_code(name)) is not None:
        if not any(
            request.credentials.matches(text) for text in {name, code, vouchers.format_code(code)}
        ):
            return reject(WRONG, "wrong-password", delay=True)
        try:
            voucher = vouchers.find_voucher(
                session,
                code=code,
                master_key=ctx.master_key,
                now=now,
                village_kode=client.village_kode,
            )
            holder = ctx.keyring.device_for_batch(
                session,
                batch_id=voucher.batch_id,
                batch_expires_at=voucher.batch.expires_at,
                mac=request.mac or "",
                now=now,
            )
            first_use = voucher.bound_device is None
            vouchers.bind_voucher(voucher, device=holder, now=now)
        except vouchers.VoucherRefused as refused:
            message, reason = VOUCHER_MESSAGES[refused.reason], f"voucher-{refused.reason}"
            return reject(message, reason, delay=refused.reason in ("unknown", "taken"))
        if first_use:
            usage.village(client.village_kode, client.timezone, now, vouchers_redeemed=1)
        class_ = f"wd:v:{voucher.id}"
    elif ctx.allow_mac_login and _is_own_mac(name, request.mac):
        # login-by=mac: the router asks before showing the portal. Only a device that
        # accepted the terms here today gets straight back on after a short disconnect.
        row = batch.usage.get(key)
        if row is None or row.terms_version_id is None:
            return reject(TERMS_FIRST, "mac-unknown")
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id)
        class_ = "wd:m"
    else:
        return reject(WRONG, "unknown-user", delay=True)
    return _apply_quota(session, request, ctx, batch.usage.get(key), voucher, class_, now, usage)


def _apply_quota(
    session: Session,
    request: AccessRequest,
    ctx: HandlerContext,
    row: quotas.DayUsage | None,
    voucher: Voucher | None,
    class_: str,
    now: datetime,
    usage: UsageBatch,
) -> AccessReply:
    client = request.client
    policy = ctx.policy(session, client.village_kode)
    state = quotas.remaining(
        quotas.limits_for(policy, voucher),
        used_bytes=row.bytes_total if row else 0,
        used_seconds=row.seconds_total if row else 0,
        voucher=voucher,
        now=now,
        timezone=client.timezone,
    )
    if not state.exhausted:
        return accept(policy, state, class_=class_, now=now, timezone=client.timezone)
    if policy.on_exhausted == "throttle":
        return accept(
            policy, state, class_=class_, now=now, timezone=client.timezone, throttled=True
        )
    usage.village(client.village_kode, client.timezone, now, quota_refusals=1)
    return reject(quotas.exhausted_message(state, client.timezone), "quota")


def _is_own_mac(user_name: str, mac: str | None) -> bool:
    if mac is None:
        return False
    try:
        return normalize_mac(user_name) == mac
    except InvalidMac:
        return False


def _remember_terms(
    session: Session,
    request: AccessRequest,
    key: DayKey,
    terms_version_id: int | None,
    batch: Batch,
    usage: UsageBatch,
    now: datetime,
) -> None:
    """Note on the device's day that it accepted the terms (what a MAC login checks)."""
    row = batch.usage.get(key)
    if terms_version_id is None or (row is not None and row.terms_version_id is not None):
        return
    village_kode, day, device = key
    if row is None:
        if ensure_device_day(session, village_kode=village_kode, day=day, device=device):
            usage.village(village_kode, request.client.timezone, now, devices=1)
        row = batch.usage[key] = quotas.DayUsage(0, 0, None, None)
    session.execute(
        sa.update(DeviceDay)
        .where(
            DeviceDay.village_kode == village_kode,
            DeviceDay.local_date == day,
            DeviceDay.device == device,
            DeviceDay.terms_version_id.is_(None),
        )
        .values(terms_version_id=terms_version_id)
        .execution_options(synchronize_session=False)
    )
    row.terms_version_id = terms_version_id
