"""Judge wait estimators on a Hall event log: predict when a ticket joins, compare with its real wait.

The log is replayed in order through the core's `apply`. When a ticket is issued on a test day,
every estimator predicts its wait from the state at that moment (and from what it learned from the
events before); when the ticket is first called, its real wait is known. Nothing after a prediction
is used for it. Hall's learned correction (hall.estimate.model) is trained once, when the first test
day begins, on the tickets of the training days alone (`Learner.train()`, the same call the app
makes in the background), and is then frozen; what follows the log as it goes (recent waits, pace,
service-time fits, calibration cells, the range's width) is updated causally, as the baselines' HOL
and LES are.

Baselines (per class = queue and priority class):
- naive: (people ahead + 1) × the queue's mean occupancy so far ÷ open windows serving the queue;
  0 when one of them is free and no one is ahead (no window: 0);
- hol: the time the head of the ticket's line has waited so far (Ibrahim & Whitt's head-of-line
  delay; 0 when the ticket is the head);
- les: the wait of the last ticket of its line to be called (last-to-enter-service delay).
"""
import math

from hall.core import CenterState, apply
from hall.core.state import OPEN
from hall.estimate import Learner, following, raw_wait, ahead
from hall.estimate.waits import estimates

ESTIMATORS = ("hall", "naive", "hol", "les")


class Baselines:
    def __init__(self):
        self.occupancy = {}       # queue → [n, total s]
        self.last_called = {}     # (queue, class) → wait of the last one called
        self._calls = {}

    def feed(self, e, state):
        kind = e["type"]
        if kind == "ticket_called":
            t = state.tickets[e["ticket"]]
            self._calls[t.id] = (e["at"], t.queue)
            if not e.get("callback"):
                self.last_called[(t.queue, t.priority)] = e["at"] - t.since
        elif kind in ("ticket_finished", "ticket_no_show", "ticket_transferred"):
            call = self._calls.pop(e["ticket"], None)
            if call is not None:
                s = self.occupancy.setdefault(call[1], [0, 0.0])
                s[0] += 1
                s[1] += e["at"] - call[0]
        elif kind == "day_started":
            self._calls.clear()

    def predict(self, state, t, now):
        windows = [w for w in state.windows.values() if w.state == OPEN and t.queue in w.queues]
        n_ahead = ahead(state, t)
        idle = any(w.ticket is None for w in windows)
        if not windows or (idle and n_ahead == 0):
            naive = 0.0
        else:
            n, total = self.occupancy.get(t.queue, (0, 0.0))
            mean = total / n if n else state.config.queues[t.queue].service_s
            naive = (n_ahead + 1) * mean / len(windows)
        line = state.line(t.queue, t.priority)
        hol = now - state.tickets[line[0]].since if line and line[0] != t.id else 0.0
        les = self.last_called.get((t.queue, t.priority), 0.0)
        return {"naive": naive, "hol": hol, "les": les}


def evaluate(cid, events, test_day, keep=None, train=True):
    """Replay `events`; predictions for tickets issued on days where `test_day(index, day)` holds.

    Returns {"pairs": {estimator: [(predicted, real)]}, "ranges": [(lo, hi, real)]}; a `keep` dict
    receives every prediction by ticket id (with its raw projection and real wait), for analysis.
    """
    state = CenterState(id=cid)
    learner = Learner()
    trained = None
    projected, sample = following(learner)
    base = Baselines()
    day_index, testing = -1, False
    pending, pairs, ranges = {}, {k: [] for k in ESTIMATORS}, []
    try:
        for e in events:
            apply(state, e)
            kind = e["type"]
            if kind == "day_started":
                day_index += 1
                was_testing, testing = testing, test_day(day_index, e["day"])
                pending.clear()
                if testing and not was_testing and train:
                    # the end of the training days: the correction is fitted once, on them alone
                    learner.train()
                    trained = learner.model
            elif kind == "ticket_issued" and testing:
                t = state.tickets[e["ticket"]]
                est = estimates(state, e["at"], learner).ticket(t)
                p = base.predict(state, t, e["at"])
                p["hall"] = est[0] if est else 0.0
                pending[t.id] = (p, (est[1], est[2]) if est else (0.0, 0.0))
                if keep is not None:
                    keep[t.id] = {"item": t.item, "queue": t.queue, "cls": t.priority, "at": e["at"],
                                  "raw": raw_wait(state, t, e["at"], learner), **p}
            elif kind == "ticket_called" and e["ticket"] in pending:
                p, rng = pending.pop(e["ticket"])
                real = e["at"] - state.tickets[e["ticket"]].issued_at
                for k in ESTIMATORS:
                    pairs[k].append((p[k], real))
                ranges.append((rng[0], rng[1], real))
                if keep is not None:
                    keep[e["ticket"]]["real"] = real
            elif kind == "ticket_cancelled":
                pending.pop(e["ticket"], None)
            learner.feed([e], state, projected=projected, sample=sample)
            base.feed(e, state)
    finally:
        pass
    return {"pairs": pairs, "ranges": ranges, "model": trained.info if trained is not None else None}


def scores(pairs):
    errs = sorted(abs(p - r) for p, r in pairs)
    n = len(errs)
    if not n:
        return {"n": 0}
    return {
        "mae_s": round(sum(errs) / n, 2),
        "rmse_s": round(math.sqrt(sum(e * e for e in errs) / n), 2),
        "p90_abs_err_s": round(errs[min(n - 1, int(0.9 * n))], 2),
    }


def coverage(ranges):
    if not ranges:
        return None
    inside = sum(1 for lo, hi, real in ranges if lo - 0.5 <= real <= hi + 0.5)
    return round(inside / len(ranges), 3)


def report(result):
    out = {k: scores(v) for k, v in result["pairs"].items()}
    out["n"] = len(result["ranges"])
    out["mean_wait_s"] = round(sum(r for _, r in result["pairs"]["hall"]) / out["n"], 2) if out["n"] else None
    out["hall_range_coverage"] = coverage(result["ranges"])
    best = min(out[k]["mae_s"] for k in ("naive", "hol", "les")) if out["n"] else None
    out["hall_mae_vs_best_baseline"] = round(out["hall"]["mae_s"] / best, 3) if best else None
    return out
