"""What a centre's event log teaches the estimate: occupancy times, pause lengths, calibration,
the call order it really follows, and the tickets the learned correction is trained on.

A Learner is fed the events of one centre in order (the gateway's listener hook, a replayed log,
the simulator) together with the state they left. It never changes the state. Feeding is cheap and
causal; training the correction (`train()`) is the one costly step, and is done apart (at the end
of a bench's training days; in the app, in the background).
"""
from array import array

from ..core.clock import local
from . import model as learned
from .calibrate import Calibration
from .features import NAMES, Recent
from .order import CallOrder, Offsets
from .samples import Samples
from .training import TrainingJob
from .times import ServiceTimes

KEEP_SAMPLES = 40000      # tickets the correction is trained on: the most recent (about a month)
RETRY_SAMPLES = 500       # tickets a centre without a correction gathers before it tries again

_LEAVE = ("ticket_finished", "ticket_no_show", "ticket_transferred")


class Learner:
    def __init__(self, refit_order_daily=True):
        """`refit_order_daily`: refit the call order at each new day while there is no correction
        (a replay, the bench, an estimator that does not train); the app's estimator leaves it to
        its training, apart (a fit takes up to a second on months of calls)."""
        self.refit_order_daily = refit_order_daily
        self.times = ServiceTimes()
        self.calibration = Calibration()
        self.last_at = None
        self.version = 0
        self._calls = {}      # ticket → (called at, window, queue)
        self._joined = {}     # ticket → (issued at, queue, class, item, projected wait at joining)
        self._paused = {}     # window → paused at
        self._hours = {}
        self.recent = Recent()
        self.order = CallOrder()
        self.offsets = Offsets()
        self.samples = Samples(len(NAMES), KEEP_SAMPLES)    # (day index, row, real wait)
        self.persisted_days = {}  # persist.py's text of each day's samples, made again when they change
        self.model = None
        self.day_index = 0
        self._rows = {}       # ticket → (day index, row) as it joined, until it is called
        self._said = {}       # ticket → the range the correction gave it as it joined
        self.training = False     # a training job is running (see live.Trainer)
        self._tried_at = 0        # samples there were at the last training
        self._new_day = False     # a day has begun since the last training

    def hour(self, at, tz):
        key = int(at // 3600)
        h = self._hours.get(key)
        if h is None:
            if len(self._hours) > 4096:
                self._hours.clear()
            h = self._hours[key] = local(at, tz).hour
        return h

    def feed(self, events, state, projected=None, sample=None):
        """Learn from `events` (already applied to `state`). `projected(state, ticket)` gives the
        raw projected wait of a ticket that has just joined, `sample(state, ticket)` its row of
        numbers for the correction; without them none is kept."""
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
                row = sample(state, t) if t is not None and sample is not None else None
                if row is not None:
                    row = array("d", row)          # until it is called: then a float32 row of `samples`
                    self._rows[t.id] = (self.day_index, row)
                    if self.model is not None:
                        _, lo, hi = self.model.range_of(row)
                        if lo is not None:
                            self._said[t.id] = (lo, hi)
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
                row = self._rows.pop(tid, None)
                if row is not None and t is not None and not e.get("callback"):
                    self.samples.append(row[0], row[1], max(0.0, at - t.issued_at))
                said = self._said.pop(tid, None)
                if said is not None and t is not None and self.model is not None:
                    wait = at - t.issued_at
                    self.model.ranges.steer(said[0] - 0.5 <= wait <= said[1] + 0.5)
                w = state.windows.get(e["window"])
                if t is not None and w is not None and not e.get("callback"):
                    self.order.observe(state, w, t)
            elif kind in _LEAVE:
                call = self._calls.pop(e["ticket"], None)
                if call is not None:
                    called, window, queue = call
                    self.times.add(queue, window, self.hour(called, tz), at - called)
                if e.get("window") is not None:
                    self.times.free_since[e["window"]] = at
            elif kind == "ticket_cancelled":
                self._joined.pop(e["ticket"], None)
                self._rows.pop(e["ticket"], None)
                self._said.pop(e["ticket"], None)
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
                self.order.new_day()
                self._calls.clear()
                self._joined.clear()
                self._rows.clear()
                self._said.clear()
                self.day_index += 1
                if self.model is None and self.refit_order_daily:
                    self.offsets = self.order.fit()     # today's order: what the calls up to yesterday say
                self._new_day = True
                self.times.free_since.clear()
                self._paused.clear()
            self.recent.feed(e, state)
        self.version += 1

    def wants_training(self):
        """Once a day; and, while there is no correction, whenever RETRY_SAMPLES more tickets came.
        (A day's training with too few tickets for trees still refits the call order.)"""
        if self.training:
            return False
        if self._new_day and (self.model is not None or not self.refit_order_daily):
            return True
        return self.model is None and len(self.samples) >= max(learned.MIN_SAMPLES, self._tried_at + RETRY_SAMPLES)

    def training_job(self, seed=0):
        """A `TrainingJob` computing (offsets, model) from a copy of what is learned now: cheap to
        make (copies), costly to run (seconds), safe to run apart while feeding goes on."""
        job = TrainingJob(self.samples.arrays(), self.order.snapshot(), seed)
        self._tried_at, self._new_day = len(self.samples), False
        return job

    def train(self, seed=0):
        """Fit the correction on the tickets seen so far, here and now; returns the Model (None: not
        enough tickets, or it does not help) and puts it in use."""
        self.use(*self.training_job(seed)()[::-1])
        return self.model

    def use(self, model, offsets=None):
        """Put a trained correction in use, with the call order that rows are made with from now on."""
        if offsets is not None:
            self.offsets = offsets
        self.model = model
        self.version += 1
