"""Commands → events. `decide` reads a CenterState and never changes it.

Every command is `decide(state, name, args, at, by)` → `(events, result)`; a command the state
does not allow raises `Refused`. The events are plain dicts (type, at, by and the facts); the
store gives them their sequence number and `fold.apply` turns them into state.
"""
import copy
import inspect
from functools import cache

from . import appointments, followups, moves, ratings, supervision
from .clock import day_bounds, is_open
from .config import MODES, normalize_center, ConfigError
from .errors import Refused, bad_input, not_found, conflict, unavailable
from .fold import fold
from .policy import next_ticket
from .state import (WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED, AT_WINDOW,
                    OPEN, PAUSED, CLOSED)

CHANNELS = ("kiosk", "phone", "staff")
PRIORITIES = ("normal", "priority")      # what a citizen may ask for; "appointment" comes by check-in
POSITIONS = ("first", "last")
DEVICE_STATUSES = ("ok", "fault", "offline")


def decide(state, name, args, at, by):
    try:
        handler = COMMANDS[name]
    except KeyError:
        raise bad_input(f"unknown command {name!r}") from None
    if name == "configure":
        _check_args(name, handler, args)
        return handler(state, at, by, **args)
    if state.config is None:
        raise not_found(f"centre {state.id!r} does not exist", "unknown_center")
    _check_args(name, handler, args)
    # Time alone changes some things; they are written down before the command is decided:
    # appointments whose time passed unclaimed, and a new local day (yesterday's queues end,
    # numbering starts again at 001).
    pre = appointments.missed(state, at, by) if state.bookings and at >= state.next_missed_at() else []
    if not state.is_today(at):
        pre.append(_day_started(state, at, by))
    if pre:
        state = _replayed(state, pre)
    try:
        events, result = handler(state, at, by, **args)
    except Refused as refusal:
        # what time alone changed is true whatever the command: the gateway still writes it down
        refusal.events = pre
        raise
    return pre + events, result


@cache
def _params(handler):
    ps = list(inspect.signature(handler).parameters.values())[3:]
    return frozenset(p.name for p in ps), frozenset(p.name for p in ps if p.default is p.empty)


def _check_args(name, handler, args):
    allowed, required = _params(handler)
    if not required <= args.keys() or not args.keys() <= allowed:
        missing = sorted(required - args.keys())
        extra = sorted(args.keys() - allowed)
        raise bad_input(f"{name}: " + "; ".join(
            ([f"missing {', '.join(missing)}"] if missing else [])
            + ([f"unexpected {', '.join(extra)}"] if extra else [])))


def _replayed(state, events):
    """The state these events would make, on a copy: deciding never changes the state it reads."""
    return fold(copy.deepcopy(state), [{**e, "seq": state.version} for e in events])


def _event(type_, at, by, **facts):
    return {"type": type_, "at": at, "by": by, **facts}


def _day_started(state, at, by):
    day, start, end = day_bounds(at, state.config.timezone)
    return _event("day_started", at, by, day=day, start=start, end=end, expired=_open_ticket_ids(state))


def _open_ticket_ids(state):
    return [t.id for t in state.tickets.values() if t.status in (WAITING, CALLED, SERVING)]


# --- the catalogue ---

def configure(state, at, by, config):
    try:
        cfg = normalize_center(config)
    except ConfigError as e:
        raise bad_input(str(e), "bad_catalog") from None
    if cfg["id"] != state.id:
        raise bad_input(f"catalogue entry {cfg['id']!r} sent to centre {state.id!r}")
    if state.config is not None and state.config.raw == cfg:
        return [], state.id
    if state.config is not None:
        _check_reconfigure(state, cfg)
    events = [_event("center_configured", at, by, config=cfg)]
    day, start, end = day_bounds(at, cfg["timezone"])
    if state.day != day:
        events.append(_event("day_started", at, by, day=day, start=start, end=end,
                             expired=_open_ticket_ids(state)))
    return events, state.id


def _check_reconfigure(state, cfg):
    windows = {w["number"] for w in cfg["windows"]}
    for n, w in state.windows.items():
        if n not in windows and (w.ticket or w.state != CLOSED):
            raise conflict(f"window {n} is in use: close it before removing it from the catalogue",
                           "window_in_use")
    queues = {q["id"] for q in cfg["queues"]}
    for t in state.tickets.values():
        if t.queue not in queues and t.status in (WAITING, CALLED, SERVING):
            raise conflict(f"queue {t.queue!r} still has tickets ({t.number}): "
                           "serve or transfer them before removing it", "queue_in_use")


# --- tickets ---

def issue(state, at, by, ticket_id, queue=None, item=None, priority="normal", channel="kiosk",
          idem=None, fingerprint=None, holder=None, person=None):
    cfg = state.config
    if idem is not None:
        seen = state.idem.get(idem)
        if seen is not None:
            if seen[1] != fingerprint:
                raise conflict("Idempotency-Key was used for a different request", "idempotency_mismatch")
            return [], seen[0]
    if item is not None:
        it = cfg.items.get(item)
        if it is None:
            raise not_found(f"no service item {item!r} in this centre", "unknown_item")
        if queue is not None and queue != it.queue:
            raise bad_input(f"item {item!r} belongs to queue {it.queue!r}, not {queue!r}")
        queue = it.queue
    if queue is None:
        raise bad_input("give a queue or an item")
    q = cfg.queues.get(queue)
    if q is None:
        raise not_found(f"no queue {queue!r} in this centre", "unknown_queue")
    if priority not in PRIORITIES:
        raise bad_input(f"priority must be one of {', '.join(PRIORITIES)}")
    if channel not in CHANNELS:
        raise bad_input(f"channel must be one of {', '.join(CHANNELS)}")
    if not is_open(cfg.hours, at, cfg.timezone):
        raise unavailable("the centre is closed now", "closed", centre=cfg.name)
    appointments.check_remote(state, queue, holder)
    appointments.check_person(state, q, person)
    issued = state.issued.get(queue, 0)
    if q.daily_quota is not None and issued >= q.daily_quota:
        raise unavailable("today's tickets for this queue are gone", "quota_reached", queue=q.name)
    number = f"{q.prefix}{issued + 1:03d}"
    return [_event("ticket_issued", at, by, ticket=ticket_id, number=number, queue=queue, item=item,
                   priority=priority, channel=channel,
                   idem=[idem, fingerprint] if idem is not None else None,
                   **({"holder": holder} if holder is not None else {}),
                   **({"person": person} if person is not None else {}))], ticket_id


def cancel(state, at, by, ticket, reason="citizen"):
    t = _ticket(state, ticket)
    if t.status != WAITING:
        raise conflict(f"ticket {t.number} is {t.status}; only a waiting ticket can be cancelled",
                       "not_waiting")
    return [_event("ticket_cancelled", at, by, ticket=t.id, reason=reason)], t.id


def evaluate(state, at, by, ticket, score, comment=None, options=(), channel="phone"):
    """Rate a served ticket (好差评, hall.core.ratings): once per channel, within the centre's rating
    window after it ended, so yesterday's ticket may still be rated. `score` 1..5 and `comment` (at
    most 500 characters) come checked by the API's schema; the options are checked here."""
    if isinstance(score, bool) or score not in ratings.SCORES:
        raise bad_input("score must be 1 to 5")
    if channel not in ratings.CHANNELS:
        raise bad_input(f"channel must be one of {', '.join(ratings.CHANNELS)}")
    wrong = ratings.check_options(score, options)
    if wrong is not None:
        raise bad_input(wrong[1], wrong[0])
    t = state.ticket_by_ref(ticket) if isinstance(ticket, str) and ticket else None
    if t is not None and t.status != DONE:
        raise conflict(f"ticket {t.number} is {t.status}; it can be rated once served", "not_done")
    tid = t.id if t is not None else ticket
    r = ratings.record_of(state, tid) if isinstance(tid, str) else None
    if r is None:
        _ticket(state, ticket)                  # 400 or 404 as for any ticket
        raise conflict(f"ticket {t.number} can no longer be rated", "rating_closed")
    if at >= ratings.closes_at(state.config, r["ended_at"], r["day_end"]):
        raise conflict(f"ticket {r['number']} can no longer be rated: its rating window has closed",
                       "rating_closed")
    if channel in r["rated"]:
        raise conflict(f"ticket {r['number']} was already rated from the {channel}", "already_rated")
    counts, replaces = ratings.counting(r["rated"], score)
    facts = {"replaces": replaces} if replaces is not None else {}
    return [_event("ticket_evaluated", at, by, ticket=tid, number=r["number"], score=score, comment=comment,
                   options=list(options), channel=channel, day=r["day"],
                   window=r["window"], queue=r["queue"], item=r.get("item"), staff=r["staff"],
                   staff_no=r.get("staff_no"), counts=counts, **facts)], tid


def print_failed(state, at, by, ticket, detail=None):
    """The kiosk could not print it: unless someone confirms the number on screen, it will be voided."""
    t = _ticket(state, ticket)
    if detail is not None and (not isinstance(detail, str) or len(detail) > 200):
        raise bad_input("detail must be text of at most 200 characters")
    if t.status != WAITING or t.unconfirmed_since is not None:
        return [], t.id
    return [_event("ticket_print_failed", at, by, ticket=t.id, detail=detail)], t.id


def confirm(state, at, by, ticket):
    """The citizen has the number (printed again, photographed, written down): it will be called."""
    t = _ticket(state, ticket)
    if t.status == CANCELLED:
        raise conflict(f"ticket {t.number} was cancelled; take a new ticket", "ticket_cancelled")
    if t.unconfirmed_since is None:
        return [], t.id
    return [_event("ticket_confirmed", at, by, ticket=t.id)], t.id


# --- a window's work ---

def call_next(state, at, by, window):
    w = _open_window(state, window)
    events = _free_window(state, w, at, by)
    ghosts = _unconfirmed_ghosts(state, w, at)
    if ghosts:
        # void them in this same decision, so the window calls someone who is really there
        voided = [_event("ticket_cancelled", at, by, ticket=tid, reason="print_unconfirmed") for tid in ghosts]
        events += voided
        state = _replayed(state, voided)
    tid = next_ticket(state, w)
    if tid is None:
        return events, None
    return events + [_event("ticket_called", at, by, ticket=tid, window=w.number, queue=state.tickets[tid].queue,
                            number=state.tickets[tid].number)], tid


def _unconfirmed_ghosts(state, w, at):
    """Waiting tickets of the window's queues whose print failed and whose number no one confirmed in time."""
    limit = state.config.unconfirmed_void_s
    return sorted(tid for tid in state.unconfirmed
                  if (t := state.tickets[tid]).status == WAITING and t.queue in w.queues
                  and at - t.unconfirmed_since >= limit)


def call(state, at, by, window, ticket):
    w = _open_window(state, window)
    t = _ticket(state, ticket)
    if t.status == NO_SHOW:
        return recall(state, at, by, window, ticket)
    if t.status != WAITING:
        raise conflict(f"ticket {t.number} is {t.status}, not waiting", "not_waiting")
    events = _free_window(state, w, at, by)
    return events + [_event("ticket_called", at, by, ticket=t.id, window=w.number, queue=t.queue,
                            number=t.number, out_of_order=True)], t.id


def recall(state, at, by, window, ticket=None):
    w = _window(state, window)
    if ticket is not None and (w.ticket is None or state.ticket_by_ref(ticket) is not state.tickets[w.ticket]):
        t = _ticket(state, ticket)
        if t.status != NO_SHOW:
            raise conflict(f"ticket {t.number} is {t.status}; only a missed (过号) ticket can be called back",
                           "not_no_show")
        w = _open_window(state, window)
        events = _free_window(state, w, at, by)
        return events + [_event("ticket_called", at, by, ticket=t.id, window=w.number, queue=t.queue,
                                number=t.number, callback=True)], t.id
    t = _current(state, w, (CALLED,), "recall")
    if t.recalls + 1 > state.config.recall_limit:
        return [_event("ticket_no_show", at, by, ticket=t.id, window=w.number, reason="recall_limit")], t.id
    return [_event("ticket_recalled", at, by, ticket=t.id, window=w.number, queue=t.queue, number=t.number,
                   count=t.recalls + 1)], t.id


def start(state, at, by, window):
    w = _window(state, window)
    t = _current(state, w, (CALLED,), "start")
    return [_event("ticket_started", at, by, ticket=t.id, window=w.number)], t.id


def finish(state, at, by, window):
    w = _window(state, window)
    t = _current(state, w, AT_WINDOW, "finish")
    return [_event("ticket_finished", at, by, ticket=t.id, window=w.number, queue=t.queue)], t.id


def no_show(state, at, by, window):
    w = _window(state, window)
    t = _current(state, w, (CALLED,), "no-show")
    return [_event("ticket_no_show", at, by, ticket=t.id, window=w.number, reason="staff")], t.id


def transfer(state, at, by, window, queue, position="first"):
    w = _window(state, window)
    t = _current(state, w, AT_WINDOW, "transfer")
    if queue not in state.config.queues:
        raise not_found(f"no queue {queue!r} in this centre", "unknown_queue")
    if position not in POSITIONS:
        raise bad_input("position must be 'first' or 'last'")
    return [_event("ticket_transferred", at, by, ticket=t.id, window=w.number, queue=queue,
                   position=position, from_queue=t.queue)], t.id


# --- a window's state ---

def open_window(state, at, by, window, staff=None):
    w = _window(state, window)
    if w.state == OPEN and w.staff == staff:
        return [], w.number
    return [_event("window_opened", at, by, window=w.number, staff=staff)], w.number


def pause(state, at, by, window, reason=None):
    w = _window(state, window)
    if reason is not None and (not isinstance(reason, str) or len(reason) > 200):
        raise bad_input("reason must be text of at most 200 characters")
    if w.state == CLOSED:
        raise conflict(f"window {w.number} is closed; open it first", "window_closed")
    if w.state == PAUSED and w.pause_reason == reason:
        return [], w.number
    return [_event("window_paused", at, by, window=w.number, reason=reason)], w.number


def resume(state, at, by, window):
    w = _window(state, window)
    if w.state == CLOSED:
        raise conflict(f"window {w.number} is closed; open it first", "window_closed")
    if w.state == OPEN:
        return [], w.number
    return [_event("window_resumed", at, by, window=w.number)], w.number


def close(state, at, by, window):
    w = _window(state, window)
    if w.ticket is not None:
        t = state.tickets[w.ticket]
        raise conflict(f"window {w.number} still has ticket {t.number}: finish it or mark it 过号 first",
                       "ticket_at_window")
    if w.state == CLOSED:
        return [], w.number
    return [_event("window_closed", at, by, window=w.number)], w.number


def assign(state, at, by, window, queues, mode=None):
    w = _window(state, window)
    if (not isinstance(queues, list) or not queues or len(set(map(str, queues))) != len(queues)
            or not all(isinstance(q, str) for q in queues)):
        raise bad_input("queues must be a non-empty list of queue ids without repeats")
    unknown = [q for q in queues if q not in state.config.queues]
    if unknown:
        raise not_found(f"no queue {unknown[0]!r} in this centre", "unknown_queue")
    mode = w.mode if mode is None else mode
    if mode not in MODES:
        raise bad_input(f"mode must be one of {', '.join(MODES)}")
    if w.queues == queues and w.mode == mode:
        return [], w.number
    return [_event("window_assigned", at, by, window=w.number, queues=list(queues), mode=mode,
                   previous=list(w.queues))], w.number


# --- devices ---

def report_device(state, at, by, device, kind, status, detail=None):
    if status not in DEVICE_STATUSES:
        raise bad_input(f"status must be one of {', '.join(DEVICE_STATUSES)}")
    if detail is not None and (not isinstance(detail, str) or len(detail) > 200):
        raise bad_input("detail must be text of at most 200 characters")
    last = state.devices.get(device)
    if last is not None and last["status"] == status and last["detail"] == detail:
        return [], device
    return [_event("device_reported", at, by, device=device, kind=kind, status=status, detail=detail)], device


# --- lookups that refuse clearly ---

def _ticket(state, ref):
    if not isinstance(ref, str) or not ref:
        raise bad_input("ticket must be a ticket id or today's number")
    t = state.ticket_by_ref(ref)
    if t is None:
        raise not_found(f"no ticket {ref!r} today in this centre", "unknown_ticket")
    return t


def _window(state, number):
    if isinstance(number, bool) or not isinstance(number, int):
        raise bad_input("window must be a window number")
    w = state.windows.get(number)
    if w is None:
        raise not_found(f"no window {number} in this centre", "unknown_window")
    return w


def _open_window(state, number):
    w = _window(state, number)
    if w.state != OPEN:
        raise conflict(f"window {w.number} is {w.state}; open or resume it to call", f"window_{w.state}")
    return w


def _current(state, w, allowed, action):
    if w.ticket is None:
        raise conflict(f"window {w.number} has no ticket to {action}", "no_ticket")
    t = state.tickets[w.ticket]
    if t.status not in allowed:
        raise conflict(f"ticket {t.number} is {t.status}; cannot {action} it", f"ticket_{t.status}")
    return t


def _free_window(state, w, at, by):
    """Calling at a window that is still serving ends that service first (what a keypad's 下一位 means)."""
    if w.ticket is None:
        return []
    t = state.tickets[w.ticket]
    if t.status == SERVING:
        return [_event("ticket_finished", at, by, ticket=t.id, window=w.number, queue=t.queue)]
    raise conflict(f"ticket {t.number} was called and not started: mark it 过号 or start it first",
                   "ticket_at_window")


COMMANDS = {
    **appointments.COMMANDS,
    **supervision.COMMANDS, **followups.COMMANDS, **moves.COMMANDS,
    "configure": configure,
    "issue": issue,
    "cancel": cancel,
    "evaluate": followups.opening(evaluate),    # a bad rating opens its follow-up in the same decision
    "print-failed": print_failed,
    "confirm": confirm,
    "call-next": call_next,
    "call": call,
    "recall": recall,
    "start": start,
    "finish": finish,
    "no-show": no_show,
    "transfer": transfer,
    "open": open_window,
    "pause": pause,
    "resume": resume,
    "close": close,
    "assign": assign,
    "report-device": report_device,
}
