"""What a centre's event log teaches the estimate: occupancy times, pause lengths, calibration.

A Learner is fed the events of one centre in order (the gateway's listener hook, a replayed log,
the simulator) together with the state they left. It never changes the state.
"""
from ..core.clock import local
from .calibrate import Calibration
from .times import ServiceTimes

_LEAVE = ("ticket_finished", "ticket_no_show", "ticket_transferred")


class Learner:
    def __init__(self, state=None):
        self.state = state
        self.times = ServiceTimes()
        self.calibration = Calibration()
        self.last_at = None
        self.version = 0
        self._calls = {}      # ticket → (called at, window, queue)
        self._joined = {}     # ticket → (issued at, queue, class, item, projected wait at joining)
        self._paused = {}     # window → paused at
        self._hours = {}

    def hour(self, at, tz):
        key = int(at // 3600)
        h = self._hours.get(key)
        if h is None:
            if len(self._hours) > 4096:
                self._hours.clear()
            h = self._hours[key] = local(at, tz).hour
        return h

    def feed(self, events, state, projected=None):
        """Learn from `events` (already applied to `state`). `projected(state, ticket)` gives the
        raw projected wait of a ticket that has just joined; without it none is kept."""
        if self.state is None:
            self.state = state
        tz = state.config.timezone if state.config else "UTC"
        for e in events:
            kind, at = e["type"], e["at"]
            self.last_at = at
            if kind == "ticket_issued":
                t = state.tickets.get(e["ticket"])
                if t is not None:
                    self.times.add_arrival(t.queue, t.priority, self.hour(at, tz))
                if t is not None and projected is not None:
                    self._joined[t.id] = (at, t.queue, t.priority, t.item, projected(state, t))
            elif kind == "ticket_called":
                tid = e["ticket"]
                self._calls[tid] = (at, e["window"], e["queue"])
                free = self.times.free_since.pop(e["window"], None)
                t = state.tickets.get(tid)
                if free is not None and t is not None and not e.get("callback"):
                    self.times.add_pickup(e["window"], max(0.0, at - max(free, t.since)))
                joined = self._joined.pop(tid, None)
                if joined is not None:
                    issued, queue, cls, item, raw = joined
                    self.calibration.add(queue, cls, item, raw, at - issued)
            elif kind in _LEAVE:
                call = self._calls.pop(e["ticket"], None)
                if call is not None:
                    called, window, queue = call
                    self.times.add(queue, window, self.hour(called, tz), at - called)
                if e.get("window") is not None:
                    self.times.free_since[e["window"]] = at
            elif kind == "ticket_cancelled":
                self._joined.pop(e["ticket"], None)
            elif kind == "window_paused":
                self._paused[e["window"]] = at
                self.times.free_since.pop(e["window"], None)
            elif kind == "window_opened":
                self.times.free_since[e["window"]] = at
            elif kind in ("window_resumed", "window_closed"):
                if kind == "window_resumed":
                    self.times.free_since[e["window"]] = at
                else:
                    self.times.free_since.pop(e["window"], None)
                since = self._paused.pop(e["window"], None)
                if since is not None and kind == "window_resumed":
                    self.times.pauses.add(at - since)
            elif kind == "day_started":
                self.times.new_day()
                self._calls.clear()
                self._joined.clear()
                self.times.free_since.clear()
                self._paused.clear()
        self.version += 1
