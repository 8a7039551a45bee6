"""Which events an area should hear about now, each with a key that names it once.

- ``gateway_down``: a gateway silent for longer than the area's threshold, keyed by the
  gateway and the last time it was heard (a later silence is a new event);
- ``gateway_up``: its return, keyed like the silence it ends;
- ``contract_ending``: a gateway's provider contract ending within 30 days
  (`portal.domain.network.inventory.contracts_ending`), keyed by gateway and end date;
- ``daily_summary``: the area's day so far (`portal.domain.reporting.summary`) once the
  area's local clock passes the chosen time, keyed by the local date.

Parameters carry names of villages and gateways, times and figures — never a MAC, an
IP address or a pseudonym. Whether an event was already queued is the outbox's business.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.domain import clock
from portal.domain.network import inventory, regions
from portal.domain.reporting import figures
from portal.domain.reporting.summary import areas_today
from portal.models import Notification, NotifySettings

GATEWAY_DOWN, GATEWAY_UP = "gateway_down", "gateway_up"
CONTRACT_ENDING, DAILY_SUMMARY, TEST = "contract_ending", "daily_summary", "test"
CONTRACT_DAYS = 30
#: A silence that began longer ago than this is old news, not an alert (a worker that
#: is switched on for the first time does not report every router dead since last year).
DOWN_LOOKBACK = timedelta(days=7)
#: Down alerts younger than this are watched for the gateway's return.
RETURN_LOOKBACK = timedelta(days=30)


@dataclass(frozen=True)
class Event:
    key: str
    kind: str
    params: dict[str, object] = field(default_factory=dict)

    def params_json(self) -> str:
        """The parameters as JSON (dates and times in ISO form)."""
        return json.dumps(self.params, sort_keys=True, ensure_ascii=False, default=str)


def area_timezone(area_kode: str) -> str:
    """The area's zone (WIB, WITA or WIT), the one its villages keep."""
    return regions.default_timezone(area_kode)


def due_events(session: Session, area: NotifySettings, now: datetime) -> list[Event]:
    """Every event ``area`` should hear about at ``now`` (naive UTC), queued or not."""
    states = figures.gateway_states(session, area.scope_kode, now)
    return [
        *silent_gateways(states, area.silent_minutes, now),
        *returned_gateways(session, area.scope_kode, states, now),
        *contracts(session, area.scope_kode, now),
        *summary(session, area, now),
    ]


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y%m%dT%H%M%S")


def _gateway_params(state: figures.GatewayState, since: datetime) -> dict[str, object]:
    return {
        "gateway_id": state.id,
        "gateway": state.nas_identifier,
        "village": state.village_name,
        "district": state.district_name,
        "since": since.isoformat(),
        "timezone": state.timezone,
    }


def silent_gateways(
    states: list[figures.GatewayState], silent_minutes: int, now: datetime
) -> list[Event]:
    """Gateways down (`figures.gateway_states`: after `liveness.DOWN_AFTER`) and last heard
    longer than ``silent_minutes`` ago, within DOWN_LOOKBACK. A threshold shorter than
    DOWN_AFTER waits for it: an officer is never told "down" about a router the reports
    still show as up (one heartbeat lost on a satellite link)."""
    threshold = timedelta(minutes=silent_minutes)
    return [
        Event(
            f"{GATEWAY_DOWN}:{state.id}:{_stamp(state.last_heard)}",
            GATEWAY_DOWN,
            _gateway_params(state, state.last_heard),
        )
        for state in states
        if state.state == figures.DOWN
        and state.last_heard is not None
        and threshold < now - state.last_heard <= DOWN_LOOKBACK
    ]


def returned_gateways(
    session: Session, area_kode: str, states: list[figures.GatewayState], now: datetime
) -> list[Event]:
    """Gateways reported down that were heard from again since."""
    reported = session.scalars(
        sa.select(Notification.params)
        .where(
            Notification.scope_kode == area_kode,
            Notification.kind == GATEWAY_DOWN,
            Notification.created_at >= now - RETURN_LOOKBACK,
        )
        .distinct()
    )
    by_id = {state.id: state for state in states}
    events: dict[str, Event] = {}
    for text in reported:
        params = json.loads(text)
        state = by_id.get(int(params["gateway_id"]))
        since = datetime.fromisoformat(str(params["since"]))
        if state is None or state.last_heard is None or state.last_heard <= since:
            continue
        key = f"{GATEWAY_UP}:{state.id}:{_stamp(since)}"
        back = _gateway_params(state, since) | {"back": state.last_heard.isoformat()}
        events[key] = Event(key, GATEWAY_UP, back)
    return list(events.values())


def contracts(session: Session, area_kode: str, now: datetime) -> list[Event]:
    """Contracts of the area's gateways ending within CONTRACT_DAYS of the local today."""
    today = clock.local_day(now, area_timezone(area_kode))
    ending = inventory.contracts_ending(
        session, area_kode=area_kode, today=today, within_days=CONTRACT_DAYS, ended_within_days=0
    )
    return [
        Event(
            f"{CONTRACT_ENDING}:{item.gateway_id}:{item.contract_end.isoformat()}",
            CONTRACT_ENDING,
            {
                "gateway_id": item.gateway_id,
                "gateway": item.nas_identifier,
                "village": item.village_name,
                "provider": item.provider or "",
                "programme": item.programme or "",
                "contract_end": item.contract_end.isoformat(),
                "days_left": item.days_left,
            },
        )
        for item in ending
    ]


def summary_due_at(area: NotifySettings, now: datetime) -> datetime | None:
    """The local moment (naive, in the area's zone) today's summary is due, or None."""
    if not area.summary_time:
        return None
    hours, minutes = (int(part) for part in area.summary_time.split(":"))
    local = clock.to_local(now, area_timezone(area.scope_kode)).replace(tzinfo=None)
    return datetime.combine(local.date(), time(hours, minutes))


def summary(session: Session, area: NotifySettings, now: datetime) -> list[Event]:
    """Today's summary once the area's local clock has passed ``summary_time`` (nothing
    once it is queued: the figures are not worked out again every minute of the evening)."""
    due = summary_due_at(area, now)
    local = clock.to_local(now, area_timezone(area.scope_kode)).replace(tzinfo=None)
    if due is None or local < due:
        return []
    key = f"{DAILY_SUMMARY}:{local.date().isoformat()}"
    queued = sa.select(Notification.id).where(
        Notification.scope_kode == area.scope_kode, Notification.event_key == key
    )
    if session.scalar(queued.limit(1)) is not None:
        return []
    areas = [asdict(day) for day in areas_today(session, area.scope_kode, now)]
    return [Event(key, DAILY_SUMMARY, {"at": now.isoformat(), "areas": areas})]
