"""Who may go on, and with what: one decision for every credential a router sends.

A router asks on a resident's behalf with a user name and a proof of the password (PAP
or CHAP, checked by the `Proof` the caller hands in). The user name says which kind of
credential it is:

* a one-time grant ``wd-<16 hex>`` that the portal-hosted splash issued after the terms
  were accepted (its password is derived from the name with the installation's key);
* a voucher code (the code is name and password alike);
* a click-through from the router's own page, ``wd-t<terms version>``: the resident
  tapped **Setuju & Sambungkan** on the page the router serves from its flash; the version
  must still be shown at the village, and the acceptance is recorded then;
* the device's own MAC (RouterOS ``login-by=mac``): only a device that accepted the
  terms here today gets straight back on.

`authorize_batch` decides several requests in one unit of work: it reads what they need
in a few queries (the grants they name, their devices' day counters), decides each in
memory, and writes back in a few statements. It records what a decision consumes (the
grant's use, the voucher's binding, the terms acceptance on the device's day row, the
day row itself) and counts it in the village's rollups; the terms a device accepted
count, like the device itself, with its first session (`portal.domain.usage.rollups`);
it never commits. A decision is
data: accept or reject, a reason code (the caller turns it into the words a person
reads), the allowance granted, and the reply attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain.access import click_through, grants, throttle, vouchers
from portal.domain.access.acceptance import note_on_day
from portal.domain.access.decisions import (
    AccessContext,
    Attempt,
    Decision,
    refuse,
    reply_attributes,
)
from portal.domain.credentials import (
    CLICK,
    GRANT,
    MAC,
    VOUCHER,
    class_value,
    click_through_version,
    is_grant_username,
)
from portal.domain.network.gateways import AccessPoint
from portal.domain.pseudonyms import InvalidMac, normalize_mac
from portal.domain.usage import allowance as allowances
from portal.domain.usage.allowance import DayUsage
from portal.domain.usage.rollups import UsageBatch, ensure_device_day
from portal.models import Voucher

DayKey = tuple[str, date, str]


@dataclass
class _Batch:
    """What a batch read up front: grants by user name, each request's device and usage."""

    grants: dict[str, grants.GrantRow]
    devices: dict[int, tuple[date, str]]
    usage: dict[DayKey, DayUsage]
    counts: UsageBatch


def authorize(
    session: Session, attempt: Attempt, context: AccessContext, *, now: datetime
) -> Decision:
    """Decide one request (see `authorize_batch`)."""
    return authorize_batch(session, [attempt], context, now=now)[0]


def authorize_batch(
    session: Session,
    attempts: Sequence[Attempt],
    context: AccessContext,
    *,
    now: datetime,
    uptime_marked: set | None = None,
) -> list[Decision]:
    """Decide several requests in one unit of work; one decision per attempt, in order.

    Also notes each gateway as heard from (``uptime_marked``: the buckets this process
    wrote already). Only flushes. Raises SQLAlchemyError when the database fails.
    """
    batch = _prefetch(session, attempts, context, now, UsageBatch(marked=uptime_marked))
    decisions: list[Decision] = [refuse("no-device")] * len(attempts)

    # Decided in the order of the device-day rows they may create, the same in every
    # server (requests of one device keep their order): no circular wait on PostgreSQL.
    def order(i: int) -> tuple:
        day, device = batch.devices.get(i) or (None, "")
        return (attempts[i].point.village_kode, str(day or ""), device, i)

    for index in sorted(range(len(attempts)), key=order):
        attempt = attempts[index]
        device = batch.devices.get(index)
        if device is not None:
            decisions[index] = _decide(session, attempt, context, now, device, batch)
        batch.counts.gateway_seen(attempt.point.gateway_id, now)
    grants.save_first_uses(session, list(batch.grants.values()))
    session.flush()
    batch.counts.flush(session, {a.point.village_kode: a.point.timezone for a in attempts}, now)
    return decisions


def _prefetch(
    session: Session,
    attempts: Sequence[Attempt],
    context: AccessContext,
    now: datetime,
    counts: UsageBatch,
) -> _Batch:
    """Read the batch's grants and device-day counters (a query or two each)."""
    names = [a.user_name for a in attempts if is_grant_username(a.user_name)]
    devices: dict[int, tuple[date, str]] = {}
    # By village: a new day's key is created in the same order by every server.
    for index in sorted(range(len(attempts)), key=lambda i: attempts[i].point.village_kode):
        attempt = attempts[index]
        if attempt.mac is not None:
            devices[index] = context.keyring.device_for_day(
                session,
                village_kode=attempt.point.village_kode,
                timezone=attempt.point.timezone,
                mac=attempt.mac,
                now=now,
            )
    keys = [(attempts[i].point.village_kode, day, dev) for i, (day, dev) in devices.items()]
    return _Batch(
        grants.load_grants(session, names), devices, allowances.day_usage(session, keys), counts
    )


def _decide(
    session: Session,
    attempt: Attempt,
    context: AccessContext,
    now: datetime,
    day: tuple[date, str],
    batch: _Batch,
) -> Decision:
    """Check one request's credential, then its allowance. The credential decides the
    Class the router echoes in accounting (`portal.domain.credentials.class_value`)."""
    point, name = attempt.point, attempt.user_name
    key = (point.village_kode, day[0], day[1])
    voucher: Voucher | None = None
    if is_grant_username(name):
        if not attempt.proof.matches(grants.grant_password(context.master_key, name)):
            return refuse("wrong-password")
        try:
            # A retransmission with a new Identifier, or a second tap, reaches here
            # again: use_grant accepts the same device within a minute of first use.
            grant = grants.use_grant(
                session, username=name, gateway_id=point.gateway_id, device=day[1], now=now,
                preloaded=batch.grants,
            )  # fmt: skip
        except grants.GrantRefused as refused:
            return refuse(f"grant-{refused.reason}")
        if grant.voucher_id is not None:
            voucher = session.get(Voucher, grant.voucher_id)
        _note_on_day(session, point, key, batch, now, terms_version_id=grant.terms_version_id)
        class_ = class_value(GRANT, grant.id)
    elif (code := vouchers.normalize_code(name)) is not None:
        proofs = {name, code, vouchers.format_code(code)}
        if not any(attempt.proof.matches(text) for text in proofs):
            return refuse("wrong-password")
        try:  # wrong codes from one device back off (throttle), as on the splash
            voucher = throttle.guarded_voucher(
                session, lambda: _redeem(session, attempt, context, code, now, batch),
                code=code, master_key=context.master_key, gateway_id=point.gateway_id,
                device=day[1], client=None, now=now,
            )  # fmt: skip
        except throttle.Throttled:
            return refuse("voucher-throttled")
        except vouchers.VoucherRefused as refused:
            return refuse(f"voucher-{refused.reason}")
        taken = grants.take_voucher_grant(
            session, device=day[1], voucher_id=voucher.id, local_date=day[0], now=now
        )
        if taken is not None:  # the terms accepted on the splash with the code
            _note_on_day(session, point, key, batch, now, terms_version_id=taken.terms_version_id)
        _note_on_day(session, point, key, batch, now, voucher_id=voucher.id)
        class_ = class_value(VOUCHER, voucher.id)
    elif (version_id := click_through_version(name)) is not None:
        password = click_through.password(context.master_key, point.gateway_id, version_id)
        if not attempt.proof.matches(password):
            return refuse("wrong-password")
        refused = click_through.accept(session, point, key, version_id, batch.usage, now)
        if refused is not None:
            return refuse(refused)
        if (row := batch.usage.get(key)) is not None and row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id)
        class_ = class_value(CLICK, version_id)
    elif context.allow_mac_login and _is_own_mac(name, attempt.mac):
        # login-by=mac: the router asks before showing the portal. Only a device that
        # accepted the terms here today gets straight back on after a short disconnect.
        row = batch.usage.get(key)
        if row is None or row.terms_version_id is None:
            return refuse("mac-unknown")
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id)
        class_ = class_value(MAC)
    else:
        return refuse("unknown-user")
    policy = context.policies.get(session, point.village_kode)
    granted = allowances.compute(
        policy, batch.usage.get(key, allowances.NO_USAGE), voucher, now=now,
        timezone=point.timezone,
    )  # fmt: skip
    if granted.refused:
        batch.counts.village(point.village_kode, point.timezone, now, quota_refusals=1)
        return refuse("quota", granted)
    return Decision(
        True,
        "throttle" if granted.throttled else "accept",
        reply_attributes(
            granted,
            class_=class_,
            now=now,
            timezone=point.timezone,
            backhaul_class=point.backhaul_class,
        ),
        granted,
    )


def _redeem(
    session: Session,
    attempt: Attempt,
    context: AccessContext,
    code: str,
    now: datetime,
    batch: _Batch,
) -> Voucher:
    """The voucher of ``code``, bound to this device (the first device to use it).

    Raises VoucherRefused.
    """
    point = attempt.point
    voucher = vouchers.find_voucher(
        session, code=code, master_key=context.master_key, now=now, village_kode=point.village_kode
    )
    holder = context.keyring.device_for_batch(
        session,
        batch_id=voucher.batch_id,
        batch_expires_at=voucher.batch.expires_at,
        mac=attempt.mac or "",
        now=now,
    )
    first_use = voucher.bound_device is None
    vouchers.bind_voucher(voucher, device=holder, now=now)
    if first_use:
        batch.counts.village(point.village_kode, point.timezone, now, vouchers_redeemed=1)
    return voucher


def _is_own_mac(user_name: str, mac: str | None) -> bool:
    if mac is None:
        return False
    try:
        return normalize_mac(user_name) == mac
    except InvalidMac:
        return False


def _note_on_day(
    session: Session,
    point: AccessPoint,
    key: DayKey,
    batch: _Batch,
    now: datetime,
    *,
    terms_version_id: int | None = None,
    voucher_id: int | None = None,
) -> None:
    """Note on the device's day row which terms it accepted (what a MAC login checks)
    and which voucher it holds (what the status page and a MAC login read), creating
    the row when it is new. (The device counts among the village's users only once
    accounting sees it online: `portal.domain.usage.rollups.UsageBatch`.)"""
    row = batch.usage.get(key)
    values: dict[str, int] = {}
    if terms_version_id is not None and (row is None or row.terms_version_id is None):
        values["terms_version_id"] = terms_version_id
    if voucher_id is not None and (row is None or row.voucher_id != voucher_id):
        values["voucher_id"] = voucher_id
    if not values:
        return
    village_kode, day, device = key
    if row is None:
        ensure_device_day(session, village_kode=village_kode, day=day, device=device)
        row = allowances.NO_USAGE
    note_on_day(session, village_kode=village_kode, day=day, device=device, **values)
    batch.usage[key] = row._replace(**values)
