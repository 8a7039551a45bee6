"""Report pages at /reports for Diskominfo (province, regency) and village admins.

Deny by default: one before_request requires a logged-in admin and fixes the region
scope (``g.scope``) every view passes to the domain; a village outside it is a 404.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import logout_user

from portal.database import db
from portal.domain import clock
from portal.domain.network.liveness import DOWN_AFTER
from portal.domain.network.regions import covers
from portal.domain.reporting import figures, status, village_report
from portal.i18n import current_language
from portal.models import Village
from portal.reports import words
from portal.reports.auth import current_scope, session_is_live
from portal.web import charts, context, formatting
from portal.web.privacy import retention_lines
from portal.web.summary import daily_summaries

bp = Blueprint("reports", __name__, url_prefix="/reports")
#: Villages per page of the overview (a province has up to 1,600).
PAGE_SIZE = 100
SORT_KEYS = {
    "desa": lambda v: v.name.lower(),
    "kode": lambda v: v.kode,
    "hari_ini": lambda v: v.users_today,
    "7_hari": lambda v: v.users_7d,
    "30_hari": lambda v: v.users_30d,
    "data": lambda v: v.bytes_30d,
    "uptime": lambda v: -1.0 if v.uptime_pct is None else v.uptime_pct,
    "terakhir": lambda v: v.last_heard.isoformat() if v.last_heard else "",
    "status": lambda v: v.state,
}


@bp.before_request
def _require_admin() -> Response | None:
    if not session_is_live():
        logout_user()
        return redirect(url_for("admin.login"))
    g.scope = current_scope()
    return None


@bp.after_request
def _private(response: Response) -> Response:
    # Report pages show every village of an area: never keep them in a shared cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def _formatting() -> dict[str, object]:
    return {"fmt": formatting, "words": words}


@bp.get("/")
def overview() -> str:
    """All villages in the admin's area, sortable, with district and regency totals."""
    now = context.now()
    result = status.overview(db.session, g.scope, now)
    sort = request.args.get("urut", "kode")
    descending = request.args.get("arah", "turun" if sort != "kode" else "naik") == "turun"
    result.villages.sort(key=SORT_KEYS.get(sort, SORT_KEYS["kode"]), reverse=descending)
    pages = max(1, -(-len(result.villages) // PAGE_SIZE))
    page = min(max(request.args.get("halaman", 1, type=int), 1), pages)
    shown = result.villages[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    outages = figures.outages(db.session, g.scope, now - OUTAGE_WINDOW, now)
    return render_template(
        "reports/overview.html", result=result, shown=shown, page=page, pages=pages,
        sort=sort, descending=descending, outages=outages,
    )  # fmt: skip


@bp.get("/desa/<kode>")
def village(kode: str) -> str:
    """One village: daily users and data, hour × weekday heatmap, session lengths."""
    found = db.session.get(Village, kode)
    if found is None or not covers(g.scope, kode):
        abort(404)
    start, end = _range(clock.local_day(context.now(), found.timezone))
    days = village_report.daily(db.session, kode, start, end)
    heat = village_report.heatmap(db.session, kode, start, end)
    lengths = village_report.session_lengths(db.session, kode, start, end)
    zone = found.timezone
    outages = figures.outages(
        db.session, kode, clock.day_end(start - timedelta(days=1), zone), clock.day_end(end, zone)
    )
    return render_template(
        "reports/village.html", village=found, start=start, end=end, days=days, heat=heat,
        outages=outages, emergency=figures.emergency_use(db.session, kode, start, end),
        lengths=lengths, weekdays=words.weekdays(), hours=HOURS,
        length_labels=words.length_labels(), charts=_village_charts(days, heat, lengths),
    )  # fmt: skip


def _village_charts(
    days: list[village_report.DayUsage],
    heat: village_report.Heatmap,
    lengths: village_report.SessionLengths,
) -> dict[str, object]:
    labels = [f"{d.day.day:02d}/{d.day.month:02d}" for d in days]
    number, size, highest = formatting.number, formatting.amount, words.highest()
    return {
        "users": charts.bar_chart(gettext("Pengguna per hari"), labels,
                                  [d.devices for d in days], describe=number, highest=highest),
        "data": charts.bar_chart(gettext("Data per hari"), labels,
                                 [d.bytes_total for d in days], describe=size, highest=highest),
        "heat": charts.heatmap(gettext("Rata-rata pengguna per jam"), words.weekdays(), HOURS,
                               heat.cells, describe=lambda v: number(v, 1)),
        "lengths": charts.bar_chart(gettext("Lama sesi"), words.length_labels(),
                                    lengths.counts, describe=number, every=1, highest=highest),
    }  # fmt: skip


HOURS = [formatting.hour_label(hour) for hour in range(24)]
#: The overview and the gateways-down page list the outages of this many last days.
OUTAGE_WINDOW = timedelta(days=7)


def _range(today: date) -> tuple[date, date]:
    """?dari=&sampai= (local dates), default the 30 days ending today; at most 366 days."""
    try:
        end = (
            date.fromisoformat(request.args.get("sampai", ""))
            if "sampai" in request.args
            else today
        )
        start = (
            date.fromisoformat(request.args["dari"])
            if "dari" in request.args
            else end - timedelta(days=29)
        )
    except ValueError:
        abort(400, gettext("Tanggal harus berbentuk YYYY-MM-DD"))
    if end < start or (end - start).days >= 366:
        abort(400, gettext("Rentang tanggal harus 1–366 hari"))
    return start, end


@bp.get("/gateway-mati")
def gateways_down() -> str:
    """Gateways in the admin's area not heard from lately, with since when."""
    now = context.now()
    down = status.gateways_down(db.session, g.scope, now)
    outages = figures.outages(db.session, g.scope, now - OUTAGE_WINDOW, now)
    return render_template(
        "reports/gateways_down.html",
        down=down,
        now=now,
        outages=outages,
        down_minutes=DOWN_AFTER // timedelta(minutes=1),
    )


@bp.get("/ringkasan")
def summary() -> str:
    """Today's summary per regency, as text to paste into a chat group."""
    summaries = daily_summaries(db.session, g.scope, context.now())
    return render_template("reports/summary.html", summaries=summaries)


@bp.get("/penyimpanan")
def retention_settings() -> str:
    """How long what is kept, in plain words."""
    lines = retention_lines(context.settings(), current_language())
    return render_template("reports/retention.html", lines=lines)


def init_app(app: Flask) -> None:
    """Register the report pages (after the admin console, whose login they use)."""
    from portal.reports import downloads  # noqa: F401 (registers the download views on bp)

    app.register_blueprint(bp)
