"""Reports from per-day aggregates: a pure function of rows (no store, no clock).

For a period (a local day, week or month) and the centre as a whole, each queue, window and staff
member: tickets issued, called and served, the no-show rate, mean and p90 wait, mean service time,
the rating rate (ratings per ticket served), the mean score and the three rates of the national
好差评 rules (GB/T 39735-2020), each service counted once however many channels rated it (its lowest
score, `hall.core.ratings.counting`) and ratings overturned on appeal left out:

- 好评率 `satisfaction`: services rated 非常满意, 满意 or 基本满意 (5, 4, 3) among services rated;
- 差评整改率 `rectification_rate`: 差评 (1, 2) put right — rectified, or found unfounded and answered —
  by their follow-up's deadline (working days, `hall.core.followups.deadline`) among all 差评;
- 回访率 `revisit_rate`: 差评 whose return visit (回访) is recorded among all 差评
  (`revisit_satisfaction`: of those visited, the share satisfied after the rectification).

A 差评's follow-up figures belong to the day, queue, window and staff its rating was counted for.
Arrivals by day and hour and by queue and hour for the heatmaps, a line per day for the charts, and
the days of the period the centre was closed (`closed_days`, with the holiday's name): a closed day
is not a day with no service, so it is neither in `days` nor in the per-open-day means
(`open_days`, `issued_per_open_day`, `served_per_open_day`). A period in a year the official calendar
does not cover names that year in `calendar_uncovered`: its holidays are unknown there, not absent.

What each figure means, and to whom it is attributed, is defined once in `hall.core.lives` (the
read model of a ticket's life); the rows come from the store's aggregates kept as events arrive
(`hall.store.aggregates`), or from `build(events, ...)` folding a span of raw events the same way.
"""
import re
from datetime import date as Date, datetime, timedelta, time as dtime

from ..core.clock import day_hours, uncovered_years, zone
from ..core.lives import Lives, figures, new_row, select

PERIODS = ("day", "week", "month")
FIGURES = ("issued", "called", "served", "no_shows", "no_show_rate", "mean_wait_s", "p90_wait_s",
           "mean_service_s", "rated", "rating_rate", "satisfaction", "mean_score", "bad_ratings", "followups",
           "rectified_on_time", "rectification_rate", "revisited", "revisit_rate", "revisit_satisfaction")


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


def closed_days(hours, first, last):
    """[{"day", "holiday"}] of the dates first..last (ISO) a centre with `hours` (hall.core.clock.Hours,
    None: always open) does not open on; `holiday` is the public holiday's name, "" for the centre's
    own closed date, None for its weekly day off."""
    if hours is None:
        return []
    out, d, end = [], Date.fromisoformat(first), Date.fromisoformat(last)
    while d <= end:
        if not day_hours(hours, d):
            why = getattr(hours, "closed", {}).get(d.isoformat())
            out.append({"day": d.isoformat(), "holiday": why})
        d += timedelta(days=1)
    return out


def build(events, config, start, end, overturned=(), opening=None):
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
    return from_rows(lives.take(), config, first, last, opening)


def from_rows(rows, config, first, last, opening=None):
    """The report from aggregate rows {(day, kind, key): row} of the days first..last (ISO dates);
    `opening` (the centre's parsed hours, hall.core.clock.Hours) tells which of them it was closed."""
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
    closed = closed_days(opening, first, last)
    shut = {c["day"] for c in closed}
    # a closed day that still saw service (a centre opened by hand) counts as open
    open_days = (Date.fromisoformat(last) - Date.fromisoformat(first)).days + 1 - len(shut - set(by_day))
    total = figures(centre)
    return {
        "totals": {**total, "open_days": open_days,
                   "issued_per_open_day": round(total["issued"] / open_days, 1) if open_days else None,
                   "served_per_open_day": round(total["served"] / open_days, 1) if open_days else None},
        "closed_days": [c for c in closed if c["day"] not in by_day or _empty(by_day[c["day"]])],
        # years the official calendar does not cover: their holidays are unknown, not absent
        "calendar_uncovered": uncovered_years(opening, Date.fromisoformat(first), Date.fromisoformat(last)),
        "queues": [{"id": q, "name": queue_names.get(q, q), **figures(r)}
                   for q, r in sorted(of("queue").items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))],
        "windows": [{"number": n, "name": window_names.get(n, f"{n}号窗口"), **figures(r), "issued": None}
                    for n, r in sorted((int(k), r) for k, r in of("window").items())],
        "staff": [{"username": u, "name": r.get("name") or u, **figures(r), "issued": None}
                  for u, r in sorted(staff.items(), key=lambda kv: _natural(kv[0]))],
        "days": [{"day": d, **{k: v for k, v in figures(r).items()
                               if k in ("issued", "served", "mean_wait_s", "p90_wait_s", "satisfaction", "rated",
                                        "followups", "rectification_rate", "revisit_rate")}}
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
