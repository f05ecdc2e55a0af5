"""Keep a Learner per centre up to date from the gateway: `attach(hall)` once at start-up.

The learner of a centre first reads the centre's log through the gateway (its service times from
all of it, its calibration from the last `history_days` days, which bounds the start-up work),
then hears every new event from the gateway's listener hook, under the centre's lock.

The learned correction (model.py) is trained apart from all that: at start-up when the log is long
enough, then once a day (when a new day begins) and, while a centre has none, every few hundred
tickets. Training copies what it needs under the centre's lock (cheap) and runs in a thread of its
own (seconds), then puts the new correction in use; until then, and when there is none, the
estimates are the calibrated projection. A request never waits for a training.
"""
import logging
import threading

from ..core import CenterState, apply
from .waits import learner_for, register, unregister, raw_wait, ticket_row
from .learner import Learner

PAGE = 5000
log = logging.getLogger(__name__)


def attach(hall, history_days=28, background=True):
    """Feed a Learner per centre of `hall`; returns the listener (remove it to detach). Attaching a
    second time returns the listener already there. `background=False` trains in the caller's
    thread (tests)."""
    for existing in hall.listeners:
        if getattr(existing, "hall_estimate", False):
            return existing
    trainer = Trainer(background)

    def listener(cid, events, state):
        learner = learner_for(state)
        if learner is None:
            learner = learn_history(hall, cid, state, history_days, before=events[0]["seq"])
        learner.feed(events, state, projected=raw_wait, sample=ticket_row)
        if learner.wants_training():
            trainer.start(learner)
    listener.hall_estimate = True
    listener.trainer = trainer
    hall.listeners.append(listener)
    for cid in hall.centre_ids():
        try:
            with hall.reading(cid) as state:
                learner = learner_for(state) or learn_history(hall, cid, state, history_days)
                if learner.wants_training():
                    trainer.start(learner)
        except Exception as e:  # a stream that never became a centre
            if getattr(e, "code", None) != "unknown_center":
                raise
    return listener


class Trainer:
    """Runs a learner's training job apart, one at a time per learner."""

    def __init__(self, background=True):
        self.background = background
        self.last = None            # the last job's thread (tests join it)

    def start(self, learner):
        job = learner.training_job()        # the copies: under the caller's lock
        learner.training = True

        def run():
            try:
                offsets, model = job()
                learner.use(model, offsets)
            except Exception:
                log.exception("training the wait estimate failed; the calibrated projection stays")
            finally:
                learner.training = False
        if self.background:
            self.last = run_apart(run)
        else:
            run()


def run_apart(fn):
    """Run `fn` in an OS thread of its own, also when gevent has patched `threading` (a greenlet
    would hold the server's loop for the whole training)."""
    try:
        from gevent import monkey
        if monkey.is_module_patched("threading"):
            import gevent
            return gevent.get_hub().threadpool.spawn(fn)
    except ImportError:
        pass
    t = threading.Thread(target=fn, name="hall-estimate-training", daemon=True)
    t.start()
    return t


def learn_history(hall, cid, live_state, history_days, before=None):
    """A Learner for `live_state` that has read the centre's log (events with seq < `before`)."""
    events = []
    after = 0
    while True:
        page = hall.events(cid, after, PAGE)
        if not page:
            break
        events.extend(e for e in page if before is None or e["seq"] < before)
        after = page[-1]["seq"]
        if len(page) < PAGE or (before is not None and after >= before):
            break
    learner = replay(cid, events, history_days)
    learner.refit_order_daily = False       # from now on the background training refits it
    register(live_state, learner)
    return learner


def replay(cid, events, history_days=None):
    """A Learner that has been fed `events` of a centre in order, as if it had heard them live
    (calibration and the correction's tickets from the last `history_days` days only)."""
    days = [i for i, e in enumerate(events) if e["type"] == "day_started"]
    start = days[-history_days] if history_days and len(days) > history_days else 0
    state = CenterState(id=cid)
    learner = Learner()
    register(state, learner)
    for i, e in enumerate(events):
        apply(state, e)
        if i >= start:
            learner.feed([e], state, projected=raw_wait, sample=ticket_row)
        else:
            learner.feed([e], state)
    unregister(state)
    return learner
