"""Hypothesis drives a centre through the real gateway and SQLite store; the invariants hold after
every step, and folding the stored events from scratch rebuilds exactly the live state."""
from hypothesis import settings, HealthCheck, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, invariant, precondition, initialize

from hall.centre import Hall
from hall.core import Refused, CenterState, fold
from hall.core.state import STATUSES, CLASSES, WAITING, AT_WINDOW
from hall.store.sqlite import SQLiteStore
from tests.helpers import Clock, small_center
import tempfile
import os

QUEUES = ["general", "police", "tax"]
WINDOWS = [1, 2, 3]


def _reasons(score):
    return ["other"] if score <= 2 else []


class CentreMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.dir = tempfile.mkdtemp(prefix="hall-sm-")
        self.store = SQLiteStore(os.path.join(self.dir, "hall.db"))
        self.clock = Clock("2026-11-26 09:00")
        self.hall = Hall(self.store, clock=self.clock, snapshot_every=7)
        cfg = small_center()
        cfg["queues"][2]["daily_quota"] = 8
        # short norms, so that supervision raises, escalates and resolves within a run's steps
        cfg["norms"] = {"max_wait_s": 60, "max_idle_s": 30, "max_pause_s": 60, "max_service_s": 90,
                        "escalate_after_s": 120, "followup_days": 1}
        cfg["queues"][0]["appointments"] = {"slots": ["09:00-09:30", "09:30-10:00", "10:00-11:00"], "capacity": 2}
        self.codes = iter(range(10_000_000, 99_999_999))
        self.hall.execute("east", "configure", {"config": cfg})
        for w in WINDOWS:
            self.hall.execute("east", "open", {"window": w})
        self.numbers = {}               # day → set of numbers issued
        self.lines = {}                 # (queue, class) → ids in the order FIFO demands
        self.expected_call = None

    def teardown(self):
        self.store.close()

    @property
    def state(self):
        return self.hall.state("east")

    def run(self, command, **args):
        before = self.state.to_dict()
        try:
            result, events, _ = self.hall.execute("east", command, args, by="hypothesis")
        except Refused as e:
            assert 400 <= e.status < 600
            if not e.events:    # only what time made due (a new day, a missed booking) may be written
                assert self.state.to_dict() == before, "a refused command changed the state"
            return None, []
        return result, events

    def _ref_line(self, t):
        return self.lines.setdefault((t.queue, t.priority), [])

    # --- rules ---

    @rule(tickets=st.lists(st.tuples(st.sampled_from(QUEUES), st.sampled_from(CLASSES)), min_size=1, max_size=4))
    def issue(self, tickets):
        for queue, priority in tickets:
            self._issue(queue, priority)

    def _issue(self, queue, priority):
        tid, events = self.run("issue", queue=queue, priority=priority)
        if tid:
            t = self.state.tickets[tid]
            day = self.state.day
            assert t.number not in self.numbers.setdefault(day, set()), "number issued twice"
            self.numbers[day].add(t.number)
            self._ref_line(t).append(tid)

    @rule(window=st.sampled_from(WINDOWS), action=st.sampled_from(["open", "pause", "resume", "close"]))
    def window_state(self, window, action):
        self.run(action, window=window)

    @rule(window=st.sampled_from(WINDOWS))
    def call_next(self, window):
        s = self.state
        w = s.windows[window]
        wanted = {(q, c): list(s.line(q, c)) for q in w.queues for c in CLASSES}
        tid, events = self.run("call-next", window=window)
        if not tid:
            return
        t = self.state.tickets[tid]
        line = self._ref_line(t)
        assert line and line[0] == tid, "not FIFO within queue and class"
        line.pop(0)
        if t.priority == "normal":
            assert not any(wanted[(q, "priority")] for q in w.queues), "a priority ticket was waiting"
        if w.mode == "ordered":
            first = next(q for q in w.queues if wanted[(q, t.priority)])
            assert t.queue == first
        else:
            heads = [s.tickets[ids[0]].since for (q, c), ids in wanted.items() if c == t.priority and ids]
            assert t.since <= min(heads)

    @rule(window=st.sampled_from(WINDOWS), data=st.data())
    def call_chosen(self, window, data):
        waiting = [t.id for t in self.state.tickets.values() if t.status == WAITING]
        if not waiting:
            return
        tid = data.draw(st.sampled_from(waiting))
        q = self.state.tickets[tid]
        result, _ = self.run("call", window=window, ticket=tid)
        if result:
            self._ref_line(q).remove(tid)

    @rule(window=st.sampled_from(WINDOWS),
          action=st.sampled_from(["recall", "start", "finish", "no-show"]))
    def work(self, window, action):
        self.run(action, window=window)

    @rule(window=st.sampled_from(WINDOWS), data=st.data())
    def call_back(self, window, data):
        missed = [t.id for t in self.state.tickets.values() if t.status == "no_show"]
        if missed:
            self.run("recall", window=window, ticket=data.draw(st.sampled_from(missed)))

    @rule(window=st.sampled_from(WINDOWS), queue=st.sampled_from(QUEUES),
          position=st.sampled_from(["first", "last"]))
    def transfer(self, window, queue, position):
        tid, _ = self.run("transfer", window=window, queue=queue, position=position)
        if tid:
            t = self.state.tickets[tid]
            line = self._ref_line(t)
            line.insert(0, tid) if position == "first" else line.append(tid)

    @rule(slot=st.sampled_from(["09:00-09:30", "09:30-10:00", "10:00-11:00"]),
          holder=st.sampled_from(["h1", "h2", "h3"]))
    def book(self, slot, holder):
        self.run("book", code=str(next(self.codes)), queue="general", day=self.state.day, slot=slot,
                 name="张*", phone="138****0000", holder=holder)

    @rule(data=st.data())
    def check_in(self, data):
        codes = sorted(self.state.bookings)
        if codes:
            tid, events = self.run("check-in", code=data.draw(st.sampled_from(codes)),
                                   ticket_id=f"east.appt{next(self.codes)}")
            if any(e["type"] == "ticket_issued" for e in events):
                self._ref_line(self.state.tickets[tid]).append(tid)

    @rule(data=st.data())
    def cancel(self, data):
        ids = list(self.state.tickets)
        if ids:
            tid = data.draw(st.sampled_from(ids))
            result, _ = self.run("cancel", ticket=tid)
            if result:
                self._ref_line(self.state.tickets[tid]).remove(tid)

    @rule(window=st.sampled_from(WINDOWS), queues=st.lists(st.sampled_from(QUEUES), min_size=1, max_size=3,
                                                           unique=True),
          mode=st.sampled_from(["ordered", "longest_wait"]))
    def assign(self, window, queues, mode):
        self.run("assign", window=window, queues=queues, mode=mode)

    @rule(src=st.sampled_from(QUEUES), dst=st.sampled_from(QUEUES), count=st.none() | st.integers(1, 3),
          take=st.sampled_from(["first", "last"]))
    def move(self, src, dst, count, take):
        moved, events = self.run("move", from_queue=src, to_queue=dst, count=count, take=take)
        for tid in (events[-1]["tickets"] if moved else []):
            t = self.state.tickets[tid]
            self.lines[(src, t.priority)].remove(tid)
            line = self.lines.setdefault((dst, t.priority), [])
            later = [i for i, other in enumerate(line) if self.state.tickets[other].since > t.since]
            line.insert(later[0] if later else len(line), tid)

    @rule(data=st.data(), score=st.integers(1, 5))
    def evaluate(self, data, score):
        done = [t.id for t in self.state.tickets.values() if t.status == "done" and t.score is None]
        if done:
            self.run("evaluate", ticket=data.draw(st.sampled_from(done)), score=score, options=_reasons(score))

    @rule(queue=st.sampled_from(QUEUES), seconds=st.sampled_from([0, 70, 150]))
    def supervise(self, queue, seconds):
        self._issue(queue, "normal")        # someone waits while time passes: alerts raise, escalate, clear
        self.clock.advance(seconds)
        self.run("supervise")

    @rule(score=st.integers(1, 5))
    def served_and_rated(self, score):
        tid, _ = self.run("issue", queue="police", priority="priority")
        if not tid:
            return
        self.run("open", window=3)
        w = self.state.windows[3]
        if w.ticket and self.state.tickets[w.ticket].status == "called":
            self.run("no-show", window=3)
        if self.run("call", window=3, ticket=tid)[0]:
            self.run("start", window=3)
            self.run("finish", window=3)
            self.run("evaluate", ticket=tid, score=score, options=_reasons(score))
        else:
            self._ref_line(self.state.tickets[tid]).append(tid)

    @rule(data=st.data())
    def follow_up(self, data):
        steps = {"open": ["verify"], "verified": ["rectify", "reply", "appeal"], "rectified": ["reply", "appeal"],
                 "appealed": ["review"], "closed": ["verify"]}
        # in the order they opened: their ids hold random ticket ids, which must not steer the draws
        ids = [f["id"] for f in sorted(self.state.followups.values(), key=lambda f: (f["opened_at"], f["number"]))]
        if ids:
            f = self.state.followups[data.draw(st.sampled_from(ids))]
            step = data.draw(st.sampled_from(steps[f["status"]]))
            args = {"followup": f["id"], "note": "跟进"}
            if step == "verify":
                args["finding"] = data.draw(st.sampled_from(["confirmed", "unfounded"]))
            if step == "review":
                args["outcome"] = data.draw(st.sampled_from(["upheld", "overturned"]))
            self.run(f"followup-{step}", **args)

    @rule(data=st.data())
    def acknowledge(self, data):
        ids = sorted(self.state.alerts)
        if ids:
            self.run("acknowledge-alert", alert=data.draw(st.sampled_from(ids)), note="已处理")

    @rule(seconds=st.sampled_from([1, 30, 120]))
    def time_passes(self, seconds):
        self.clock.advance(seconds)

    @precondition(lambda self: self.clock.now < Clock("2026-11-28 00:00").now)
    @rule()
    def next_morning(self):
        self.clock.now = Clock("2026-11-27 09:00").now if self.clock.now < Clock("2026-11-27 00:00").now \
            else Clock("2026-11-28 09:00").now
        for w in WINDOWS:               # the first command starts the new day: windows closed, lines empty
            self.run("open", window=w)
        self.lines = {}

    # --- invariants ---

    @invariant()
    def every_ticket_in_exactly_one_state(self):
        s = self.state
        lined = [tid for ids in s.lines.values() for tid in ids]
        assert len(lined) == len(set(lined))
        for t in s.tickets.values():
            assert t.status in STATUSES
            assert (t.status == WAITING) == (t.id in lined)
        assert s.unconfirmed == {t.id for t in s.tickets.values() if t.unconfirmed_since is not None}

    @invariant()
    def no_ticket_at_two_windows(self):
        s = self.state
        held = [w.ticket for w in s.windows.values() if w.ticket]
        assert len(held) == len(set(held))
        for t in s.tickets.values():
            if t.status in AT_WINDOW:
                assert s.windows[t.window].ticket == t.id
        for w in s.windows.values():
            if w.ticket:
                assert s.tickets[w.ticket].status in AT_WINDOW and s.tickets[w.ticket].window == w.number

    @invariant()
    def reference_lines_match(self):
        s = self.state
        for key, ids in self.lines.items():
            assert list(s.lines.get(key, [])) == ids

    @invariant()
    def folding_the_store_rebuilds_the_state(self):
        live = self.state.to_dict()
        assert Hall(self.store, clock=self.clock).state("east").to_dict() == live   # snapshot + tail
        assert fold(CenterState(id="east"), self.store.read("east")).to_dict() == live  # from scratch


CentreMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=50, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
TestCentre = CentreMachine.TestCase
