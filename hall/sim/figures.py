"""A day's figures from its event log: waits, service, utilisation, no-shows. Works on any Hall log."""
from ..stats import percentile


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


def day_figures(events):
    """Figures of one day's events (as `split_days` gives them)."""
    issued, first_call, served, no_show, cancelled, transferred = {}, {}, 0, 0, 0, 0
    service = []
    started = {}
    # window availability and busy time
    avail_since, available, busy_since, busy = {}, 0.0, {}, 0.0
    last_at = None
    for e in events:
        t, kind = e["at"], e["type"]
        last_at = t
        if kind == "ticket_issued":
            issued[e["ticket"]] = t
        elif kind == "ticket_called":
            first_call.setdefault(e["ticket"], t)
            busy_since[e["window"]] = t
        elif kind == "ticket_started":
            started[e["ticket"]] = t
        elif kind in ("ticket_finished", "ticket_no_show", "ticket_transferred"):
            w = e.get("window")
            if w in busy_since:
                busy += t - busy_since.pop(w)
            if kind == "ticket_finished":
                served += 1
                if e["ticket"] in started:
                    service.append(t - started.pop(e["ticket"]))
            elif kind == "ticket_no_show":
                no_show += 1
            else:
                transferred += 1
        elif kind == "ticket_cancelled":
            cancelled += 1
        elif kind in ("window_opened", "window_resumed"):
            avail_since.setdefault(e["window"], t)
        elif kind in ("window_paused", "window_closed"):
            if e["window"] in avail_since:
                available += t - avail_since.pop(e["window"])
    for since in avail_since.values():
        available += (last_at or since) - since
    waits = [first_call[tid] - t for tid, t in issued.items() if tid in first_call]
    return {
        "tickets": len(issued),
        "called": len(waits),
        "served": served,
        "no_shows": no_show,
        "cancelled": cancelled,
        "transferred": transferred,
        "mean_wait_s": round(sum(waits) / len(waits), 1) if waits else None,
        "p90_wait_s": round(percentile(waits, 90), 1) if waits else None,
        "max_wait_s": round(max(waits), 1) if waits else None,
        "mean_service_s": round(sum(service) / len(service), 1) if service else None,
        "utilisation": round(busy / available, 3) if available > 0 else None,
    }
