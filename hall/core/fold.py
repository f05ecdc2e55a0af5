"""State is the fold of events: `apply` is the only code that changes a CenterState."""
from . import appointments, followups, moves, ratings, supervision
from .config import CenterConfig
from .lives import service_seconds
from .state import (Ticket, Window, WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED,
                    OPEN, PAUSED, CLOSED)


def apply(state, event):
    _APPLY[event["type"]](state, event)
    supervision.observe(state, event)
    state.version = event["seq"]
    return state


def fold(state, events):
    for e in events:
        apply(state, e)
    return state


def _configured(s, e):
    cfg = CenterConfig.from_dict(e["config"])
    windows = {}
    for n, w in cfg.windows.items():
        old = s.windows.get(n)
        if old is None:
            windows[n] = Window(number=n, name=w["name"], queues=list(w["queues"]), mode=w["mode"])
        else:
            old.name, old.queues, old.mode = w["name"], list(w["queues"]), w["mode"]
            windows[n] = old
    s.windows = windows
    s.config = cfg


def _day_started(s, e):
    if s.day is not None:
        # a card holder whose ticket ended the day 过号 missed it, as a booking is missed
        for t in s.tickets.values():
            if t.person is not None and t.status == NO_SHOW:
                s.misses.setdefault(t.person, []).append(s.day)
    s.day, s.day_start, s.day_end = e["day"], e["start"], e["end"]
    s.tickets, s.numbers, s.lines, s.unconfirmed = {}, {}, {}, set()
    s.issued, s.service, s.idem = {}, {}, {}
    appointments.prune(s, e["day"])
    if s.rateable:
        s.rateable = {k: r for k, r in s.rateable.items()
                      if ratings.keep_until(s.config, r["ended_at"], r["day_end"]) > e["start"]}
    for w in s.windows.values():
        w.state, w.ticket, w.staff, w.pause_reason, w.since, w.served = CLOSED, None, None, None, e["at"], 0


def _unline(s, t):
    line = s.lines.get((t.queue, t.priority))
    if line and t.id in line:
        line.remove(t.id)


def _issued(s, e):
    t = Ticket(id=e["ticket"], number=e["number"], queue=e["queue"], priority=e["priority"],
               channel=e["channel"], status=WAITING, issued_at=e["at"], since=e["at"], item=e.get("item"),
               holder=e.get("holder"), appointment=e.get("appointment"), person=e.get("person"))
    if t.holder is not None:
        s.holders.setdefault(t.holder, []).append(t.id)
    s.tickets[t.id] = t
    s.numbers[t.number] = t.id
    s.lines.setdefault((t.queue, t.priority), []).append(t.id)
    s.issued[t.queue] = s.issued.get(t.queue, 0) + 1
    if e.get("idem"):
        s.idem[e["idem"][0]] = [t.id, e["idem"][1]]


def _called(s, e):
    t = s.tickets[e["ticket"]]
    if t.status == WAITING:
        _unline(s, t)
    if e.get("callback"):
        t.recalls = 0
    t.status, t.window, t.called_at, t.started_at = CALLED, e["window"], e["at"], None
    t.unconfirmed_since = None        # called at a window: no longer a possible ghost
    s.unconfirmed.discard(t.id)
    s.windows[e["window"]].ticket = t.id


def _recalled(s, e):
    s.tickets[e["ticket"]].recalls += 1


def _started(s, e):
    t = s.tickets[e["ticket"]]
    t.status, t.started_at = SERVING, e["at"]


def _leave_window(s, t):
    w = s.windows.get(t.window)
    if w is not None and w.ticket == t.id:
        w.ticket = None
    return w


def _finished(s, e):
    t = s.tickets[e["ticket"]]
    t.status, t.finished_at = DONE, e["at"]
    w = _leave_window(s, t)
    if w is not None:
        w.served += 1
    stat = s.service.setdefault(t.queue, [0, 0.0])
    stat[0] += 1
    stat[1] += service_seconds(t.started_at, t.called_at, e["at"])
    s.rateable[t.id] = ratings.record(s, t)


def _no_show(s, e):
    t = s.tickets[e["ticket"]]
    t.status = NO_SHOW
    _leave_window(s, t)


def _transferred(s, e):
    t = s.tickets[e["ticket"]]
    _leave_window(s, t)
    t.status, t.window, t.queue, t.called_at, t.started_at = WAITING, None, e["queue"], None, None
    t.transfers += 1
    t.recalls = 0
    line = s.lines.setdefault((t.queue, t.priority), [])
    if e["position"] == "first":
        if line:
            t.since = min(t.since, s.tickets[line[0]].since)
        line.insert(0, t.id)
    else:
        t.since = e["at"]
        line.append(t.id)


def _cancelled(s, e):
    t = s.tickets[e["ticket"]]
    _unline(s, t)
    t.status = CANCELLED


def _print_failed(s, e):
    t = s.tickets[e["ticket"]]
    if t.unconfirmed_since is None:
        t.unconfirmed_since = e["at"]
        s.unconfirmed.add(t.id)


def _confirmed(s, e):
    s.tickets[e["ticket"]].unconfirmed_since = None
    s.unconfirmed.discard(e["ticket"])


def _evaluated(s, e):
    t = s.tickets.get(e["ticket"])
    if t is not None and t.score is None:
        t.score = e["score"]
    r = ratings.record_of(s, e["ticket"])
    if r is not None:
        s.rateable[e["ticket"]] = r
        r["rated"] = {**r["rated"], e.get("channel") or "phone": e["score"]}


def _window_state(state):
    def apply_state(s, e):
        w = s.windows[e["window"]]
        w.state, w.since = state, e["at"]
        w.pause_reason = e.get("reason") if state == PAUSED else None
        if state == OPEN and "staff" in e:
            w.staff = e["staff"]
        if state == CLOSED:
            w.staff = None
    return apply_state


def _assigned(s, e):
    w = s.windows[e["window"]]
    w.queues, w.mode = list(e["queues"]), e["mode"]


def _device(s, e):
    s.devices[e["device"]] = {k: e.get(k) for k in ("kind", "status", "detail", "at")}


_APPLY = {
    **appointments.FOLDS,
    **supervision.APPLY, **followups.APPLY, **moves.APPLY,
    "center_configured": _configured,
    "day_started": _day_started,
    "ticket_issued": _issued,
    "ticket_called": _called,
    "ticket_recalled": _recalled,
    "ticket_started": _started,
    "ticket_finished": _finished,
    "ticket_no_show": _no_show,
    "ticket_transferred": _transferred,
    "ticket_cancelled": _cancelled,
    "ticket_evaluated": _evaluated,
    "ticket_print_failed": _print_failed,
    "ticket_confirmed": _confirmed,
    "window_opened": _window_state(OPEN),
    "window_paused": _window_state(PAUSED),
    "window_resumed": _window_state(OPEN),
    "window_closed": _window_state(CLOSED),
    "window_assigned": _assigned,
    "device_reported": _device,
}
EVENT_TYPES = tuple(_APPLY)
