"""What the estimator learned goes with the centre's snapshot: a start reads the snapshot and its tail,
never the whole log, and estimates as a start that read everything would."""
import json
import logging

import pytest

from hall.centre import Hall
from hall.core import CenterState, apply
from hall.core.state import WAITING
from hall.estimate import Estimator, persist, replay
from hall.estimate.waits import estimates
from hall.sim import Options, simulate
from hall.store.base import SNAPSHOT_FORMAT
from hall.store.sqlite import SQLiteStore
from tests.estimate.test_model import simulated_learner
from tests.helpers import Clock, small_center

PAGE = 5000


class CountingStore:
    """A real store that counts what a gateway reads of it (events, snapshots)."""

    def __init__(self, store, snapshots=True):
        self._store, self._snapshots = store, snapshots
        self.events_read = 0
        self.snapshots_read = 0

    def read(self, stream, after=0, limit=None):
        events = self._store.read(stream, after, limit)
        if stream != "district":
            self.events_read += len(events)
        return events

    def load_snapshot(self, stream):
        self.snapshots_read += 1
        return self._store.load_snapshot(stream) if self._snapshots else None

    def __getattr__(self, name):
        return getattr(self._store, name)


def _roundtrip(learner):
    return persist.load(json.loads(json.dumps(persist.dump(learner))))


def _all_estimates(state, learner, now=None):
    est = estimates(state, now, learner)
    tickets = {t.id: est.ticket(t) for t in state.tickets.values() if t.status == WAITING}
    return tickets, {q: est.queue(q) for q in state.config.queues}


def test_a_learner_comes_back_from_json_exactly_and_goes_on_alike():
    state, learner = simulated_learner()
    learner.train()
    assert learner.model is not None
    back = _roundtrip(learner)
    assert json.dumps(persist.dump(back)) == json.dumps(persist.dump(learner))
    assert _all_estimates(state, back) == _all_estimates(state, learner)
    tickets, _ = _all_estimates(state, learner)
    assert tickets and all(e is not None for e in tickets.values())


def _append(store, cid, events):
    version = store.version(cid)
    for i in range(0, len(events), PAGE):
        page = events[i:i + PAGE]
        store.append(cid, version, page)
        version += len(page)


def _mid_morning(events, days):
    """The index just after the last day's 60th ticket: people wait, windows are open."""
    day = issued = 0
    for i, e in enumerate(events):
        day += e["type"] == "day_started"
        issued += day == days and e["type"] == "ticket_issued"
        if issued >= 60:
            return i + 1
    raise AssertionError("the last day has too few tickets")


@pytest.fixture(scope="module")
def long_log():
    """Three months of a small centre's days through the real core (~40,000 events)."""
    days = 78
    sim = simulate(small_center(), days=days, seed=11, options=Options(tickets_per_day=110))
    return sim.events[:_mid_morning(sim.events, days)]


def test_a_centre_starts_from_its_snapshot_and_tail_and_estimates_as_if_it_read_everything(tmp_path, long_log):
    cid = "east"
    tail = 900                                      # the tail crosses into the last day
    store = SQLiteStore(str(tmp_path / "hall.db"))
    _append(store, cid, long_log[:-tail])
    clock = Clock()

    def gateway(s):
        return Hall(s, clock=clock, estimator=Estimator(background=False, training=False))
    first = gateway(store)
    first.state(cid)                                # an empty snapshot: learns the log once and snapshots it
    snap = store.load_snapshot(cid)
    assert snap["format"] == SNAPSHOT_FORMAT and snap["version"] == len(long_log) - tail
    assert snap["learned"]["format"] == persist.FORMAT
    _append(store, cid, long_log[-tail:])

    counted = CountingStore(store)
    started = gateway(counted)
    state = started.state(cid)
    assert state.version == len(long_log)
    assert counted.snapshots_read == 1
    assert counted.events_read <= tail              # the snapshot and its tail, never the whole log

    everything = CountingStore(store, snapshots=False)
    full = gateway(everything)
    full_state = full.state(cid)
    assert everything.events_read >= len(long_log)
    assert full_state.to_dict() == state.to_dict()
    mine, theirs = started.estimator.learner(cid), full.estimator.learner(cid)
    assert persist.dump(mine) == persist.dump(theirs)
    now = long_log[-1]["at"] + 30
    with started.reading(cid) as s, full.reading(cid) as f:
        assert [started.waits(s).at(now).queue(q) for q in s.config.queues] == \
            [full.waits(f).at(now).queue(q) for q in f.config.queues]
        waiting = [t for t in s.tickets.values() if t.status == WAITING]
        assert len(waiting) >= 3
        assert [started.waits(s).at().ticket(t) for t in waiting] == \
            [full.waits(f).at().ticket(f.tickets[t.id]) for t in waiting]
        assert all(started.waits(s).at().ticket(t) is not None for t in waiting)
    store.close()


def test_a_trained_correction_comes_with_the_snapshot_and_needs_no_training(tmp_path):
    cid = "east"
    sim = simulate(small_center(), days=6, seed=4, options=Options(tickets_per_day=220))
    store = SQLiteStore(str(tmp_path / "hall.db"))
    _append(store, cid, sim.events[:_mid_morning(sim.events, 6)])
    first = Hall(store, clock=Clock(), estimator=Estimator(background=False))
    first.state(cid)                                # learns the log, trains at once (not in the background)
    assert first.estimator.learner(cid).model is not None
    first.snapshot(cid)
    again = Hall(store, clock=Clock(), estimator=Estimator(background=False))
    again.estimator.trainer.start = lambda learner: pytest.fail("trained again at start-up")
    state = again.state(cid)
    learner = again.estimator.learner(cid)
    assert learner.model is not None
    with first.reading(cid) as before:
        assert _all_estimates(state, learner) == _all_estimates(before, first.estimator.learner(cid))
    store.close()


def test_an_old_snapshot_keeps_its_state_and_the_log_is_learned_once(tmp_path, caplog):
    cid = "east"
    sim = simulate(small_center(), days=2, seed=5, options=Options(tickets_per_day=60))
    store = SQLiteStore(str(tmp_path / "hall.db"))
    _append(store, cid, sim.events)
    state = CenterState(id=cid)
    for e in sim.events:
        apply(state, e)
    store.save_snapshot(cid, {"version": state.version, "format": 1, "state": state.to_dict()})
    counted = CountingStore(store)
    with caplog.at_level(logging.INFO, logger="hall.estimate.estimator"):
        hall = Hall(counted, clock=Clock(), estimator=Estimator(background=False, training=False))
        assert hall.state(cid).to_dict() == state.to_dict()
    assert "older format" in caplog.text
    assert counted.events_read == len(sim.events)          # once, by the estimator
    assert persist.dump(hall.estimator.learner(cid)) == persist.dump(replay(cid, sim.events))
    assert store.load_snapshot(cid)["format"] == SNAPSHOT_FORMAT    # and kept, so that it is once
    again = CountingStore(store)
    Hall(again, clock=Clock(), estimator=Estimator(background=False, training=False)).state(cid)
    assert again.events_read == 0
    store.close()


def test_an_old_snapshot_is_relearned_in_the_background_and_what_comes_meanwhile_is_learned_once(
        tmp_path, monkeypatch):
    from hall.estimate import estimator as estimator_mod
    monkeypatch.setattr(estimator_mod, "SHORT", 0)      # this log counts as long: learn it apart
    cid = "east"
    sim = simulate(small_center(), days=3, seed=6, options=Options(tickets_per_day=80))
    events = sim.events[:_mid_morning(sim.events, 3) - 40]
    more = sim.events[len(events):len(events) + 40]
    store = SQLiteStore(str(tmp_path / "hall.db"))
    _append(store, cid, events)
    state = CenterState(id=cid)
    for e in events:
        apply(state, e)
    store.save_snapshot(cid, {"version": state.version, "format": 1, "state": state.to_dict()})
    hall = Hall(store, clock=Clock(), estimator=Estimator(training=False))
    est = hall.estimator
    with hall.reading(cid) as live:                 # the state is there at once; the learner is not yet
        assert live.version == len(events)
        assert est.learner(cid) is None
        thread = est.rebuilding[cid]
        _append(store, cid, more)                   # another process moves the centre on meanwhile
        hall.state(cid)
    thread.join(120)
    assert est.learner(cid) is not None and cid not in est.rebuilding
    assert persist.dump(est.learner(cid)) == persist.dump(replay(cid, events + more))
    assert store.load_snapshot(cid)["version"] == len(events) + len(more)
    store.close()


def test_a_long_tail_is_learned_apart_while_the_snapshot_s_learner_answers(tmp_path, monkeypatch):
    from hall.estimate import estimator as estimator_mod
    monkeypatch.setattr(estimator_mod, "SHORT", 10)
    cid = "east"
    sim = simulate(small_center(), days=3, seed=7, options=Options(tickets_per_day=80))
    events = sim.events[:_mid_morning(sim.events, 3)]
    tail = 150
    store = SQLiteStore(str(tmp_path / "hall.db"))
    _append(store, cid, events[:-tail])
    Hall(store, clock=Clock(), estimator=Estimator(background=False, training=False)).state(cid)  # snapshots
    _append(store, cid, events[-tail:])
    counted = CountingStore(store)
    hall = Hall(counted, clock=Clock(), estimator=Estimator(training=False))
    est = hall.estimator
    with hall.reading(cid) as live:
        assert live.version == len(events)
        standing = est.learner(cid)                  # the snapshot's, answering at once
        assert standing is not None and cid in est.rebuilding
        assert hall.waits(live).at().queue("general") is not None
        thread = est.rebuilding[cid]
    thread.join(120)
    learner = est.learner(cid)
    assert learner is not standing and cid not in est.rebuilding
    assert persist.dump(learner) == persist.dump(replay(cid, events))
    assert counted.events_read == 2 * tail          # the state's catch-up, and the learner's, apart
    with hall.reading(cid) as live:
        assert live.to_dict() == Hall(store, clock=Clock()).state(cid).to_dict()
    store.close()
