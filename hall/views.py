"""The JSON a client sees of a centre, its queues, windows and tickets (the contract's shapes).

The waits shown come from `waits` (`Hall.waits(state)`: the state's estimates, from what the
gateway's estimator has learned of the centre): a ticket's at the state's last event, a queue's at
the moment asked for.
"""
from .calendar import english
from .core.clock import closed_day, closes_at, iso, is_open, next_opening
from .core.state import CLASSES, WAITING
from .estimate import ahead, seconds_of, serving_windows


def ticket(state, t, waits):
    tz = state.config.timezone
    wait, span = seconds_of(waits.at().ticket(t)) if t.status == WAITING else (None, None)
    q = state.config.queues[t.queue]
    w = state.windows.get(t.window) if t.window is not None else None
    return {
        "id": t.id,
        "number": t.number,
        "center": state.id,
        "center_name": state.config.name,
        "queue": t.queue,
        "queue_name": q.name,
        "item": t.item,
        # the contract's two values; an appointment's place in line shows as its own field
        "priority": "priority" if t.priority == "priority" else "normal",
        "appointment": t.appointment,
        "channel": t.channel,
        "status": t.status,
        "ahead": ahead(state, t),
        "est_wait_s": wait,
        "est_wait_range_s": span,
        "window": t.window,
        "window_name": w.name if w else None,
        "issued_at": iso(t.issued_at, tz),
        "called_at": iso(t.called_at, tz),
        "started_at": iso(t.started_at, tz),
        "finished_at": iso(t.finished_at, tz),
        "recalls": t.recalls,
        "score": t.score,
    }


def queue(state, q, now, waits):
    today = state.is_today(now)
    wait, span = seconds_of(waits.at(now).queue(q.id)) if today else (_idle_wait(state, q.id), None)
    waiting = state.waiting(q.id) if today else 0
    longest = 0
    if today and waiting:
        heads = [state.tickets[line[0]].since for line in
                 (state.line(q.id, c) for c in CLASSES) if line]
        longest = max(0, round(now - min(heads)))
    return {
        "id": q.id,
        "prefix": q.prefix,
        "name": q.name,
        "name_en": q.name_en,
        "category": q.category,
        "waiting": waiting,
        "est_wait_s": wait,
        "est_wait_range_s": span,
        "open_windows": len(serving_windows(state, q.id)),
        "longest_wait_s": longest,
        "issued_today": state.issued.get(q.id, 0) if today else 0,
        "daily_quota": q.daily_quota,
        "appointments": dict(q.appointments) if q.appointments else None,
    }


def _idle_wait(state, queue_id):
    return 0 if serving_windows(state, queue_id) else None


def window(state, w):
    t = state.tickets.get(w.ticket) if w.ticket else None
    return {
        "number": w.number,
        "name": w.name,
        "state": w.state,
        "ticket": t.number if t else None,
        "ticket_status": t.status if t else None,
        "queues": list(w.queues),
        "mode": w.mode,
        "staff": ({"name": w.staff.get("name"), "staff_no": w.staff.get("staff_no")} if w.staff else None),
        "pause_reason": w.pause_reason,
        "served_today": w.served,
    }


def center_summary(state, now, waits):
    cfg = state.config
    return {
        "id": cfg.id,
        "name": cfg.name,
        "name_en": cfg.name_en,
        "address": cfg.address,
        "location": list(cfg.location) if cfg.location else None,
        "open": is_open(cfg.hours, now, cfg.timezone),
        "closes_at": iso(closes_at(cfg.hours, now, cfg.timezone), cfg.timezone),
        **closed_today(cfg, now),
        "queues": [queue(state, q, now, waits) for q in cfg.queues.values()],
        "seq": state.version,
    }


def closed_today(cfg, now):
    """Whether the centre opens at all today, the holiday that closes it (in Chinese, and in English
    for the English pages), and when it opens next."""
    why = closed_day(cfg.hours, now, cfg.timezone)
    holiday = why["holiday"] or None if why else None
    return {"closed_today": why is not None, "holiday": holiday, "holiday_en": english(holiday),
            "next_open": iso(next_opening(cfg.hours, now, cfg.timezone), cfg.timezone)}


def center(state, now, waits):
    cfg = state.config
    return {
        **center_summary(state, now, waits),
        "timezone": cfg.timezone,
        "hours": cfg.raw["hours"],
        "notice": cfg.notice,
        "notice_en": cfg.notice_en,
        "windows": [window(state, w) for w in sorted(state.windows.values(), key=lambda w: w.number)],
    }


def item(state, it):
    q = state.config.queues[it.queue]
    return {
        "id": it.id,
        "name": it.name,
        "name_en": it.name_en,
        "queue": it.queue,
        "queue_name": q.name,
        "department": it.department,
        "life_events": list(it.life_events),
        "materials": list(it.materials),
    }


def is_waiting(t):
    return t.status == WAITING
