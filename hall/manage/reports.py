"""Reports from the event log: a pure function of a list of events (no store, no clock).

For a period (a local day, week or month) and the centre as a whole, each queue, window and staff
member: tickets issued, called and served, the no-show rate, mean and p90 wait (issue → first
call), mean service time (start, or the call when nobody pressed start, → finish), the rating rate
(ratings per ticket served), satisfaction as reported upward (好评率: ratings of 3–5 among all,
leaving out ratings overturned on appeal) and the mean score; arrivals by day and hour and by
queue and hour for the heatmaps, and a line per day for the charts.

Attribution: a wait belongs to the queue, window and staff member of the first call; a service to
those of the finish; a rating to those the rating event names; an arrival to the queue issued;
a no-show to the window (and its staff) and the queue of the call.
The staff member at a window is the one who opened it (the `staff` card of `window_opened`).
"""
import re
from datetime import date as Date, datetime, timedelta, time as dtime

from ..core.clock import zone
from ..stats import percentile

PERIODS = ("day", "week", "month")
GOOD_SCORES = (3, 4, 5)         # 基本满意, 满意, 非常满意: 好评 in the national 好差评 rules
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


class _Group:
    __slots__ = ("issued", "called", "served", "no_show", "waits", "services", "scores")

    def __init__(self):
        self.issued, self.served = 0, 0
        self.called, self.no_show = set(), set()
        self.waits, self.services, self.scores = [], [], []

    def figures(self, issued=True):
        scores = self.scores
        return {
            "issued": self.issued if issued else None,
            "called": len(self.called),
            "served": self.served,
            "no_shows": len(self.no_show),
            "no_show_rate": _ratio(len(self.no_show), len(self.called)),
            "mean_wait_s": _mean(self.waits),
            "p90_wait_s": _round(percentile(self.waits, 90)),
            "mean_service_s": _mean(self.services),
            "rated": len(scores),
            "rating_rate": _ratio(len(scores), self.served),
            "satisfaction": _ratio(sum(1 for s in scores if s in GOOD_SCORES), len(scores)),
            "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
            "bad_ratings": sum(1 for s in scores if s <= 2),
        }


def _natural(text):
    """'staff-2' before 'staff-10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(text))]


def _ratio(a, b):
    return round(a / b, 4) if b else None


def _round(x):
    return None if x is None else round(x, 1)


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None


class _Tally:
    """One pass over the events."""

    def __init__(self, start, end, tz, overturned):
        self.start, self.end, self.zone, self.overturned = start, end, zone(tz), overturned
        self.centre = _Group()
        self.by_queue, self.by_window, self.by_staff = {}, {}, {}
        self.staff_names = {}
        self.staff_at = {}           # window → username on duty
        self.tickets = {}            # id → what the ticket needs remembered
        self.by_day_hour, self.by_queue_hour = {}, {}
        self.days = {}

    def groups(self, queue=None, window=None, staff=None):
        out = [self.centre]
        for table, key in ((self.by_queue, queue), (self.by_window, window), (self.by_staff, staff)):
            if key is not None:
                g = table.get(key)
                if g is None:
                    g = table[key] = _Group()
                out.append(g)
        return out

    def day(self, day):
        row = self.days.get(day)
        if row is None:
            row = self.days[day] = _Group()
        return row

    def feed(self, e):
        kind, at = e["type"], e["at"]
        if kind == "window_opened":
            card = e.get("staff") or {}
            who = card.get("username") or e.get("by")
            self.staff_at[e["window"]] = who
            if card.get("name"):
                self.staff_names[who] = card["name"]
            return
        if kind == "window_closed":
            self.staff_at.pop(e["window"], None)
            return
        if kind == "day_started":
            self.staff_at.clear()
            return
        if not self.start <= at < self.end:
            return
        handler = getattr(self, "_" + kind, None)
        if handler is not None:
            handler(e, at)

    def _ticket_issued(self, e, at):
        local = datetime.fromtimestamp(at, self.zone)
        day, hour = local.date().isoformat(), local.hour
        self.tickets[e["ticket"]] = {"issued": at, "queue": e["queue"], "first_call": None, "called": None,
                                     "started": None, "day": day}
        for g in self.groups(queue=e["queue"]):
            g.issued += 1
        self.day(day).issued += 1
        row = self.by_day_hour.setdefault(day, {})
        row[hour] = row.get(hour, 0) + 1
        row = self.by_queue_hour.setdefault(e["queue"], {})
        row[hour] = row.get(hour, 0) + 1

    def _ticket_called(self, e, at):
        t = self.tickets.get(e["ticket"])
        if t is None:
            return
        t["called"], t["started"], t["queue"] = at, None, e["queue"]
        if t["first_call"] is None:
            t["first_call"] = at
            wait = at - t["issued"]
            for g in self.groups(e["queue"], e["window"], self.staff_at.get(e["window"])):
                g.called.add(e["ticket"])
                g.waits.append(wait)
            self.day(t["day"]).waits.append(wait)
            self.day(t["day"]).called.add(e["ticket"])

    def _ticket_started(self, e, at):
        t = self.tickets.get(e["ticket"])
        if t is not None:
            t["started"] = at

    def _ticket_finished(self, e, at):
        t = self.tickets.get(e["ticket"])
        if t is None:
            return
        service = at - (t["started"] or t["called"] or at)
        for g in self.groups(e.get("queue") or t["queue"], e["window"], self.staff_at.get(e["window"])):
            g.served += 1
            g.services.append(service)
        self.day(t["day"]).served += 1

    def _ticket_no_show(self, e, at):
        t = self.tickets.get(e["ticket"])
        if t is None:
            return
        for g in self.groups(t["queue"], e.get("window"), self.staff_at.get(e.get("window"))):
            g.no_show.add(e["ticket"])
        self.day(t["day"]).no_show.add(e["ticket"])

    def _ticket_transferred(self, e, at):
        t = self.tickets.get(e["ticket"])
        if t is not None:
            t["queue"] = e["queue"]

    def _tickets_moved(self, e, at):
        for tid in e["tickets"]:
            t = self.tickets.get(tid)
            if t is not None:
                t["queue"] = e["to_queue"]

    def _ticket_evaluated(self, e, at):
        if e["ticket"] in self.overturned:
            return
        for g in self.groups(e.get("queue"), e.get("window"), e.get("staff")):
            g.scores.append(e["score"])
        t = self.tickets.get(e["ticket"])
        day = t["day"] if t else datetime.fromtimestamp(at, self.zone).date().isoformat()
        self.day(day).scores.append(e["score"])


def build(events, config, start, end, overturned=()):
    """The report of the centre `config` (the normalized catalogue entry) for start <= at < end.

    `events` may reach further back or on (whole days are read); `overturned` names tickets whose
    rating an appeal overturned beyond these events (the events' own `followup_reviewed` count too).
    """
    overturned = set(overturned) | {e["ticket"] for e in events
                                    if e["type"] == "followup_reviewed" and e.get("outcome") == "overturned"}
    tally = _Tally(start, end, config["timezone"], overturned)
    for e in events:
        tally.feed(e)
    queue_names = {q["id"]: q["name"] for q in config["queues"]}
    window_names = {w["number"]: w["name"] for w in config["windows"]}
    order = {q: i for i, q in enumerate(queue_names)}
    hours = sorted({h for rows in (tally.by_day_hour, tally.by_queue_hour) for row in rows.values() for h in row})
    if hours:
        hours = list(range(hours[0], hours[-1] + 1))
    return {
        "totals": tally.centre.figures(),
        "queues": [{"id": q, "name": queue_names.get(q, q), **g.figures()}
                   for q, g in sorted(tally.by_queue.items(), key=lambda kv: (order.get(kv[0], 999), kv[0]))],
        "windows": [{"number": n, "name": window_names.get(n, f"{n}号窗口"), **g.figures(issued=False)}
                    for n, g in sorted(tally.by_window.items())],
        "staff": [{"username": u, "name": tally.staff_names.get(u, u), **g.figures(issued=False)}
                  for u, g in sorted(tally.by_staff.items(), key=lambda kv: _natural(kv[0]))],
        "days": [{"day": d, **{k: v for k, v in g.figures().items()
                               if k in ("issued", "served", "mean_wait_s", "p90_wait_s", "satisfaction", "rated")}}
                 for d, g in sorted(tally.days.items())],
        "heatmap": {
            "hours": hours,
            "by_day": [{"label": d, "counts": [row.get(h, 0) for h in hours]}
                       for d, row in sorted(tally.by_day_hour.items())],
            "by_queue": [{"label": queue_names.get(q, q), "queue": q, "counts": [row.get(h, 0) for h in hours]}
                         for q, row in sorted(tally.by_queue_hour.items(), key=lambda kv: order.get(kv[0], 999))],
        },
    }
