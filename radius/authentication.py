"""Access-Requests: the domain decides (`portal.domain.access.authorize`), this says it.

A decision comes back as data; a refusal's reason code becomes the Reply-Message the
router shows on its login page (`portal.messages`), in the village's local time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.domain.access.authorize import authorize_batch
from portal.domain.access.decisions import Decision
from portal.messages import reply_message
from radius.handlers import AccessReply, AccessRequest, HandlerContext


def authenticate_batch(
    session: Session, requests: list[AccessRequest], ctx: HandlerContext, *, now: datetime
) -> list[AccessReply]:
    """Decide several Access-Requests in one unit of work; one reply per request, in order.

    Nothing is committed here. Raises SQLAlchemyError when the database fails.
    """
    decisions = authorize_batch(
        session, requests, ctx.access, now=now, uptime_marked=ctx.uptime_marked
    )
    return [
        reply(decision, request.point.timezone)
        for decision, request in zip(decisions, requests, strict=True)
    ]


def reply(decision: Decision, timezone: str) -> AccessReply:
    """The reply for a decision: its attributes, or a Reply-Message saying why not."""
    if decision.accepted:
        return AccessReply(True, decision.attributes, decision.reason)
    resets_at = decision.allowance.resets_at if decision.allowance is not None else None
    message = reply_message(decision.reason, timezone=timezone, resets_at=resets_at)
    return AccessReply(False, (("Reply-Message", message),), decision.reason, decision.delay)
