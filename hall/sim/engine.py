"""Simulated citizens and staff of one centre, acting through a backend that speaks the core's commands.

The engine is a discrete-event loop in simulated time: citizens arrive and take tickets, walk to the
window they are called to (or do not come: recall, then 过号), give up waiting now and then; staff
open their windows when the centre opens, call the next ticket whenever they are free, serve, send
some citizens on to another queue, take breaks (pause/resume) and close when the period ends and no
one waits for them; with `Options.ratings`, some citizens rate the service (at the window's evaluator,
on the phone or at the kiosk, now and then on two of them) and a manager works the 差评 follow-ups
each morning. Every action is a command on a backend:

- `GatewayBackend` goes through the gateway like the API does: on an in-memory store with a
  simulated clock for the simulator (`in_memory`, fast and deterministic per seed), on the hall's
  own store and clock for the demo (`hall.sim.actors`) and for `hall simulate --store`.

The engine reads the backend's state before it acts and tolerates refusals, so that people using
the demo at the same time (a window taken over in the staff console) never break it.
"""
import heapq
import itertools
import random
from datetime import date as Date, datetime, timedelta, time as dtime

from ..core import Refused
from ..core.clock import day_hours, zone
from ..core.state import OPEN, PAUSED, CLOSED, CALLED, SERVING, WAITING, CLASSES
from .model import Behaviour, Options


class SimClock:
    """Simulated time for the gateway: the engine sets it to each command's moment."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


class GatewayBackend:
    """Commands through the gateway, as the API gives them.

    With a `clock` (a SimClock the gateway was built on), each command happens at the simulated
    moment the engine names; without one, at the gateway's own clock (the demo). `state` is the
    gateway's own object, which its commands keep current; `refresh()` catches up with others.
    """

    def __init__(self, hall, cid, clock=None):
        self.hall, self.cid, self.clock = hall, cid, clock
        self._state = None

    def do(self, name, args, at, by):
        if self.clock is not None:
            self.clock.now = at
        result, _, _ = self.hall.execute(self.cid, name, args, by=by)
        return result

    def refresh(self):
        self._state = self.hall.state(self.cid)

    def read(self):
        if self._state is None:
            self.refresh()
        return self._state

    state = property(read)

    @property
    def log(self):
        """Every event of the centre, as stored."""
        return self.hall.store.read(self.cid)


def in_memory(cid, listeners=(), snapshot_every=float("inf")):
    """A gateway on an in-memory store with a simulated clock: the simulator's and the benches' hall
    (no snapshots unless asked: nothing outlives the process)."""
    from ..centre import Hall
    from ..store.memory import MemoryStore
    clock = SimClock()
    hall = Hall(MemoryStore(), clock=clock, snapshot_every=snapshot_every)
    for fn in listeners:
        hall.listen("learn", fn)
    return GatewayBackend(hall, cid, clock)


class Engine:
    """One centre's simulated people. Schedule with `start_day(date)`; drive with `step()`."""

    def __init__(self, backend, config, options=None, seed=0, staff=None, by_prefix="sim"):
        self.backend = backend
        self.cfg = config
        self.opt = options or Options()
        self.rng = random.Random(seed)
        # ratings draw from their own generator: a simulation without them draws as it always did
        self.rating_rng = random.Random(f"{seed}:ratings")
        self.beh = Behaviour(config, self.opt, self.rng)
        self.by = by_prefix
        self.staff = staff or {n: {"username": f"{by_prefix}-staff-{n}", "name": f"{n}号窗口工作人员",
                                   "staff_no": f"S{n:03d}"} for n in config.windows}
        self._heap = []
        self._n = itertools.count()
        self._break_due = set()
        self._closing = set()
        self._on_break = set()
        self._period_end = None
        self.turned_away = 0
        self.now = None
        self._peaks = {}

    # --- the loop ---
    def at(self, t, fn, *args):
        heapq.heappush(self._heap, (t, next(self._n), fn, args))

    def next_time(self):
        return self._heap[0][0] if self._heap else None

    def step(self):
        t, _, fn, args = heapq.heappop(self._heap)
        self.now = t
        fn(t, *args)

    def run_until(self, t_end=None):
        while self._heap and (t_end is None or self._heap[0][0] <= t_end):
            self.step()

    def do(self, name, args, t, by):
        return self.backend.do(name, args, t, by)

    @property
    def state(self):
        return self.backend.read()

    # --- a day ---
    def periods(self, day):
        """Opening periods of a local date as (start, end) epoch seconds (contiguous ones merged)."""
        tz = zone(self.cfg.timezone)
        if self.opt.hours is not None:
            spans = list(self.opt.hours)
        elif self.cfg.hours is not None:
            spans = list(day_hours(self.cfg.hours, day))
        else:
            spans = list(self.opt.default_hours)
        merged = []
        for a, b in sorted(spans):
            if merged and merged[-1][1] == a:
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        midnight = datetime.combine(day, dtime(0), tz)
        return [(_epoch(midnight, a), _epoch(midnight, b)) for a, b in merged]

    def weekday_spans(self):
        if self.opt.hours is not None:
            return list(self.opt.hours)
        if self.cfg.hours is not None:
            days = [d for d in self.cfg.hours[:5] if d] or [d for d in self.cfg.hours if d]
            return list(max(days, key=lambda d: sum(b - a for a, b in d))) if days else []
        return list(self.opt.default_hours)

    def start_day(self, day):
        """Schedule a local date: windows open, citizens arrive, breaks, closing."""
        spans = self.weekday_spans()
        midnight = datetime.combine(day, dtime(0), zone(self.cfg.timezone)).timestamp()
        windows = sorted(self.cfg.windows)
        staffed = windows[:max(1, round(len(windows) * self.opt.staffed))] if windows else []
        for i, (start, end) in enumerate(self.periods(day)):
            if i == 0 and self.opt.door_crowd > 0:
                for k in range(round(self.beh.daily_volume() * self.opt.door_crowd)):
                    self.at(start + k * 0.5, self._crowd, midnight)
            self.at(start, self._open_period, staffed, end)
            self._next_arrival(start, end, midnight, spans)
            for n in staffed:
                for _ in range(self.opt.breaks_per_period):
                    span = end - start
                    if span > 3600:
                        self.at(start + self.rng.uniform(0.2, 0.8) * span, self._break, n)
            self.at(end, self._close_period, staffed)
        periods = self.periods(day)
        if self.opt.ratings > 0 and self.opt.followups and periods:
            self.at(periods[0][0] + 60, self._work_followups, periods[0][0])
        for minute, window, queues, mode in self.opt.reassign:
            self.at(midnight + minute * 60, self._reassign, window, list(queues), mode)

    # --- citizens ---
    def _next_arrival(self, t, end, midnight, spans):
        """Thinning: candidate arrivals at the peak rate, each kept with probability rate/peak."""
        peak = self._peak_rate(spans)
        if peak <= 0:
            return
        t = t + self.rng.expovariate(peak)
        if t < end:
            self.at(t, self._arrive, end, midnight, spans)

    def _arrive(self, t, end, midnight, spans):
        minute = (t - midnight) / 60
        rate = self.beh.rate_per_s(minute, spans) * self.beh.surge_share(minute)
        if self.rng.random() * self._peak_rate(spans) <= rate:
            self._citizen(t, minute)
        self._next_arrival(t, end, midnight, spans)

    def _peak_rate(self, spans):
        key = tuple(spans)
        if key not in self._peaks:
            top = max(self.beh.rate_per_s(m * 30, spans) for m in range(48))
            self._peaks[key] = top * self.beh.max_surge()
        return self._peaks[key]

    def _crowd(self, t, midnight):
        self._citizen(t, (t - midnight) / 60)

    def _citizen(self, t, minute):
        queue, item = self.beh.pick(minute)
        args = {"ticket_id": f"{self.cfg.id}.{self.rng.getrandbits(64):016x}", "queue": queue,
                "priority": self.beh.priority(), "channel": "kiosk"}
        if item is not None:
            args["item"] = item
        try:
            tid = self.do("issue", args, t, f"{self.by}-kiosk")
        except Refused:
            self.turned_away += 1
            return
        patience = self.beh.patience_s()
        if patience is not None:
            self.at(t + patience, self._give_up, tid)
        self._poke(t, queue)

    def _give_up(self, t, tid):
        tk = self.state.tickets.get(tid)
        if tk is not None and tk.status == WAITING:
            self._try("cancel", {"ticket": tid}, t, f"{self.by}-citizen")

    # --- staff ---
    def _ours(self, n):
        w = self.state.windows.get(n)
        return w is not None and (w.staff is None or w.staff.get("username") == self.staff[n]["username"])

    def _try(self, name, args, t, by):
        try:
            return self.do(name, args, t, by)
        except Refused:
            return None

    def _open_period(self, t, windows, end):
        self._period_end = end
        self._closing.clear()
        for n in windows:
            w = self.state.windows.get(n)
            if w is None or not self._ours(n):
                continue
            if w.state == CLOSED:
                self._try("open", {"window": n, "staff": self.staff[n]}, t, self.staff[n]["username"])
            elif w.state == PAUSED and n not in self._on_break:
                self._try("resume", {"window": n}, t, self.staff[n]["username"])
            self._call_next(t, n)

    def _close_period(self, t, windows):
        self._closing.update(windows)
        for n in windows:
            self._maybe_close(t, n)

    def _maybe_close(self, t, n):
        w = self.state.windows.get(n)
        if (n in self._closing and w is not None and w.state == OPEN and w.ticket is None
                and not self._has_waiting(w) and self._ours(n)):
            self._try("close", {"window": n}, t, self.staff[n]["username"])
            return True
        return False

    def _has_waiting(self, w):
        s = self.state
        return any(s.lines.get((q, c)) for q in w.queues for c in CLASSES)

    def _idle(self, n):
        w = self.state.windows.get(n)
        return w is not None and w.state == OPEN and w.ticket is None and self._ours(n)

    def _poke(self, t, queue):
        """A ticket joined `queue`: free windows serving it call (the one free longest first)."""
        s = self.state
        idle = sorted((w.since or 0, w.number) for w in s.windows.values()
                      if queue in w.queues and self._idle(w.number))
        for _, n in idle:
            if not any(s.lines.get((queue, c)) for c in CLASSES):
                break
            self._call_next(t, n)

    def _call_next(self, t, n):
        if not self._idle(n):
            return
        if n in self._break_due:
            self._take_break(t, n)
            return
        tid = self._try("call-next", {"window": n}, t, self.staff[n]["username"])
        if tid is None:
            self._maybe_close(t, n)
            return
        if self.beh.shows_up():
            self.at(t + self.beh.walk_s(), self._start, n, tid)
        else:
            self.at(t + self.opt.recall_after_s, self._recall, n, tid)

    def _at_window(self, n, tid, status):
        w = self.state.windows.get(n)
        tk = self.state.tickets.get(tid)
        return w is not None and w.ticket == tid and tk is not None and tk.status == status and self._ours(n)

    def _recall(self, t, n, tid):
        if not self._at_window(n, tid, CALLED):
            return
        self._try("recall", {"window": n}, t, self.staff[n]["username"])
        self.at(t + self.opt.recall_after_s, self._missed, n, tid)

    def _missed(self, t, n, tid):
        if self._at_window(n, tid, CALLED):
            self._try("no-show", {"window": n}, t, self.staff[n]["username"])
        self._after_ticket(t, n)

    def _start(self, t, n, tid):
        if not self._at_window(n, tid, CALLED):
            return
        if self._try("start", {"window": n}, t, self.staff[n]["username"]) is None:
            return
        queue = self.state.tickets[tid].queue
        self.at(t + self.beh.service_s(queue, n), self._finish, n, tid)

    def _finish(self, t, n, tid):
        if not self._at_window(n, tid, SERVING):
            return
        tk = self.state.tickets[tid]
        target = self._transfer_target(tk.queue) if self.beh.transfers() else None
        if target is not None:
            self._try("transfer", {"window": n, "queue": target, "position": "first"}, t,
                      self.staff[n]["username"])
            self._poke(t, target)
        else:
            if self._try("finish", {"window": n}, t, self.staff[n]["username"]) is not None:
                self._maybe_rate(t, tid)
        self._after_ticket(t, n)

    # --- 好差评 ---
    CHANNELS = (("evaluator", 0.6), ("phone", 0.3), ("kiosk", 0.1))
    SCORES = ((5, 0.72), (4, 0.16), (3, 0.06), (2, 0.035), (1, 0.025))

    def _pick(self, table):
        x, acc = self.rating_rng.random(), 0.0
        for value, p in table:
            acc += p
            if x < acc:
                return value
        return table[-1][0]

    def _maybe_rate(self, t, tid):
        r = self.rating_rng
        if self.opt.ratings <= 0 or r.random() >= self.opt.ratings:
            return
        channel = self._pick(self.CHANNELS)
        # the evaluator is pressed at the window; the phone or the kiosk a little later
        self.at(t + (r.uniform(2, 10) if channel == "evaluator" else r.uniform(60, 3600)), self._rate, tid, channel)
        if r.random() < 0.08:
            other = r.choice([c for c, _ in self.CHANNELS if c != channel])
            self.at(t + r.uniform(3600, 2 * 86400), self._rate, tid, other)

    def _rate(self, t, tid, channel):
        from ..core import ratings
        r = self.rating_rng
        score = self._pick(self.SCORES)
        choices = ratings.options_of(score)
        k = r.randint(1, 2) if score in ratings.REASON_REQUIRED else r.randint(0, 2)
        options = r.sample([c for c in choices if c != "other"], k)
        comment = r.choice(["等了很久", "材料要求没有一次说清楚", None]) if score <= 2 else None
        args = {"ticket": tid, "score": score, "options": options, "channel": channel}
        if comment:
            args["comment"] = comment
        self._try("evaluate", args, t, f"{self.by}-{channel}")

    def _work_followups(self, t, opening):
        """A manager's morning round of the 差评 follow-ups: each confirmed complaint is put right some
        working days after it came (a few too late), visited once put right, then answered."""
        r = self.rating_rng
        by = f"{self.by}-manager"
        for f in sorted(self.state.followups.values(), key=lambda f: f["id"]):
            if f["status"] == "open":
                unfounded = r.random() < 0.1
                self._try("followup-verify", {"followup": f["id"], "note": "调取录像并询问窗口人员",
                                              "finding": "unfounded" if unfounded else "confirmed"}, t, by)
                if unfounded:
                    self._try("followup-reply", {"followup": f["id"], "note": "经核实不属实，已向群众说明"}, t, by)
            elif f["status"] == "verified" and r.random() < 0.3:
                self._try("followup-rectify", {"followup": f["id"], "note": "已对窗口人员培训并优化告知"}, t, by)
            elif f["status"] == "rectified" and not f.get("revisit"):
                if r.random() < 0.85:
                    self._try("followup-revisit", {"followup": f["id"], "note": "电话回访",
                                                   "result": "satisfied" if r.random() < 0.8 else "unsatisfied"},
                              t, by)
                self._try("followup-reply", {"followup": f["id"], "note": "已答复群众整改情况"}, t, by)

    def _transfer_target(self, queue):
        served = sorted({q for w in self.state.windows.values() if w.state == OPEN for q in w.queues} - {queue})
        return self.rng.choice(served) if served else None

    def _after_ticket(self, t, n):
        if not self._idle(n):
            return
        if n in self._break_due:
            self._take_break(t, n)
        elif not self._maybe_close(t, n):
            self._call_next(t, n)

    def _break(self, t, n):
        w = self.state.windows.get(n)
        if w is None or w.state != OPEN or not self._ours(n) or n in self._closing:
            return
        self._break_due.add(n)
        if w.ticket is None:
            self._take_break(t, n)

    def _take_break(self, t, n):
        self._break_due.discard(n)
        if self._try("pause", {"window": n, "reason": "休息"}, t, self.staff[n]["username"]) is not None:
            self._on_break.add(n)
            self.at(t + self.beh.break_len_s(), self._back, n)

    def _back(self, t, n):
        self._on_break.discard(n)
        w = self.state.windows.get(n)
        if w is None or w.state != PAUSED or not self._ours(n):
            return
        self._try("resume", {"window": n}, t, self.staff[n]["username"])
        if not self._maybe_close(t, n):
            self._call_next(t, n)

    def _reassign(self, t, n, queues, mode):
        if self._try("assign", {"window": n, "queues": queues, "mode": mode}, t, f"{self.by}-manager") is None:
            return
        for q in queues:
            self._poke(t, q)


def _epoch(midnight, minute):
    return (midnight + timedelta(minutes=minute)).timestamp()


def next_open_days(config, first, count):
    """`count` local dates from `first` on which the centre opens (every date when always open)."""
    days, d = [], first
    while len(days) < count:
        if config.hours is None or day_hours(config.hours, d):
            days.append(d)
        d += timedelta(days=1)
    return days


def default_first_day():
    """A fixed Monday, so that a seed alone fixes the simulated days."""
    return Date(2026, 11, 23)
