"""What the managers' dashboard shows of a centre's state: queues with their trend and norms,
windows with the ticket in hand and how long it has been there, alerts and follow-ups. Pure."""
from .. import views
from ..core.clock import iso
from ..core.ratings import mask_personal
from ..core.supervision import norm


def queue(state, q, now, trend, waits):
    return {**views.queue(state, q, now, waits), "trend": trend.get(q.id, []),
            "max_wait_s": norm(state.config, "max_wait_s", q.id)}


def window(state, w, now):
    out = views.window(state, w)
    t = state.tickets.get(w.ticket) if w.ticket else None
    free = state.watch.get("free", {}).get(str(w.number))
    out.update({
        "ticket_queue": t.queue if t else None,
        "called_at": t.called_at if t else None,
        "started_at": t.started_at if t else None,
        "in_service_s": round(now - (t.started_at or t.called_at)) if t and (t.started_at or t.called_at) else None,
        "free_s": round(now - free) if free is not None and t is None and w.state == "open" else None,
        "state_s": round(now - w.since) if w.since is not None else None,
        "home_queues": list(state.config.windows.get(w.number, {}).get("queues", [])),
        "staff_username": (w.staff or {}).get("username"),
    })
    return out


def alert(state, a, now):
    cfg = state.config
    q = cfg.queues.get(a.get("queue")) if a.get("queue") else None
    w = state.windows.get(a.get("window")) if a.get("window") is not None else None
    return {**a, "age_s": round(now - a["raised_at"]), "queue_name": q.name if q else None,
            "queue_name_en": q.name_en if q else None, "window_name": w.name if w else None}


def alerts(state, now):
    order = {"red": 0, "yellow": 1}
    items = [alert(state, a, now) for a in state.alerts.values()]
    items.sort(key=lambda a: (order.get(a["level"], 2), a["acknowledged_at"] is not None, -a["raised_at"]))
    return items


def followup(state, f, now):
    tz = state.config.timezone
    q = state.config.queues.get(f["queue"])
    revisit = f.get("revisit")
    return {**f, "comment": mask_personal(f.get("comment")), "queue_name": q.name if q else f["queue"],
            "overdue": f["status"] != "closed" and now >= f["deadline"],
            "left_s": round(f["deadline"] - now), "opened": iso(f["opened_at"], tz),
            "deadline_iso": iso(f["deadline"], tz), "rectified": iso(f.get("rectified_at"), tz),
            "revisited": iso(revisit["at"], tz) if revisit else None,
            "revisit_due": bool(f["status"] in ("rectified", "closed") and not f.get("overturned") and not revisit)}


def followups(state, now):
    items = [followup(state, f, now) for f in state.followups.values()]
    items.sort(key=lambda f: (f["status"] == "closed", f["deadline"]))
    return items


def ratings_today(state):
    scores = [t.score for t in state.tickets.values() if t.score is not None]
    served = sum(w.served for w in state.windows.values())
    return {"rated": len(scores), "served": served,
            "satisfaction": round(sum(1 for s in scores if s >= 3) / len(scores), 4) if scores else None,
            "bad": sum(1 for s in scores if s <= 2)}


def board(state, now, trend, recommendations, waits):
    cfg = state.config
    return {
        "center": {"id": cfg.id, "name": cfg.name, "name_en": cfg.name_en, "timezone": cfg.timezone},
        "now": now, "seq": state.version, "day": state.day,
        "queues": [queue(state, q, now, trend, waits) for q in cfg.queues.values()],
        "windows": [window(state, w, now) for w in sorted(state.windows.values(), key=lambda w: w.number)],
        "alerts": alerts(state, now),
        "followups": {"open": sum(1 for f in state.followups.values() if f["status"] != "closed"),
                      "overdue": sum(1 for f in state.followups.values()
                                     if f["status"] != "closed" and now >= f["deadline"])},
        "ratings": ratings_today(state),
        "recommendations": recommendations,
    }
