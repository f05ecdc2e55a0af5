"""Reports (JSON, CSV, XLSX) from the per-day aggregates; the audit log from the raw events of its span."""
from collections import deque
from datetime import datetime

from flask import Blueprint, Response, current_app, jsonify, request

from ..api.common import ApiError, existing_center, hall, int_arg, now
from ..core.clock import local, zone
from . import audit, export, reports
from .api import MANAGERS, _manager
from .logs import iter_between

bp = Blueprint("api_manage_reports", __name__)

FORMATS = ("json", "csv", "xlsx")
AUDIT_MAX = 2000
AUDIT_MAX_SPAN_S = 93 * 86400


def _choice(name, choices, default):
    value = request.args.get(name) or default
    if value not in choices:
        raise ApiError("bad_input", f"'{name}' must be one of {', '.join(choices)}", 400)
    return value


@bp.get("/centers/<cid>/reports")
def report(cid):
    _manager(cid)
    period = _choice("period", reports.PERIODS, "day")
    fmt = _choice("format", FORMATS, "json")
    table = _choice("table", tuple(export.TABLES), "queues")
    with hall().reading(cid) as state:
        config = state.config.raw
        tz = config["timezone"]
        day = request.args.get("date") or local(now(), tz).date().isoformat()
        try:
            first, last, _, _ = reports.period_bounds(period, day, tz)
        except ValueError:
            raise ApiError("bad_input", "'date' must be a date like 2026-11-26", 400) from None
        rows = current_app.extensions["aggregates"].rows(cid, first.isoformat(), last.isoformat(), state)
    r = reports.from_rows(rows, config, first.isoformat(), last.isoformat())
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


def _time_arg(name, tz, default):
    raw = request.args.get(name)
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
def audit_log(cid):
    existing_center(cid)
    _manager(cid, MANAGERS)
    with hall().reading(cid) as state:
        tz = state.config.timezone
    t = now()
    start = _time_arg("from", tz, t - 86400)
    end = _time_arg("to", tz, None)
    if end is not None and end <= start:
        raise ApiError("bad_input", "'to' must be after 'from'", 400)
    if (end or t) - start > AUDIT_MAX_SPAN_S:
        raise ApiError("bad_input", "ask for at most 93 days at a time", 400)
    window = int_arg("window", None, 1, 9999)
    staff = request.args.get("staff") or None
    ticket = request.args.get("ticket") or None
    types = [x for x in (request.args.get("type") or "").split(",") if x] or None
    limit = int_arg("limit", 500, 1, AUDIT_MAX)
    # the span is read page by page; only the last `limit` matches are held
    found, total = deque(maxlen=limit), 0
    for e in audit.matching(iter_between(hall(), cid, start, end), window, staff, ticket, types):
        found.append(e)
        total += 1
    return jsonify({"events": list(found)[::-1], "total": total, "more": total > limit,
                    "from": local(start, tz).isoformat(timespec="seconds"),
                    "to": local(end, tz).isoformat(timespec="seconds") if end else None})
