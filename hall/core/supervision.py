"""电子监察 (electronic supervision): which alerts a centre's state calls for at a moment. Pure rules.

`conditions(state, at)` says what is wrong now, each under a stable key ("wait:q:general",
"idle:w:7", …); `supervise` compares that with the active alerts and decides the events:
raise what is new, escalate yellow → red (past the red threshold, or unresolved for
`escalate_after_s`), resolve what has cleared. Because the decision is a function of the state
and `at`, any process may run it every few seconds: the gateway's version check makes two
processes that decide the same thing append it once.

Thresholds are norms: on a queue in the catalogue (`norms: {max_wait_s, max_service_s,
max_idle_s, max_length}`), else the centre's `norms` (which also hold `max_pause_s`,
`escalate_after_s`, `followup_days`), else the defaults below.

Rules (level when raised):
    wait              a queue's longest wait ≥ max_wait_s (yellow; red at RED_FACTOR × the norm)
    length            a queue holds ≥ max_length waiting tickets (yellow; only with a norm)
    service           a ticket at a window longer than max_service_s (yellow)
    idle              an open window without a ticket while its queues wait, for ≥ max_idle_s (yellow)
    pause             a window paused for ≥ max_pause_s (yellow)
    bad_rating        a rating of 1 (red) or 2 (yellow) whose follow-up nobody has verified yet
    followup_overdue  a follow-up past its deadline and not closed (red)
    device_offline    a device reported offline (yellow); device_fault: a fault, e.g. the printer (red)
Waits, lengths and pauses raise only while the centre is open, and nothing escalates while it is
closed (a queue left at lunch is not an emergency at night); every alert resolves as soon as its
condition has cleared, open or not.

`observe(state, event)` is called by the fold after every event: it keeps the one mark the rules
need that the rest of the state does not hold — since when each window has been free (and when it was
last assigned other queues, which the recommendations read).
"""
from . import followups
from .clock import is_open
from .errors import bad_input, conflict, not_found
from .state import CLASSES, OPEN, PAUSED

YELLOW, RED = "yellow", "red"
LEVELS = (YELLOW, RED)
DEFAULTS = {"max_wait_s": 1800, "max_idle_s": 300, "max_length": None, "max_pause_s": 1200,
            "escalate_after_s": 900, "followup_days": 15}
SERVICE_FACTOR = 2.0    # with no norm, a service is late at twice its queue's usual time
RED_FACTOR = 2.0        # a wait of twice the norm is red at once
OPEN_HOURS_ONLY = ("wait", "length", "pause")
# Conditions a manager may close by hand (a device taken away, a rating dealt with off-system);
# the others clear only when the hall does (someone is called, the window calls, …).
MANUAL = ("bad_rating", "device_offline", "device_fault")
RULES = ("wait", "length", "service", "idle", "pause", "bad_rating", "followup_overdue",
         "device_offline", "device_fault")
SUBJECT = ("queue", "window", "device", "followup", "number")


def norm(cfg, key, queue=None):
    """The threshold `key` for `queue` (or the centre): queue norm, centre norm, default."""
    q = cfg.queues.get(queue) if queue is not None else None
    if q is not None and q.norms and q.norms.get(key) is not None:
        return q.norms[key]
    centre = cfg.raw.get("norms") or {}
    if centre.get(key) is not None:
        return centre[key]
    if key == "max_service_s" and q is not None:
        return SERVICE_FACTOR * q.service_s
    return DEFAULTS.get(key)


def _cond(rule, level, value, limit, instance="", **subject):
    return {"rule": rule, "level": level, "value": round(value) if value is not None else None,
            "limit": limit, "instance": instance, **{k: subject.get(k) for k in SUBJECT}}


def conditions(state, at):
    """{key: condition} for everything wrong at `at`, whether or not it may raise now."""
    cfg = state.config
    out = {}
    for q in cfg.queues:
        waiting = [state.tickets[tid] for c in CLASSES for tid in state.line(q, c)]
        if not waiting:
            continue
        oldest = min(waiting, key=lambda t: t.since)
        waited, limit = at - oldest.since, norm(cfg, "max_wait_s", q)
        if limit and waited >= limit:
            level = RED if waited >= RED_FACTOR * limit else YELLOW
            out[f"wait:q:{q}"] = _cond("wait", level, waited, limit, queue=q, number=oldest.number)
        most = norm(cfg, "max_length", q)
        if most and len(waiting) >= most:
            out[f"length:q:{q}"] = _cond("length", YELLOW, len(waiting), most, queue=q)
    free = state.watch.get("free", {})
    for n, w in state.windows.items():
        if w.ticket is not None:
            t = state.tickets[w.ticket]
            began = t.started_at or t.called_at
            limit = norm(cfg, "max_service_s", t.queue)
            if began is not None and at - began >= limit:
                out[f"service:w:{n}"] = _cond("service", YELLOW, at - began, limit, instance=t.id, window=n,
                                             queue=t.queue, number=t.number)
        elif w.state == OPEN:
            idle = _idle(state, w, free.get(str(n), w.since), at)
            if idle is not None:
                out[f"idle:w:{n}"] = _cond("idle", YELLOW, idle[0], idle[1], window=n, queue=idle[2])
        if w.state == PAUSED and w.since is not None:
            limit = norm(cfg, "max_pause_s")
            if at - w.since >= limit:
                out[f"pause:w:{n}"] = _cond("pause", YELLOW, at - w.since, limit, window=n)
    for f in state.followups.values():
        if f["status"] == "open":
            out[f"bad_rating:f:{f['id']}"] = _cond("bad_rating", RED if f["score"] <= 1 else YELLOW, f["score"],
                                                   2, instance=f["id"], followup=f["id"], window=f["window"],
                                                   queue=f["queue"], number=f["number"])
        if f["status"] != "closed" and at >= f["deadline"]:
            out[f"followup_overdue:f:{f['id']}"] = _cond("followup_overdue", RED, at - f["deadline"], None,
                                                         followup=f["id"], window=f["window"], queue=f["queue"],
                                                         number=f["number"])
    for name, d in state.devices.items():
        if d.get("status") in ("offline", "fault"):
            rule = "device_" + d["status"]
            out[f"{rule}:d:{name}"] = _cond(rule, RED if rule == "device_fault" else YELLOW, None, None,
                                            instance=str(d.get("at")), device=name)
    return out


def _idle(state, w, free_since, at):
    """(seconds idle while someone waited for it, the norm, the queue) past its norm, or None."""
    first, limit, queue = None, None, None
    for q in w.queues:
        for c in CLASSES:
            line = state.line(q, c)
            if line:
                since = min(state.tickets[tid].since for tid in line)
                first = since if first is None else min(first, since)
                q_limit = norm(state.config, "max_idle_s", q)
                if limit is None or q_limit < limit:
                    limit, queue = q_limit, q
    if first is None:
        return None
    start = max(first, free_since if free_since is not None else first)
    return (at - start, limit, queue) if at - start >= limit else None


def _event(type_, at, by, **facts):
    return {"type": type_, "at": at, "by": by, **facts}


# --- commands ---

def supervise(state, at, by):
    """The alerts' events the state calls for at `at` (none when all is as it should be)."""
    want = conditions(state, at)
    cfg = state.config
    open_now = is_open(cfg.hours, at, cfg.timezone)
    dismissed = state.watch.get("dismissed", {})
    escalate_after = norm(cfg, "escalate_after_s")
    active = {a["key"]: a for a in state.alerts.values()}
    events = []
    for key, a in active.items():
        if key not in want:
            events.append(_event("alert_resolved", at, by, alert=a["id"], rule=a["rule"], reason="cleared",
                                 **_subject(a)))
    n = state.watch.get("n", 0)
    for key, c in want.items():
        a = active.get(key)
        if a is None:
            if dismissed.get(key) == c["instance"] or (not open_now and c["rule"] in OPEN_HOURS_ONLY):
                continue
            n += 1
            events.append(_event("alert_raised", at, by, alert=f"a{n}", key=key, rule=c["rule"], level=c["level"],
                                 value=c["value"], limit=c["limit"], **_subject(c)))
        elif a["level"] == YELLOW and open_now:
            if c["level"] == RED:
                reason = "threshold"
            elif at - a["raised_at"] >= escalate_after:
                reason = "unresolved"
            else:
                continue
            events.append(_event("alert_escalated", at, by, alert=a["id"], rule=a["rule"], level=RED,
                                 reason=reason, value=c["value"], **_subject(a)))
    return events, len(events)


def _subject(a):
    return {k: a[k] for k in SUBJECT if a.get(k) is not None}


def _alert(state, alert):
    if not isinstance(alert, str) or not alert:
        raise bad_input("alert must be an alert id")
    a = state.alerts.get(alert)
    if a is None:
        raise not_found(f"no active alert {alert!r} (it may have been resolved)", "unknown_alert")
    return a


def _note(note, required=False):
    if note is None and not required:
        return None
    if not isinstance(note, str) or not note.strip() or len(note) > 500:
        raise bad_input("note must be text of 1 to 500 characters")
    return note.strip()


def acknowledge_alert(state, at, by, alert, note=None):
    """Someone is on it: the alert stays until its condition clears (and may still turn red)."""
    a = _alert(state, alert)
    note = _note(note)
    if a["acknowledged_at"] is not None and (note is None or note == a["note"]):
        return [], a["id"]
    return [_event("alert_acknowledged", at, by, alert=a["id"], rule=a["rule"], note=note, **_subject(a))], a["id"]


def resolve_alert(state, at, by, alert, note=None):
    """Close an alert by hand: any alert whose condition has cleared, and the MANUAL ones at any time."""
    a = _alert(state, alert)
    note = _note(note)
    now = conditions(state, at).get(a["key"])
    if now is None:
        return [_event("alert_resolved", at, by, alert=a["id"], rule=a["rule"], reason="cleared", note=note,
                       **_subject(a))], a["id"]
    if a["rule"] not in MANUAL:
        raise conflict(f"this alert clears by itself when its cause does ({a['rule']}); acknowledge it instead",
                       "alert_still_holds")
    return [_event("alert_resolved", at, by, alert=a["id"], rule=a["rule"], reason="manual", note=note,
                   instance=now["instance"], **_subject(a))], a["id"]


# --- the fold ---

def _raised(s, e):
    s.alerts[e["alert"]] = {"id": e["alert"], "key": e["key"], "rule": e["rule"], "level": e["level"],
                            **{k: e.get(k) for k in SUBJECT}, "value": e.get("value"), "limit": e.get("limit"),
                            "raised_at": e["at"], "escalated_at": None, "acknowledged_at": None,
                            "acknowledged_by": None, "note": None}
    s.watch = {**s.watch, "n": s.watch.get("n", 0) + 1}


def _escalated(s, e):
    a = s.alerts[e["alert"]]
    a["level"], a["escalated_at"], a["value"] = RED, e["at"], e.get("value", a["value"])


def _acknowledged(s, e):
    a = s.alerts[e["alert"]]
    a["acknowledged_at"], a["acknowledged_by"] = e["at"], e["by"]
    if e.get("note") is not None:
        a["note"] = e["note"]


def _resolved(s, e):
    a = s.alerts.pop(e["alert"])
    if e.get("instance") is not None:
        # closed by hand while its cause holds: not raised again for this same cause
        s.watch = {**s.watch, "dismissed": {**s.watch.get("dismissed", {}), a["key"]: e["instance"]}}


APPLY = {
    "alert_raised": _raised,
    "alert_escalated": _escalated,
    "alert_acknowledged": _acknowledged,
    "alert_resolved": _resolved,
}
COMMANDS = {
    "supervise": supervise,
    "acknowledge-alert": acknowledge_alert,
    "resolve-alert": resolve_alert,
}

_LEAVE = ("ticket_finished", "ticket_no_show", "ticket_transferred")
_FREED = ("window_opened", "window_resumed", "window_assigned")


def observe(s, e):
    """After every event: since when each window has been free (copy-on-write: decisions fold
    copies of the state that share these dicts)."""
    kind = e["type"]
    if kind == "ticket_called":
        free = s.watch.get("free", {})
        if str(e["window"]) in free:
            s.watch = {**s.watch, "free": {k: v for k, v in free.items() if k != str(e["window"])}}
    elif kind in _LEAVE or kind in _FREED:
        n = e.get("window")
        w = s.windows.get(n)
        if w is not None and w.ticket is None and w.state != "closed":
            s.watch = {**s.watch, "free": {**s.watch.get("free", {}), str(n): e["at"]}}
        if kind == "window_assigned":
            # when each window last moved: recommendations leave a window that just moved alone
            s.watch = {**s.watch, "assigned": {**s.watch.get("assigned", {}), str(n): e["at"]}}
    elif kind in ("window_paused", "window_closed"):
        free = s.watch.get("free", {})
        if str(e["window"]) in free:
            s.watch = {**s.watch, "free": {k: v for k, v in free.items() if k != str(e["window"])}}
    elif kind == "day_started":
        followups.prune(s, e["at"])
        s.watch = {**s.watch, "free": {}, "assigned": {}, "dismissed": _still_dismissed(s)}


def _still_dismissed(s):
    """Forget hand-closed causes that are gone, so that the dict does not grow for ever."""
    keep = {}
    for key, instance in s.watch.get("dismissed", {}).items():
        rule, _, name = key.split(":", 2)
        if rule.startswith("device_"):
            d = s.devices.get(name)
            if d is not None and "device_" + str(d.get("status")) == rule and str(d.get("at")) == instance:
                keep[key] = instance
        elif rule == "bad_rating":
            f = s.followups.get(name)
            if f is not None and f["status"] == "open":
                keep[key] = instance
    return keep
