"""The usage export as an HTTP response, for the reports API and the report pages alike.

Both read the same query parameters (``scope``, ``from``, ``to``, ``group``, ``format``,
``variant``, ``totals``) and answer with this one function, so a file downloaded from
the report pages has the same bytes as the API's answer to the same question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import Response, jsonify, request, stream_with_context

from portal.adapters import export_files
from portal.database import db
from portal.domain.network.regions import UnknownRegion, lookup
from portal.domain.reporting import exports, reports, satudata
from portal.web import context

FORMATS = ("json", "csv")


class BadParameter(ValueError):
    """A query parameter is missing or malformed; the message says which."""


@dataclass(frozen=True)
class UsageQuery:
    """What an export asks for; ``scope`` is a dotted region code."""

    scope: str
    start: date
    end: date
    group: str = "day"
    output: str = "json"
    variant: str = "internal"
    totals: bool = False


def _date(args: Mapping[str, str], name: str) -> date:
    try:
        return date.fromisoformat(args.get(name, ""))
    except ValueError:
        raise BadParameter(f"'{name}' must be a date YYYY-MM-DD") from None


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = args.get(name, default)
    if value not in choices:
        raise BadParameter(f"'{name}' must be one of {', '.join(choices)}")
    return value


def parse_query(args: Mapping[str, str]) -> UsageQuery:
    """The export asked for by query parameters; raises BadParameter naming the first bad one
    (the range itself is checked by the domain: reports.InvalidReportRequest)."""
    try:
        scope = lookup(args.get("scope", "")).kode
    except UnknownRegion as error:
        raise BadParameter(f"'scope': {error}") from None
    return UsageQuery(
        scope=scope, start=_date(args, "from"), end=_date(args, "to"),
        group=_choice(args, "group", reports.GROUPS, "day"),
        output=_choice(args, "format", FORMATS, "json"),
        variant=_choice(args, "variant", satudata.VARIANTS, "internal"),
        totals=args.get("totals") == "1",
    )  # fmt: skip


def file_name(query: UsageQuery) -> str:
    """The download's file name, e.g. wifidesa-64.01-2026-11-01-2026-11-30-day-open.csv."""
    extension = "csv" if query.output == "csv" else "json"
    return (
        f"wifidesa-{query.scope}-{query.start}-{query.end}-{query.group}-{query.variant}"
        f".{extension}"
    )


def usage_response(query: UsageQuery, *, attachment: bool = False) -> Response:
    """The export as Satu Data CSV (streamed, month by month) or JSON with its metadata link.

    CSV is always an attachment; JSON only when ``attachment`` (the body is the same).
    Raises reports.InvalidReportRequest for a range the domain refuses.
    """
    settings = context.settings()
    options = {
        "group": query.group, "variant": query.variant, "totals": query.totals,
        "threshold": settings.suppression_threshold,
    }  # fmt: skip
    if query.output == "csv":
        months = export_files.MonthFiles(export_files.folder_of(settings.data_dir))
        chunks = exports.export_csv(
            db.session, query.scope, query.start, query.end, months=months,
            now=context.now(), **options,
        )  # fmt: skip
        return Response(
            stream_with_context(chunks),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{file_name(query)}"'},
        )
    records = satudata.export_records(db.session, query.scope, query.start, query.end, **options)
    response = jsonify(
        scope=query.scope, group=query.group, variant=query.variant,
        columns=list(satudata.columns(query.group)), rows=records,
        metadata=metadata_url(query.group, query.start, query.end, query.variant),
        **{"from": query.start.isoformat(), "to": query.end.isoformat()},
    )  # fmt: skip
    if attachment:
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(query)}"'
    return response


def metadata_url(group: str, start: date, end: date, variant: str) -> str:
    """Where the Satu Data metadata of an export is (public, no figures)."""
    return (
        f"{request.script_root}/api/v1/usage/metadata.json"
        f"?group={group}&from={start}&to={end}&variant={variant}"
    )
