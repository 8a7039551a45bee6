"""Letting a device on: the signed accept ticket, its one use, and the router redirect.

When the splash page is shown, everything the accept step needs (gateway, device
pseudonym, the router's checked links and CHAP values, the terms version shown) goes
into a ticket signed with a key derived from the installation's secret. The accept
form carries only that ticket, so nothing in it can be swapped, and the step works
even when the captive-portal window drops cookies. The MAC and client IP are never in
it: the pseudonym was computed before the ticket was made.

One use: accepting turns the ticket's nonce into the username of a one-time login
grant (an HMAC of the nonce). `login_grant.username` is unique, so a second accept
with the same ticket, from any worker, fails the insert and is refused, except that
a double tap (a repeat within a minute, before the router used the grant) gets the
very same redirect again, issuing and counting nothing. A voucher accept records the
same grant row (with the voucher) purely as that marker; the router then logs in with
the voucher code itself, as the RADIUS server expects.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import clock, keyring
from portal.domain.access import grants, hotspot, throttle, vouchers
from portal.domain.transactions import savepoint
from portal.models import Gateway, LoginGrant

#: How long a splash page can be accepted after it was shown.
TICKET_MAX_AGE = 15 * 60
#: How long the status page link in ``dst`` keeps working.
STATUS_MAX_AGE = 24 * 3600
#: A repeated accept of one ticket this soon, before the grant was used, is a double
#: tap and gets the same answer; after that (or once used) it is a replay.
REPEAT_WINDOW = timedelta(seconds=60)


class TicketRefused(Exception):
    """The accept ticket cannot be used: ``reason`` is forged, expired or used.

    ``login_url`` is the router's login address when the ticket was genuine but
    expired (signed by us, so safe to link to), else None.
    """

    def __init__(self, reason: str, login_url: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.login_url = login_url


@dataclass(frozen=True)
class Ticket:
    """The router context of one splash page, signed into its accept forms."""

    gateway_id: int
    village_kode: str
    device: str
    day: str
    login_url: str
    orig_url: str | None
    chap_id: str | None  # hex
    chap_challenge: str | None  # hex
    terms_version_id: int | None
    error: str
    nonce: str
    #: The router's /logout beside ``login_url`` ("" in a ticket signed before it was kept).
    logout_url: str = ""

    @property
    def local_date(self) -> date:
        return date.fromisoformat(self.day)


def new_ticket(
    context: hotspot.RouterContext,
    *,
    gateway: Gateway,
    device: str,
    day: date,
    terms_version_id: int | None,
) -> Ticket:
    """A fresh ticket (new nonce) for a checked router context."""
    return Ticket(
        gateway_id=gateway.id,
        village_kode=gateway.village_kode,
        device=device,
        day=day.isoformat(),
        login_url=context.login_url,
        orig_url=context.orig_url,
        chap_id=context.chap_id.hex() if context.chap_id is not None else None,
        chap_challenge=(
            context.chap_challenge.hex() if context.chap_challenge is not None else None
        ),
        terms_version_id=terms_version_id,
        error=context.error,
        nonce=secrets.token_hex(16),
        logout_url=context.logout_url,
    )


def _serializer(master_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        keyring.derive(master_key, purpose).hex(),
        salt=purpose,
        serializer=json,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def sign_ticket(ticket: Ticket, master_key: str) -> str:
    """The ticket as a URL-safe signed string."""
    return _serializer(master_key, "accept-ticket").dumps(asdict(ticket))


def open_ticket(token: str, master_key: str, *, max_age: int = TICKET_MAX_AGE) -> Ticket:
    """The ticket inside ``token``.

    Raises TicketRefused("expired", login_url) when it is older than ``max_age``
    seconds, ("forged") when the signature or content is wrong.
    """
    serializer = _serializer(master_key, "accept-ticket")
    try:
        return Ticket(**serializer.loads(token, max_age=max_age))
    except SignatureExpired as expired:
        login_url = None
        try:
            login_url = serializer.loads(token)["login_url"]
        except (BadSignature, KeyError, TypeError):
            login_url = None
        raise TicketRefused("expired", login_url) from expired
    except (BadSignature, TypeError, ValueError):
        raise TicketRefused("forged") from None


def _claim(
    session: Session,
    ticket: Ticket,
    *,
    gateway: Gateway,
    now: datetime,
    master_key: str,
    voucher_id: int | None,
) -> tuple[grants.IssuedGrant, bool]:
    """Issue the ticket's one-time grant; returns it and whether it is new.

    A second accept of the same ticket within `REPEAT_WINDOW`, before the router
    used the grant, gets the same grant back (nothing new is issued or counted): cheap
    phones send a double tap as two submissions and show the answer to the second.
    Any later replay raises TicketRefused("used").
    """
    nonce_key = keyring.derive(master_key, "ticket-nonce")
    username = grants.USERNAME_PREFIX + keyring.keyed_hash(nonce_key, ticket.nonce)[:16]
    try:
        with savepoint(session):
            issued = grants.issue_grant(
                session,
                gateway=gateway,
                device=ticket.device,
                local_date=ticket.local_date,
                now=now,
                master_key=master_key,
                terms_version_id=ticket.terms_version_id,
                voucher_id=voucher_id,
                username=username,
            )
            return issued, True
    except IntegrityError:
        pass
    grant = session.scalar(sa.select(LoginGrant).where(LoginGrant.username == username))
    if (
        grant is None
        or grant.used_at is not None
        or grant.voucher_id != voucher_id
        or not grant.created_at <= now <= grant.created_at + REPEAT_WINDOW
    ):
        raise TicketRefused("used")
    password = grants.grant_password(master_key, username)
    return grants.IssuedGrant(username, password, grant.expires_at), False


def admit(
    session: Session,
    ticket: Ticket,
    *,
    gateway: Gateway,
    now: datetime,
    master_key: str,
    fallback_dst: str,
    voucher_code: str | None = None,
    client: str | None = None,
) -> hotspot.RouterLogin:
    """Accept the terms (or redeem a voucher) for the ticket's device; return the login
    the phone makes at the router (the web edge writes it as the redirect URL).

    With a voucher code (even an empty one) the code is checked first; when it is
    refused nothing is written but a guess's failure (`throttle.guarded_voucher`).
    ``client`` is the phone's address as the portal sees it (hashed, never stored): an
    accept is slowed per address and device (`throttle.limit_accept`); None only where
    no client asks (a benchmark). Issues the one-time grant that carries the acceptance
    to RADIUS (counted when it is used there) and uses the ticket up.
    Raises throttle.Throttled, vouchers.VoucherRefused, TicketRefused("used" | "forged"
    | "expired": the village's local day changed since the page was shown).
    """
    if gateway.id != ticket.gateway_id:
        raise TicketRefused("forged")
    timezone = gateway.village.timezone
    if clock.local_day(now, timezone) != ticket.local_date:
        # The device's pseudonym belongs to the day the page was shown; past local
        # midnight RADIUS would derive another one, so the phone must start again.
        raise TicketRefused("expired", ticket.login_url)
    device, limits = ticket.device, {"master_key": master_key, "gateway_id": gateway.id}
    voucher = None
    if voucher_code is not None:
        find = partial(
            vouchers.find_voucher, session, code=voucher_code, master_key=master_key, now=now,
            village_kode=gateway.village_kode,
        )  # fmt: skip
        voucher = throttle.guarded_voucher(
            session, find, **limits, code=voucher_code, device=device, client=client, now=now
        )
    if client is not None:
        throttle.limit_accept(session, **limits, client=client, device=device, now=now)
    # The grant holds the accepted terms version until RADIUS lets the device on with
    # it (or with the voucher): only then is the acceptance counted
    # (`portal.domain.access.authorize`). An accept that never leads to a login leaves
    # nothing but the grant, which upkeep deletes once it expires.
    issued, _new = _claim(
        session,
        ticket,
        gateway=gateway,
        now=now,
        master_key=master_key,
        voucher_id=voucher.id if voucher else None,
    )
    if voucher is not None:
        code = vouchers.normalize_code(voucher_code or "") or ""
        username, secret = code, code
    else:
        username, secret = issued.username, issued.password
    return hotspot.router_login(
        ticket.login_url,
        username=username,
        secret=secret,
        chap_id=bytes.fromhex(ticket.chap_id) if ticket.chap_id else None,
        chap_challenge=bytes.fromhex(ticket.chap_challenge) if ticket.chap_challenge else None,
        dst=ticket.orig_url or fallback_dst,
    )


@dataclass(frozen=True)
class StatusRef:
    """Which device's status a status-page link shows (signed; no MAC, no IP)."""

    gateway_id: int
    village_kode: str
    device: str
    day: str
    #: The router's /logout, already checked against the gateway's hotspot host.
    logout_url: str | None

    @property
    def local_date(self) -> date:
        return date.fromisoformat(self.day)


def status_ref_for(ticket: Ticket) -> StatusRef:
    """The status reference of the device a ticket was issued for."""
    return StatusRef(
        ticket.gateway_id, ticket.village_kode, ticket.device, ticket.day, ticket.logout_url or None
    )


def sign_status_ref(ref: StatusRef, master_key: str) -> str:
    return _serializer(master_key, "status-ref").dumps(asdict(ref))


def open_status_ref(token: str, master_key: str) -> StatusRef | None:
    """The reference inside ``token``, or None when it is forged or older than a day."""
    try:
        return StatusRef(
            **_serializer(master_key, "status-ref").loads(token, max_age=STATUS_MAX_AGE)
        )
    except (BadSignature, TypeError, ValueError):
        return None
