"""Keep a Learner per centre up to date from the gateway: `attach(hall)` once at start-up.

The learner of a centre first reads the centre's log through the gateway (its service times from
all of it, its calibration from the last `history_days` days, which bounds the start-up work),
then hears every new event from the gateway's listener hook, under the centre's lock.
"""
from ..core import CenterState, apply
from .waits import learner_for, register, unregister, raw_wait
from .learner import Learner

PAGE = 5000


def attach(hall, history_days=28):
    """Feed a Learner per centre of `hall`; returns the listener (remove it to detach)."""
    def listener(cid, events, state):
        learner = learner_for(state)
        if learner is None:
            learner = learn_history(hall, cid, state, history_days, before=events[0]["seq"])
        learner.feed(events, state, projected=raw_wait)
    hall.listeners.append(listener)
    for cid in hall.centre_ids():
        try:
            with hall.reading(cid) as state:
                if learner_for(state) is None:
                    learn_history(hall, cid, state, history_days)
        except Exception as e:  # a stream that never became a centre
            if getattr(e, "code", None) != "unknown_center":
                raise
    return listener


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
    register(live_state, learner)
    return learner


def replay(cid, events, history_days=None):
    """A Learner that has been fed `events` of a centre in order, as if it had heard them live."""
    days = [i for i, e in enumerate(events) if e["type"] == "day_started"]
    start = days[-history_days] if history_days and len(days) > history_days else 0
    state = CenterState(id=cid)
    learner = Learner()
    register(state, learner)
    for i, e in enumerate(events):
        apply(state, e)
        learner.feed([e], state, projected=raw_wait if i >= start else None)
    unregister(state)
    return learner
