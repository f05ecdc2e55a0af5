"""A day's figures from its event log: waits, service, utilisation, no-shows. Works on any Hall log.

Waits, service times and counts are the read model's (`hall.core.lives`), the very figures the
managers' report shows for the same day; only utilisation (busy ÷ open window time) is the
simulator's own.
"""
from ..core.lives import Lives, figures, new_row, select, bucket_value

DEFAULT_TZ = "Asia/Shanghai"


def split_days(events):
    """The log cut at every `day_started`: a list of (day, events of that day)."""
    days, current, day = [], [], None
    for e in events:
        if e["type"] == "day_started":
            if current and day is not None:
                days.append((day, current))
            current, day = [], e["day"]
            continue
        current.append(e)
    if current and day is not None:
        days.append((day, current))
    return days


def day_figures(events, tz=DEFAULT_TZ):
    """Figures of one day's events (as `split_days` gives them)."""
    row = select(Lives(tz).feed_all(events).take(), "", "9999-12-31").get(("centre", "")) or new_row()
    f = figures(row)
    longest = max((int(k) for k in row["waits"]), default=None)
    return {
        "tickets": row["issued"],
        "called": row["called"],
        "served": row["served"],
        "no_shows": row["no_shows"],
        "cancelled": row["cancelled"],
        "transferred": row["transferred"],
        "mean_wait_s": f["mean_wait_s"],
        "p90_wait_s": f["p90_wait_s"],
        "max_wait_s": None if longest is None else bucket_value(longest),
        "mean_service_s": f["mean_service_s"],
        "utilisation": utilisation(events),
    }


def utilisation(events):
    """Busy time (a call until its ticket leaves the window) over open window time."""
    avail_since, available, busy_since, busy = {}, 0.0, {}, 0.0
    last_at = None
    for e in events:
        t, kind = e["at"], e["type"]
        last_at = t
        if kind == "ticket_called":
            busy_since[e["window"]] = t
        elif kind in ("ticket_finished", "ticket_no_show", "ticket_transferred"):
            w = e.get("window")
            if w in busy_since:
                busy += t - busy_since.pop(w)
        elif kind in ("window_opened", "window_resumed"):
            avail_since.setdefault(e["window"], t)
        elif kind in ("window_paused", "window_closed"):
            if e["window"] in avail_since:
                available += t - avail_since.pop(e["window"])
    for since in avail_since.values():
        available += (last_at or since) - since
    return round(busy / available, 3) if available > 0 else None
