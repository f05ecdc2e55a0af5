"""Appointments (预约) and the limits on remote tickets: commands and their folds.

A booking holds a slot of a queue on a day; checking in with its code inside the slot's window
issues a ticket of the `appointment` class, called after 绿色通道 and before walk-ins. A booking
not checked in by the end of its slot (plus grace) becomes a missed appointment; too many misses
block booking for a while. Names and phone numbers arrive masked, with a keyed hash (`holder`)
that the limits compare: the core never sees a phone number.
"""
from datetime import date, timedelta

from .clock import at_local, day_hours, is_open, parse_range
from .errors import Refused, bad_input, not_found, conflict, unavailable
from .state import WAITING, CALLED, SERVING

CODE_CHARS = set("0123456789")


def _event(type_, at, by, **facts):
    return {"type": type_, "at": at, "by": by, **facts}


def _day(value):
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad_input("day must be a date like 2026-11-27") from None


def slots(state, queue, day):
    """The queue's slots on `day`: [{"slot", "capacity", "booked", "available", "start"}]."""
    q = state.config.queues.get(queue)
    if q is None:
        raise not_found(f"no queue {queue!r} in this centre", "unknown_queue")
    if not q.appointments:
        raise conflict("this queue takes no appointments", "no_appointments", queue=q.name)
    tz = state.config.timezone
    taken = {}
    for b in state.bookings.values():
        if b["queue"] == queue and b["day"] == day and b["status"] != "cancelled":
            taken[b["slot"]] = taken.get(b["slot"], 0) + 1
    cap = q.appointments["capacity"]
    return [{"slot": s, "capacity": cap, "booked": taken.get(s, 0), "available": max(0, cap - taken.get(s, 0)),
             "start": at_local(day, parse_range(s)[0], tz)} for s in q.appointments["slots"]]


def blocked_until(state, holder, today):
    """The last day a holder may not book (after too many missed appointments), or None."""
    rules = state.config.booking
    since = (date.fromisoformat(today) - timedelta(days=rules["missed_window_days"])).isoformat()
    recent = sorted(d for d in state.misses.get(holder, ()) if d > since)
    if len(recent) < rules["max_missed"]:
        return None
    until = date.fromisoformat(recent[-1]) + timedelta(days=rules["block_days"])
    return until.isoformat() if until.isoformat() >= today else None


def book(state, at, by, code, queue, day, slot, name, phone, holder, person=None):
    if not isinstance(code, str) or not 6 <= len(code) <= 12 or not set(code) <= CODE_CHARS:
        raise bad_input("code must be 6–12 digits")
    if code in state.bookings:
        raise conflict("that booking code is taken", "code_taken")
    for text, what in ((name, "name"), (phone, "phone"), (holder, "holder")):
        if not isinstance(text, str) or not text or len(text) > 64:
            raise bad_input(f"{what} is required")
    wanted = _day(day)
    today = date.fromisoformat(state.day)
    rules = state.config.booking
    if not today <= wanted <= today + timedelta(days=rules["days_ahead"]):
        raise bad_input(f"appointments can be booked from today to {rules['days_ahead']} days ahead")
    offered = {s["slot"]: s for s in slots(state, queue, day)}
    if slot not in offered:
        raise bad_input(f"slot must be one of {', '.join(offered)}")
    hours = state.config.hours
    if hours is not None and not day_hours(hours, wanted):
        why = hours.closed.get(wanted.isoformat()) if hasattr(hours, "closed") else None
        raise unavailable(f"{day} {why or '休息'}，不办理预约 / the centre is closed that day", "closed")
    if offered[slot]["start"] <= at:
        raise conflict("that slot has already begun; choose a later one", "slot_past")
    if offered[slot]["available"] <= 0:
        raise unavailable("that slot is full; choose another", "slot_full")
    until = blocked_until(state, holder, state.day)
    if until:
        raise conflict(f"booking is suspended until {until} after missed appointments", "booking_blocked",
                       until=until)
    for b in state.bookings.values():
        if b["holder"] == holder and b["queue"] == queue and b["day"] == day and b["status"] == "booked":
            raise conflict("you already have an appointment for this queue that day", "already_booked")
    start, end = parse_range(slot)
    tz = state.config.timezone
    if person is not None and not _is_hash(person):
        raise bad_input("person must be a keyed hash")
    return [_event("appointment_booked", at, by, code=code, queue=queue, day=day, slot=slot, name=name,
                   phone=phone, holder=holder, start=at_local(day, start, tz), end=at_local(day, end, tz),
                   **({"person": person} if person is not None else {}))], code


def cancel_booking(state, at, by, code, holder=None):
    b = _booking(state, code)
    if holder is not None and b["holder"] != holder:
        raise not_found("no such appointment", "unknown_appointment")
    if b["status"] != "booked":
        raise conflict(f"the appointment is {b['status']}", f"appointment_{b['status']}")
    return [_event("appointment_cancelled", at, by, code=code)], code


def check_in(state, at, by, code, ticket_id, channel="kiosk", person=None):
    b = _booking(state, code)
    if person is not None and b.get("person") != person:
        raise not_found("no such appointment", "unknown_appointment")
    if b["status"] == "checked_in":
        return [], b["ticket"]
    if b["status"] != "booked":
        raise conflict(f"the appointment is {b['status']}", f"appointment_{b['status']}")
    rules = state.config.booking
    if b["day"] != state.day or at < b["start"] - rules["early_s"]:
        raise conflict(f"check in on {b['day']} around {b['slot']}", "too_early", day=b["day"], slot=b["slot"])
    if at > b["miss_at"]:
        raise conflict("the appointment's time has passed; take a ticket instead", "appointment_missed")
    cfg = state.config
    if not is_open(cfg.hours, at, cfg.timezone):
        raise unavailable("the centre is closed now", "closed", centre=cfg.name)
    q = cfg.queues[b["queue"]]
    number = f"{q.prefix}{state.issued.get(q.id, 0) + 1:03d}"
    return [_event("ticket_issued", at, by, ticket=ticket_id, number=number, queue=q.id, item=None,
                   priority="appointment", channel=channel, idem=None, appointment=code,
                   **({"person": person} if person is not None else {})),
            _event("appointment_checked_in", at, by, code=code, ticket=ticket_id)], ticket_id


def missed(state, at, by):
    """Bookings whose time has passed without a check-in: appointment_missed events (may be empty)."""
    return [_event("appointment_missed", at, by, code=b["code"], holder=b["holder"], day=b["day"])
            for b in sorted(state.bookings.values(), key=lambda b: b["miss_at"])
            if b["status"] == "booked" and b["miss_at"] < at]


def check_remote(state, queue, holder):
    """Refuse a remote ticket beyond the limits: one active per queue, a few a day."""
    if holder is None:
        return
    rules = state.config.remote
    mine = [state.tickets[t] for t in state.holders.get(holder, ()) if t in state.tickets]
    if len(mine) >= rules["per_day"]:
        raise conflict(f"at most {rules['per_day']} remote tickets a day", "remote_daily_limit",
                       per_day=rules["per_day"])
    active = [t for t in mine if t.queue == queue and t.status in (WAITING, CALLED, SERVING)]
    if len(active) >= rules["active_per_queue"]:
        raise conflict(f"you already hold {active[0].number} in this queue", "remote_active_ticket",
                       number=active[0].number)


def booking_of(state, person):
    """The booking of today a card holder may check in with now (booked with their ID number), or None."""
    mine = [b for b in state.bookings.values()
            if b.get("person") == person and b["day"] == state.day and b["status"] in ("booked", "checked_in")]
    mine.sort(key=lambda b: (b["status"] != "booked", b["start"]))
    return mine[0] if mine else None


def check_person(state, q, person):
    """A ticket by ID card: the queue may require one; one waiting ticket per person and queue;
    a person whose tickets were 过号 too often is held back as a booking's no-shows are."""
    if person is None:
        if q.id_card_required:
            raise Refused("id_card_required", f"{q.name}须刷身份证取号 / this queue needs your ID card on the reader",
                          403)
        return
    if not _is_hash(person):
        raise bad_input("person must be a keyed hash")
    for t in state.tickets.values():
        if t.person == person and t.queue == q.id and t.status == WAITING:
            raise Refused("already_waiting", f"您已有 {t.number} 号在排队 / you already hold {t.number} in this queue",
                          409, number=t.number)
    until = blocked_until(state, person, state.day)
    if until:
        raise conflict(f"多次过号未到，{until} 前暂停凭证取号 / after repeated no-shows you may take a ticket by card "
                       f"again after {until}", "no_show_limited")


def _is_hash(value):
    return isinstance(value, str) and 8 <= len(value) <= 64 and value.isprintable()


def _booking(state, code):
    b = state.bookings.get(code) if isinstance(code, str) else None
    if b is None:
        raise not_found("no such appointment", "unknown_appointment")
    return b


# --- folds ---

def apply_booked(s, e):
    grace = s.config.booking["grace_s"] if s.config else 0
    s.bookings[e["code"]] = {k: e[k] for k in ("code", "queue", "day", "slot", "name", "phone", "holder",
                                                "start", "end")}
    if e.get("person") is not None:
        s.bookings[e["code"]]["person"] = e["person"]
    s.bookings[e["code"]].update(status="booked", ticket=None, miss_at=e["end"] + grace)


def apply_status(status):
    def apply(s, e):
        s.bookings[e["code"]]["status"] = status
        if "ticket" in e:
            s.bookings[e["code"]]["ticket"] = e["ticket"]
        if status == "missed":
            s.misses.setdefault(e["holder"], []).append(e["day"])
    return apply


def prune(s, day):
    """At a new day: bookings of earlier days are history (they live on in the log)."""
    s.bookings = {c: b for c, b in s.bookings.items() if b["day"] >= day}
    s.holders = {}
    if s.config:
        rules = s.config.booking
        keep = (date.fromisoformat(day) - timedelta(days=rules["missed_window_days"] + rules["block_days"])).isoformat()
        s.misses = {h: [d for d in days if d >= keep] for h, days in s.misses.items()}
        s.misses = {h: days for h, days in s.misses.items() if days}


FOLDS = {
    "appointment_booked": apply_booked,
    "appointment_cancelled": apply_status("cancelled"),
    "appointment_checked_in": apply_status("checked_in"),
    "appointment_missed": apply_status("missed"),
}
COMMANDS = {"book": book, "cancel-booking": cancel_booking, "check-in": check_in}
