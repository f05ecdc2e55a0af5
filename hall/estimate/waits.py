"""The waits the views show: per ticket (when will it be called) and per queue (if taken now).

Pure functions of a centre's state and, when the caller has one, the Learner that has followed its
log (`learner=`); without one they use the catalogue's service times and today's. One projection
(see projection.py) answers every ticket and queue of a state: an `Estimates` holds it, so a page
showing 300 tickets and 10 queues pays for it once. Keeping them for a while is the caller's
business (the app's `Estimator` does).
"""
import math

from ..core.state import CLASSES, OPEN, WAITING
from .features import Context
from .model import available
from .projection import project
from .times import StateTimes

Z90 = 1.2815515655446004


def last_event_at(state, learner=None):
    """The newest moment the state knows of: its clock when no one says what time it is."""
    if learner is not None and learner.last_at is not None:
        return learner.last_at
    latest = state.day_start
    for w in state.windows.values():
        if w.since is not None and w.since > latest:
            latest = w.since
    for t in state.tickets.values():
        for x in (t.issued_at, t.since, t.called_at, t.started_at, t.finished_at):
            if x is not None and x > latest:
                latest = x
    return latest


class Estimates:
    """Point and range (p10, p90) per waiting ticket and per queue; None where no honest number exists.

    Without a trained correction: the calibrated projection. With one (`learner.model`): on the first
    question, every waiting ticket and queue of the state is answered at once by the trees."""
    __slots__ = ("now", "raw", "tickets", "queues", "_learner", "_state", "_times", "_context", "_batched")

    def __init__(self, state, now, raw, learner, times=None):
        self._state, self.now, self.raw, self._learner, self._times = state, now, raw, learner, times
        self.tickets, self.queues = {}, {}
        self._context = None
        self._batched = False

    def ticket(self, t):
        if not self._batched and self._learner is not None and self._learner.model is not None:
            self._batch()
        est = self.tickets.get(t.id)
        if est is None and t.id not in self.tickets:
            est = self.tickets[t.id] = self._finish(t.queue, t.priority, t.item, self.raw.tickets.get(t.id))
        return est

    def queue(self, queue):
        if not self._batched and self._learner is not None and self._learner.model is not None:
            self._batch()
        est = self.queues.get(queue)
        if est is None and queue not in self.queues:
            est = self.queues[queue] = self._finish(queue, CLASSES[-1], None, self.raw.queues.get(queue))
        return est

    def _finish(self, queue, cls, item, raw, cal=False):
        """The calibrated projection: (point, p10, p90), or None. `cal` is the calibration's answer
        when the caller has it already."""
        wait = None if raw is None else raw[0]
        if self._learner is not None:
            if cal is False:
                cal = self._learner.calibration.apply(queue, cls, item, wait)
            if cal is not None:
                lo, mid, hi = cal
                return (max(0.0, mid), max(0.0, lo), max(0.0, hi))
        if raw is None:
            return None
        return (wait,) + spread(wait, raw[1])

    def context(self):
        if self._context is None:
            learner, times = self._learner, self._times
            service = {q: times.occupancy(q, _AnyWindow(None), self.now)[0] for q in self._state.config.queues}
            self._context = Context(self._state, self.now, learner.recent, learner.offsets, learner.order.skills,
                                    learner.times.free_since, times.tz_offset, service, self.raw.free)
        return self._context

    def row(self, t):
        """The correction's numbers for a waiting ticket (what the learner trains on as it joins);
        None when it has no projection (no window will call it): the trees never answer those."""
        raw = self.raw.tickets.get(t.id)
        return None if raw is None else self.context().rows([(t, raw)])[0]

    def _batch(self):
        import numpy as np
        """Every waiting ticket and every queue's would-be ticket with a projection through the trees
        at once (the others keep the calibrated answer, asked for when needed)."""
        self._batched = True
        ctx = self.context()
        raws = self.raw.tickets
        items, keys = [], []
        for t in ctx.waiting:
            raw = raws.get(t.id)
            if raw is not None:
                items.append((t, raw))
                keys.append((self.tickets, t.id))
        for q in self._state.config.queues:
            raw = self.raw.queues.get(q)
            if raw is not None:
                items.append((_WouldBe(q, self.now), raw))
                keys.append((self.queues, q))
        if not items:
            return
        points, lows, highs = self._learner.model.predict(ctx.matrix(items))
        lows, highs = lows.clip(None, points), highs.clip(points)       # NaN (no range learned) stays NaN
        for (table, key), point, lo, hi in zip(keys, points.tolist(), lows.tolist(), highs.tolist()):
            table[key] = (point, lo, hi)
        for i in np.flatnonzero(np.isnan(lows)).tolist():
            (table, key), (t, raw) = keys[i], items[i]      # no range learned for a point like this:
            point = table[key][0]                           # the calibrated projection's
            _, lo, hi = self._finish(t.queue, t.priority, t.item, raw)
            table[key] = (point, min(lo, point), max(hi, point))


class _WouldBe:
    """A normal ticket taken now in a queue: what a queue's estimate is asked about."""
    __slots__ = ("id", "queue", "priority", "item", "since")

    def __init__(self, queue, now):
        self.id, self.queue, self.priority, self.item, self.since = None, queue, CLASSES[-1], None, now


def spread(mean, var):
    """p10 and p90 of a lognormal with this mean and variance (a point when there is no spread)."""
    if mean <= 0 or var <= 0:
        return (mean, mean)
    s2 = math.log1p(var / (mean * mean))
    s = math.sqrt(s2)
    mu = math.log(mean) - s2 / 2
    return (math.exp(mu - Z90 * s), math.exp(mu + Z90 * s))


def estimates(state, now=None, learner=None):
    """All estimates of a state at `now` (default: the state's newest event), with what `learner`
    has learned of its centre (None: the catalogue's figures and today's)."""
    if now is None:
        now = last_event_at(state, learner)
    times = StateTimes(state, learner.times if learner is not None else None, now)
    return Estimates(state, now, project(state, now, times), learner, times)


def raw_wait(state, ticket, now=None, learner=None):
    """The bare projection of a ticket (what the calibration learns from)."""
    raw = estimates(state, now, learner).raw.tickets.get(ticket.id)
    return None if raw is None else raw[0]


def ticket_row(state, ticket, now=None, learner=None):
    """The correction's numbers for a ticket (what the learner keeps as it joins); None without a
    learner, or where the correction cannot be trained (numpy or scikit-learn missing)."""
    if learner is None or not available():
        return None
    return estimates(state, now, learner).row(ticket)


def following(learner):
    """(projected, sample) for `learner.feed`: a joining ticket's bare projection and its row of
    numbers, both from one Estimates per state version and moment."""
    memo = {}

    def est(state):
        key = (id(state), state.version, learner.last_at)
        e = memo.get(key)
        if e is None:
            memo.clear()
            e = memo[key] = estimates(state, None, learner)
        return e

    def projected(state, t):
        raw = est(state).raw.tickets.get(t.id)
        return None if raw is None else raw[0]

    def sample(state, t):
        return est(state).row(t) if available() else None
    return projected, sample


# --- the functions the views call ---

def serving_windows(state, queue):
    return [w for w in state.windows.values() if w.state == OPEN and queue in w.queues]


def ahead(state, ticket):
    """Tickets of the same queue the call policy takes before this one."""
    if ticket.status != WAITING:
        return 0
    count = 0
    for cls in CLASSES:
        line = state.line(ticket.queue, cls)
        if cls == ticket.priority:
            return count + line.index(ticket.id)
        count += len(line)
    return count


def _seconds(x):
    return None if x is None else int(round(x))


def seconds_of(est):
    """(point, [p10, p90]) in whole seconds of one estimate (None, None where there is none)."""
    if est is None:
        return None, None
    return _seconds(est[0]), [_seconds(est[1]), _seconds(est[2])]


def ticket_wait(state, ticket, now=None, learner=None):
    """Seconds until this waiting ticket is called (the median), or None."""
    if ticket.status != WAITING:
        return None
    return seconds_of(estimates(state, now, learner).ticket(ticket))[0]


def ticket_range(state, ticket, now=None, learner=None):
    """[p10, p90] seconds until this waiting ticket is called, or None."""
    if ticket.status != WAITING:
        return None
    return seconds_of(estimates(state, now, learner).ticket(ticket))[1]


def queue_wait(state, queue, now=None, learner=None):
    """Seconds a normal ticket taken now would wait; None when no window will serve the queue."""
    return seconds_of(estimates(state, now, learner).queue(queue))[0]


def queue_range(state, queue, now=None, learner=None):
    return seconds_of(estimates(state, now, learner).queue(queue))[1]


def service_time(state, queue, window=None, now=None, learner=None):
    """Expected seconds a window is busy with a ticket of `queue` (learned, else the catalogue's)."""
    now = last_event_at(state, learner) if now is None else now
    times = StateTimes(state, learner.times if learner is not None else None, now)
    return times.occupancy(queue, _AnyWindow(window), now)[0]


class _AnyWindow:
    """A window by number (None: the queue's figure, no window's own speed)."""
    __slots__ = ("number",)

    def __init__(self, number):
        self.number = number
