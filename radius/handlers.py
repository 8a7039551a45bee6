"""Access-Request handling: a plain request in, a plain reply out.

No sockets here and no packet codec: the shell (radius/server.py) has already checked
the client, the authenticators and the Message-Authenticator, turned the MAC into a
normalised string that lives only in memory, and will commit the session. Handlers
only flush.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain import clock, grants, quotas, vouchers
from portal.domain.policies import EffectivePolicy, effective_policy
from portal.domain.pseudonyms import InvalidMac, KeyRing, normalize_mac
from portal.domain.rollups import UsageBatch, ensure_device_day
from portal.models import DeviceDay, LoginGrant, Voucher
from radius.clients import Client

WRONG = "Kode atau kata sandi salah. Silakan coba lagi."
GRANT_STALE = (
    "Sesi masuk sudah kedaluwarsa. Buka lagi halaman Wi-Fi Desa lalu tekan Setuju & Sambungkan."
)
NO_DEVICE = "Perangkat tidak dikenali. Silakan sambungkan ulang ke Wi-Fi."
TERMS_FIRST = "Silakan buka halaman Wi-Fi Desa dan setujui ketentuan terlebih dahulu."
VOUCHER_MESSAGES = {
    "unknown": WRONG,
    "expired": "Masa berlaku voucher sudah habis.",
    "voided": "Voucher ini sudah tidak berlaku.",
    "used-up": "Kuota voucher ini sudah habis.",
    "taken": "Voucher ini sudah dipakai di perangkat lain.",
}


@dataclass(frozen=True)
class Credentials:
    """What the router sent to prove the password: PAP cleartext or a CHAP response."""

    password: str | None = None
    chap_password: bytes | None = None  # CHAP ident (1 octet) + MD5 response (16 octets)
    chap_challenge: bytes | None = None

    def matches(self, cleartext: str) -> bool:
        """True when the credentials prove ``cleartext``; compared in constant time."""
        if self.chap_password is not None and self.chap_challenge is not None:
            if len(self.chap_password) != 17:
                return False
            ident, response = self.chap_password[:1], self.chap_password[1:]
            expected = hashlib.md5(  # noqa: S324 (CHAP is defined with MD5, RFC 1994)
                ident + cleartext.encode() + self.chap_challenge
            ).digest()
            return hmac.compare_digest(expected, response)
        if self.password is not None:
            return hmac.compare_digest(self.password.encode(), cleartext.encode())
        return False


@dataclass(frozen=True)
class AccessRequest:
    """A verified Access-Request. ``mac`` is normalised, or None when absent or invalid."""

    client: Client
    user_name: str
    credentials: Credentials
    mac: str | None


@dataclass(frozen=True)
class AccessReply:
    """Accept or reject, the reply attributes, and why (a metric label, no personal data).

    ``delay`` asks the shell to hold a reject back (wrong credentials).
    """

    accept: bool
    attributes: tuple[tuple[str, object], ...]
    reason: str
    delay: bool = False


def reject(message: str, reason: str, *, delay: bool = False) -> AccessReply:
    return AccessReply(False, (("Reply-Message", message),), reason, delay)


@dataclass
class HandlerContext:
    """What handlers share across packets: keys, the key ring and a policy cache."""

    master_key: str
    keyring: KeyRing = field(default_factory=KeyRing)
    allow_mac_login: bool = True
    policy_ttl: float = 10.0
    #: Gateway uptime buckets already written (see `UsageBatch.marked`).
    uptime_marked: set = field(default_factory=set)
    _policies: dict[str, tuple[EffectivePolicy, float]] = field(default_factory=dict)

    def policy(self, session: Session, village_kode: str) -> EffectivePolicy:
        """The village's effective policy, re-read at most every ``policy_ttl`` seconds."""
        cached = self._policies.get(village_kode)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        policy = effective_policy(session, village_kode)
        self._policies[village_kode] = (policy, time.monotonic() + self.policy_ttl)
        return policy


def accept(
    policy: EffectivePolicy,
    state: quotas.QuotaState,
    *,
    class_: str,
    now: datetime,
    timezone: str,
    throttled: bool = False,
) -> AccessReply:
    """The Access-Accept for what is left today (or, ``throttled``, the throttle rate).

    Session-Timeout is the smallest of time left today, the longest session and the
    seconds to local midnight, so no session outlives the quota window that allowed it.
    """
    timeouts = [policy.max_session_minutes * 60, clock.seconds_to_midnight(now, timezone)]
    if not throttled and state.seconds_left is not None:
        timeouts.append(state.seconds_left)
    attributes: list[tuple[str, object]] = [
        ("Session-Timeout", max(1, min(timeouts))),
        ("Idle-Timeout", policy.idle_minutes * 60),
        ("Acct-Interim-Interval", policy.interim_minutes * 60),
        ("Mikrotik-Rate-Limit", policy.throttle_rate if throttled else policy.rate_limit),
        ("Class", class_.encode()),
    ]
    if not throttled and state.bytes_left is not None:
        attributes.append(("Mikrotik-Total-Limit", state.bytes_left & 0xFFFFFFFF))
        attributes.append(("Mikrotik-Total-Limit-Gigawords", state.bytes_left >> 32))
    return AccessReply(True, tuple(attributes), "throttle" if throttled else "accept")


@dataclass
class Prefetched:
    """Lookups made once for a whole batch: grants by username, each request's device-day."""

    grants: dict[str, LoginGrant]
    devices: dict[int, tuple[date, str]]
    #: Strong references: the session's identity map only holds objects weakly.
    rows: list[DeviceDay]


def prefetch(
    session: Session, requests: list[AccessRequest], ctx: HandlerContext, now: datetime
) -> Prefetched:
    """Load the batch's grants and device-day rows in two queries.

    The device-day rows land in the session's identity map, so `Session.get` finds
    them without another query.
    """
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
    return Prefetched(found, devices, quotas.load_device_days(session, keys))


def authenticate_batch(
    session: Session,
    requests: list[AccessRequest],
    ctx: HandlerContext,
    *,
    now: datetime,
) -> list[AccessReply]:
    """Handle several Access-Requests in one unit of work; one reply per request, in order.

    Nothing is committed here. Raises SQLAlchemyError when the database fails.
    """
    usage = UsageBatch(marked=ctx.uptime_marked)
    found = prefetch(session, requests, ctx, now)
    replies = []
    for index, request in enumerate(requests):
        device = found.devices.get(index)
        if device is None:
            replies.append(reject(NO_DEVICE, "no-device", delay=True))
            continue
        replies.append(
            authenticate(session, request, ctx, now=now, usage=usage, day=device, grants_=found)
        )
    for request in requests:
        usage.gateway_seen(request.client.gateway_id, now)
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
    grants_: Prefetched | None = None,
) -> AccessReply:
    """Check one request's credentials, then its quota; returns the reply.

    ``day`` is the local quota day and the device's pseudonym for it.
    """
    client = request.client
    local_date, device = day
    name = request.user_name
    voucher: Voucher | None = None
    if grants.is_grant_username(name):
        if not request.credentials.matches(grants.grant_password(ctx.master_key, name)):
            return reject(WRONG, "wrong-password", delay=True)
        try:
            grant = grants.use_grant(
                session,
                username=name,
                gateway_id=client.gateway_id,
                device=device,
                now=now,
                preloaded=grants_.grants if grants_ else None,
            )
        except grants.GrantRefused as refused:
            message = WRONG if refused.reason == "unknown" else GRANT_STALE
            return reject(message, f"grant-{refused.reason}", delay=True)
        if grant.voucher_id is not None:
            voucher = session.get(Voucher, grant.voucher_id)
        _remember_terms(session, client, local_date, device, grant.terms_version_id, usage, now)
        class_ = f"wd:g:{grant.id}"
    elif (code := vouchers.normalize_code(name)) is not None:
        if not any(
            request.credentials.matches(text) for text in {name, code, vouchers.format_code(code)}
        ):
            return reject(WRONG, "wrong-password", delay=True)
        try:
            voucher = vouchers.find_voucher(session, code=code, master_key=ctx.master_key, now=now)
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
        row = session.get(DeviceDay, (client.village_kode, local_date, device))
        if row is None or row.terms_version_id is None:
            return reject(TERMS_FIRST, "mac-unknown")
        if row.voucher_id is not None:
            voucher = session.get(Voucher, row.voucher_id)
        class_ = "wd:m"
    else:
        return reject(WRONG, "unknown-user", delay=True)
    return _apply_quota(session, client, ctx, device, local_date, voucher, class_, now, usage)


def _apply_quota(
    session: Session,
    client: Client,
    ctx: HandlerContext,
    device: str,
    local_date: date,
    voucher: Voucher | None,
    class_: str,
    now: datetime,
    usage: UsageBatch,
) -> AccessReply:
    policy = ctx.policy(session, client.village_kode)
    state = quotas.state_for_device(
        session,
        policy=policy,
        village_kode=client.village_kode,
        timezone=client.timezone,
        day=local_date,
        device=device,
        now=now,
        voucher=voucher,
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
    client: Client,
    day: date,
    device: str,
    terms_version_id: int | None,
    usage: UsageBatch,
    now: datetime,
) -> None:
    """Note on the device's day that it accepted the terms (what a MAC login checks)."""
    if terms_version_id is None:
        return
    row = session.get(DeviceDay, (client.village_kode, day, device))
    if row is None:
        if ensure_device_day(session, village_kode=client.village_kode, day=day, device=device):
            usage.village(client.village_kode, client.timezone, now, devices=1)
        row = session.get(DeviceDay, (client.village_kode, day, device))
    if row is not None and row.terms_version_id is None:
        row.terms_version_id = terms_version_id
