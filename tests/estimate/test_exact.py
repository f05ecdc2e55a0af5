"""With deterministic service times the projection under the real call policy is exact."""
import heapq

import pytest

from hall.core import CenterState, apply, decide
from hall.estimate import estimates, queue_wait, ticket_wait, ticket_range
from tests.helpers import at

T0 = at("2026-11-26 09:00")
SERVICE = {"a": 100.0, "b": 60.0, "c": 200.0}


def center(modes=("ordered", "longest_wait", "ordered")):
    return {
        "id": "exact", "name": "测试中心", "hours": None,
        "queues": [{"id": q, "prefix": q.upper(), "name": q, "category": "comprehensive", "service_s": s,
                    "service_sigma": 0} for q, s in SERVICE.items()],
        "windows": [{"number": 1, "queues": ["a", "b"], "mode": modes[0]},
                    {"number": 2, "queues": ["b", "a"], "mode": modes[1]},
                    {"number": 3, "queues": ["c", "a"], "mode": modes[2]},
                    {"number": 4, "queues": ["a"], "mode": "ordered"}],
    }


class Core:
    def __init__(self, state=None):
        self.state = state or CenterState(id="exact")
        self.calls = {}

    def do(self, name, t, **args):
        events, result = decide(self.state, name, args, t, "test")
        for e in events:
            e["seq"] = self.state.version + 1
            apply(self.state, e)
            if e["type"] == "ticket_called":
                self.calls.setdefault(e["ticket"], e["at"])
        return result

    def copy(self):
        c = Core(CenterState.from_dict(self.state.to_dict()))
        return c

    def serve_all(self, t):
        """Deterministic staff: a free window calls at once and serves for exactly its queue's time."""
        heap = []
        for w in sorted(self.state.windows.values(), key=lambda w: w.number):
            if w.state != "open":
                continue
            if w.ticket is not None:
                tk = self.state.tickets[w.ticket]
                heapq.heappush(heap, (tk.called_at + SERVICE[tk.queue], w.number))
            else:
                heapq.heappush(heap, (t, w.number))
        while heap:
            t, n = heapq.heappop(heap)
            tid = self.do("call-next", t, window=n)      # finishes the one being served first
            if tid is None:
                if self.state.windows[n].ticket is not None:
                    self.do("finish", t, window=n)
                continue
            self.do("start", t, window=n)
            heapq.heappush(heap, (t + SERVICE[self.state.tickets[tid].queue], n))


def busy_centre(modes=("ordered", "longest_wait", "ordered")):
    core = Core()
    core.do("configure", T0 - 60, config=center(modes))
    for i, (q, prio) in enumerate([("a", "normal"), ("b", "normal"), ("a", "priority"), ("c", "normal"),
                                   ("a", "normal"), ("b", "normal"), ("a", "normal"), ("c", "normal"),
                                   ("b", "priority"), ("a", "normal"), ("c", "normal"), ("a", "normal")]):
        core.do("issue", T0 + i, ticket_id=f"exact.t{i}", queue=q, priority=prio)
    for n in (1, 2, 3, 4):
        core.do("open", T0 + 20, window=n)
    for n in (1, 2, 3):
        core.do("call-next", T0 + 20 + n, window=n)
        core.do("start", T0 + 20 + n, window=n)
    core.do("pause", T0 + 25, window=4)
    core.do("close", T0 + 26, window=4)     # a closed window serves no one
    return core


@pytest.mark.parametrize("modes", [("ordered", "longest_wait", "ordered"), ("longest_wait", "ordered", "longest_wait")])
def test_every_waiting_ticket_is_called_when_projected(modes):
    core = busy_centre(modes)
    now = T0 + 70                            # the three windows are part-way through a service
    state = core.state
    waiting = [t for t in state.tickets.values() if t.status == "waiting"]
    assert len(waiting) == 9
    projected = {t.id: ticket_wait(state, t, now) for t in waiting}
    core.serve_all(now)
    for t in waiting:
        assert core.calls[t.id] - now == pytest.approx(projected[t.id], abs=0.51), t.number


@pytest.mark.parametrize("queue", ["a", "b", "c"])
def test_a_ticket_taken_now_waits_what_its_queue_says(queue):
    core = busy_centre()
    now = T0 + 70
    said = estimates(core.state, now).queue(queue)[0]
    assert queue_wait(core.state, queue, now) == round(said)
    trial = core.copy()
    trial.do("issue", now, ticket_id="exact.new", queue=queue)
    trial.serve_all(now)
    assert trial.calls["exact.new"] - now == pytest.approx(said, abs=1e-6)


def test_a_deterministic_range_is_a_point():
    core = busy_centre()
    t = next(t for t in core.state.tickets.values() if t.status == "waiting")
    lo, hi = ticket_range(core.state, t, T0 + 70)
    assert lo == hi == ticket_wait(core.state, t, T0 + 70)


def test_priority_tickets_are_projected_first():
    core = busy_centre()
    core.do("issue", T0 + 60, ticket_id="exact.late", queue="a", priority="priority")
    state = core.state
    est = estimates(state, T0 + 70)
    late = est.ticket(state.tickets["exact.late"])[0]
    normal_a = [est.ticket(t)[0] for t in state.tickets.values() if t.status == "waiting" and t.queue == "a"
                and t.priority == "normal"]
    assert normal_a and late < min(normal_a)


def test_no_window_for_a_queue_means_no_number():
    core = Core()
    core.do("configure", T0, config=center())
    t = core.state.tickets[core.do("issue", T0 + 1, ticket_id="exact.x", queue="c")]
    assert ticket_wait(core.state, t, T0 + 2) is None        # every window is closed
    core.do("open", T0 + 3, window=1)                         # serves a and b, not c
    assert ticket_wait(core.state, t, T0 + 4) is None
    assert queue_wait(core.state, "a", T0 + 4) == 0
    core.do("open", T0 + 5, window=3)
    assert ticket_wait(core.state, t, T0 + 6) == 0
