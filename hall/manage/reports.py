"""Reports from per-day aggregates: a pure function of rows (no store, no clock).

For a period (a local day, week or month) and the centre as a whole, each queue, window and staff
member: tickets issued, called and served, the no-show rate, mean and p90 wait, mean service time,
the rating rate (ratings per ticket served), satisfaction as reported upward (好评率: ratings of 3–5
among all, leaving out ratings overturned on appeal) and the mean score; arrivals by day and hour
and by queue and hour for the heatmaps, and a line per day for the charts.

What each figure means, and to whom it is attributed, is defined once in `hall.core.lives` (the
read model of a ticket's life); the rows come from the store's aggregates kept as events arrive
(`hall.store.aggregates`), or from `build(events, ...)` folding a span of raw events the same way.
"""
import re
from datetime import date as Date, datetime, timedelta, time as dtime

from ..core.clock import zone
from ..core.lives import Lives, figures, new_row, select

PERIODS = ("day", "week", "month")
FIGURES = ("issued", "called", "served", "no_shows", "no_show_rate", "mean_wait_s", "p90_wait_s",
           "mean_service_s", "rated", "rating_rate", "satisfaction", "mean_score", "bad_ratings")


def period_bounds(period, day, tz):
    """(first local date, last local date, start epoch, end epoch) of the period holding `day`."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    d = day if isinstance(day, Date) else Date.fromisoformat(day)
    if period == "day":
        first, last = d, d
    elif period == "week":
        first = d - timedelta(days=d.weekday())
        last = first + timedelta(days=6)
    else:
        first = d.replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    z = zone(tz)
    start = datetime.combine(first, dtime(0), z).timestamp()
    end = datetime.combine(last + timedelta(days=1), dtime(0), z).timestamp()
    return first, last, start, end


def _natural(text):
    """'staff-2' before 'staff-10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text))]


def build(events, config, start, end, overturned=()):
    """The report of the centre `config` (the normalized catalogue entry) for start <= at < end, from
    raw events (whole local days; `overturned` names tickets whose rating an appeal overturned beyond
    these events)."""
    lives = Lives(config["timezone"])
    lives.feed_all(events)
    for ticket in overturned:
        lives.feed({"type": "followup_reviewed", "ticket": ticket, "outcome": "overturned"})
    z = zone(config["timezone"])
    first = datetime.fromtimestamp(start, z).date().isoformat()
    last = datetime.fromtimestamp(end - 1, z).date().isoformat()
    return from_rows(lives.take(), config, first, last)


def from_rows(rows, config, first, last):
    """The report from aggregate rows {(day, kind, key): row} of the days first..last (ISO dates)."""
    rows = {k: r for k, r in rows.items() if first <= k[0] <= last}
    totals = select(rows, first, last)
    queue_names = {q["id"]: q["name"] for q in config["queues"]}
    window_names = {w["number"]: w["name"] for w in config["windows"]}
    order = {q: i for i, q in enumerate(queue_names)}

    def of(kind):
        return {key: r for (k, key), r in totals.items() if k == kind and not _empty(r)}

    by_day = {day: r for (day, kind, _), r in sorted(rows.items()) if kind == "centre"}
    by_queue_hours = {}
    for (_, kind, key), r in rows.items():
        if kind == "queue" and r["hours"]:
            dst = by_queue_hours.setdefault(key, {})
            for h, n in r["hours"].items():
                dst[int(h)] = dst.get(int(h), 0) + n
    by_day_hours = {day: {int(h): n for h, n in r["hours"].items()} for day, r in by_day.items() if r["hours"]}
    hours = sorted({h for table in (by_day_hours, by_queue_hours) for row in table.values() for h in row})
    if hours:
        hours = list(range(hours[0], hours[-1] + 1))
    centre = totals.get(("centre", "")) or new_row()
    staff = of("staff")
    return {
        "totals": figures(centre),
        "queues": [{"id": q, "name": queue_names.get(q, q), **figures(r)}
                   for q, r in sorted(of("queue").items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))],
        "windows": [{"number": n, "name": window_names.get(n, f"{n}号窗口"), **figures(r), "issued": None}
                    for n, r in sorted((int(k), r) for k, r in of("window").items())],
        "staff": [{"username": u, "name": r.get("name") or u, **figures(r), "issued": None}
                  for u, r in sorted(staff.items(), key=lambda kv: _natural(kv[0]))],
        "days": [{"day": d, **{k: v for k, v in figures(r).items()
                               if k in ("issued", "served", "mean_wait_s", "p90_wait_s", "satisfaction", "rated")}}
                 for d, r in by_day.items() if not _empty(r)],
        "heatmap": {
            "hours": hours,
            "by_day": [{"label": d, "counts": [row.get(h, 0) for h in hours]}
                       for d, row in sorted(by_day_hours.items())],
            "by_queue": [{"label": queue_names.get(q, q), "queue": q, "counts": [row.get(h, 0) for h in hours]}
                         for q, row in sorted(by_queue_hours.items(), key=lambda kv: order.get(kv[0], 999))],
        },
    }


def _empty(row):
    return not (row["issued"] or row["called"] or row["served"] or row["no_shows"] or any(row["scores"]))
