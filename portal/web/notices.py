"""Notifications as text: a subject and a body per outbox row, in Bahasa Indonesia.

The words are the catalog's (`portal.messages.NOTICES`); times are written in the
area's zone the way the console writes them; the daily summary is
`portal.web.summary.text`, the one the summary page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal import messages
from portal.domain.network.inventory import ContractEnding
from portal.domain.reporting.summary import AreaDay
from portal.messages import NOTICE_GROUPS, NOTICES
from portal.web import formatting, summary


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str

    @property
    def chat_text(self) -> str:
        """Subject and body as one chat message."""
        return f"{self.subject}\n{self.body}"


def _moment(text: object, zone: object) -> str:
    return formatting.local_datetime(datetime.fromisoformat(str(text)), str(zone))


def render(kind: str, params: dict[str, object], *, area_name: str, language: str = "id") -> Notice:
    """The notice of an event ``kind`` with its stored ``params``.

    Raises KeyError for an unknown kind.
    """
    subject, body = (messages.words(text, language) if text else "" for text in NOTICES[kind])
    values = {key: value for key, value in params.items() if isinstance(value, str | int)}
    values["area"] = area_name
    if kind in ("gateway_down", "gateway_up"):
        values["since"] = _moment(params["since"], params["timezone"])
        if "back" in params:
            values["back"] = _moment(params["back"], params["timezone"])
    if kind == "contract_ending":
        end = date.fromisoformat(str(params["contract_end"]))
        values["date"] = f"{end.day:02d}-{end.month:02d}-{end.year}"
        values["provider"] = values.get("provider") or "–"
        values["programme"] = values.get("programme") or "–"
    if kind == "daily_summary":
        at = datetime.fromisoformat(str(params["at"]))
        areas = [_area_day(item) for item in params["areas"]]  # type: ignore[union-attr]
        body = "\n\n".join(summary.text(area, at) for area in areas) or "–"
        return Notice(subject % values, body)
    return Notice(subject % values, body % values)


def render_many(
    kind: str, many: list[dict[str, object]], *, area_name: str, language: str = "id"
) -> Notice:
    """One notice for several events of one ``kind``: a count in the subject, one line
    each in the body. Raises KeyError for a kind that is not grouped."""
    subject = messages.words(NOTICE_GROUPS[kind], language) % {
        "count": len(many), "area": area_name,
    }  # fmt: skip
    lines = [render(kind, params, area_name=area_name, language=language).body for params in many]
    return Notice(subject, "\n".join(f"• {line}" for line in lines))


def _area_day(item: object) -> AreaDay:
    """An `AreaDay` back from its stored JSON form."""
    values = dict(item)  # type: ignore[call-overload]
    values["down_villages"] = tuple(values.get("down_villages", ()))
    values["contracts_ending"] = tuple(
        ContractEnding(**(entry | {"contract_end": date.fromisoformat(entry["contract_end"])}))
        for entry in values.get("contracts_ending", ())
    )
    return AreaDay(**values)
