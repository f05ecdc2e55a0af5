"""Reports (JSON, CSV, XLSX) from the per-day aggregates; the audit log from the raw events of its span."""
from collections import deque
from datetime import date as Date, datetime, timedelta
from typing import Annotated, Literal

from flask import Blueprint, Response, current_app, jsonify
from pydantic import Field

from ..api import models as m
from ..api.common import ApiError, hall, now
from ..api.spec import args, declare
from ..core import ratings
from ..core.clock import at_local, local, zone
from ..text import lookup
from . import audit, evaluations, export, reports
from .api import _manager
from .logs import iter_between

bp = Blueprint("api_manage_reports", __name__)

AUDIT_MAX_SPAN_S = 93 * 86400


class ReportQuery(m.Query):
    period: Literal[reports.PERIODS] = "day"
    date: Annotated[str, Field(max_length=10, description="YYYY-MM-DD; today when absent")] | None = None
    format: Literal["json", "csv", "xlsx"] = "json"
    table: Literal[tuple(export.TABLES)] = "queues"


@bp.get("/centers/<cid>/reports")
@declare({200: m.Anything}, query=ReportQuery, guard=_manager)
def report(cid):
    """a day/week/month report from the event log: by centre, queue, window, staff; arrivals heatmap

    Who: a manager of the centre. `format=csv` or `xlsx` answers a download of `table`."""
    q = args()
    period, fmt, table = q.period, q.format, q.table
    with hall().reading(cid) as state:
        config = state.config.raw
        tz = config["timezone"]
        day = q.date or local(now(), tz).date().isoformat()
        try:
            first, last, _, _ = reports.period_bounds(period, day, tz)
        except ValueError:
            raise ApiError("bad_input", "'date' must be a date like 2026-11-26", 400) from None
        rows = current_app.extensions["aggregates"].rows(cid, first.isoformat(), last.isoformat(), state)
        hours = state.config.hours
    r = reports.from_rows(rows, config, first.isoformat(), last.isoformat(), hours)
    r.update({"center": cid, "center_name": config["name"], "period": period, "from": first.isoformat(),
              "to": last.isoformat(), "generated_at": local(now(), tz).isoformat(timespec="seconds")})
    title = f"{config['name']} {first.isoformat()}" + (f" 至 {last.isoformat()}" if last != first else "")
    name = f"hall-{cid}-{period}-{first.isoformat()}"
    if fmt == "csv":
        return Response(export.to_csv(r, table, config["name"]), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'})
    if fmt == "xlsx":
        return Response(export.to_xlsx(r, config["name"], title),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return jsonify(r)


class EvaluationsQuery(m.Query):
    from_: Annotated[str, Field(max_length=10, description="YYYY-MM-DD, the first day; the month's first "
                                "when absent")] | None = Field(None, alias="from")
    to: Annotated[str, Field(max_length=10, description="YYYY-MM-DD, the last day (included); today when "
                             "absent")] | None = None
    format: Literal["json", "csv", "xlsx"] = "json"


def _day_arg(raw, name):
    try:
        return Date.fromisoformat(raw)
    except ValueError:
        raise ApiError("bad_input", f"'{name}' must be a date like 2026-11-26", 400) from None


@bp.get("/centers/<cid>/evaluations")
@declare({200: m.Anything}, query=EvaluationsQuery, guard=_manager)
def evaluations_export(cid):
    """the period's 好差评 evaluations for the upward report (GB/T 39734/39735 data items), one line per
    rating with its follow-up's 整改 and 回访; `from`..`to` (days, at most 93; default: this month up to
    today); JSON, CSV or XLSX

    Who: a manager of the centre."""
    q = args()
    with hall().reading(cid) as state:
        config = state.config.raw
        lookback = (ratings.rating_days(state.config) + 1) * 86400
    tz = config["timezone"]
    today = local(now(), tz).date()
    last = _day_arg(q.to, "to") if q.to else today
    first = _day_arg(q.from_, "from") if q.from_ else last.replace(day=1)
    if last < first:
        raise ApiError("bad_input", "'to' must not be before 'from'", 400)
    if (last - first).days + 1 > evaluations.MAX_SPAN_DAYS:
        raise ApiError("bad_input", f"ask for at most {evaluations.MAX_SPAN_DAYS} days at a time", 400)
    start = at_local(first.isoformat(), 0, tz)
    end = at_local((last + timedelta(days=1)).isoformat(), 0, tz)
    horizon = min(now(), end + evaluations.HORIZON_DAYS * 86400)
    # a rating of a log older than its events' `item` names a ticket issued up to `rating_days` before:
    # its issue tells its item
    events = iter_between(hall(), cid, start - lookback, max(horizon, end))
    lines = evaluations.rows(events, config, lambda code: lookup(f"rating.{code}") or code, start, end)
    name = f"hall-{cid}-evaluations-{first.isoformat()}-{last.isoformat()}"
    if q.format == "csv":
        return Response(evaluations.to_csv(lines), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if q.format == "xlsx":
        title = f"{config['name']} 好差评评价明细 {first.isoformat()} 至 {last.isoformat()}"
        return Response(evaluations.to_xlsx(lines, title),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return jsonify({"center": cid, "center_name": config["name"], "from": first.isoformat(), "to": last.isoformat(),
                    "generated_at": local(now(), tz).isoformat(timespec="seconds"),
                    "columns": [{"key": k, "title": t} for k, t in evaluations.COLUMNS],
                    "count": len(lines), "evaluations": lines})


def _time_arg(raw, name, tz, default):
    if not raw:
        return default
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError("bad_input", f"'{name}' must be a time like 2026-11-26T09:00", 400) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=zone(tz))
    return t.timestamp()


@bp.get("/centers/<cid>/audit")
@declare({200: m.AuditPage}, query=m.AuditQuery, guard=_manager)
def audit_log(cid):
    """the audit log: events filtered by window, staff, ticket (id or number), type and time, newest first

    Who: a manager of the centre."""
    q = args()
    with hall().reading(cid) as state:
        tz = state.config.timezone
    t = now()
    start = _time_arg(q.from_, "from", tz, t - 86400)
    end = _time_arg(q.to, "to", tz, None)
    if end is not None and end <= start:
        raise ApiError("bad_input", "'to' must be after 'from'", 400)
    if (end or t) - start > AUDIT_MAX_SPAN_S:
        raise ApiError("bad_input", "ask for at most 93 days at a time", 400)
    types = [x for x in (q.type or "").split(",") if x] or None
    limit = q.limit
    # the span is read page by page; only the last `limit` matches are held
    found, total = deque(maxlen=limit), 0
    for e in audit.matching(iter_between(hall(), cid, start, end), q.window, q.staff or None, q.ticket or None,
                            types):
        found.append(e)
        total += 1
    return jsonify({"events": list(found)[::-1], "total": total, "more": total > limit,
                    "from": local(start, tz).isoformat(timespec="seconds"),
                    "to": local(end, tz).isoformat(timespec="seconds") if end else None})
