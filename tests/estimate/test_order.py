"""The call order learned from the calls: head starts per kind of ticket."""
import pytest

from hall.core import CenterState, apply, decide
from hall.estimate.order import OPEN_S, CallOrder, Offsets, best_value, kind_of
from tests.helpers import at

T0 = at("2026-11-26 09:00")


def one_queue():
    return {
        "id": "order", "name": "次序", "hours": None,
        "queues": [{"id": "q", "prefix": "Q", "name": "Q", "category": "comprehensive"}],
        "items": [{"id": "plain", "name": "普通", "queue": "q"}, {"id": "vip", "name": "要客", "queue": "q"}],
        "windows": [{"number": n, "queues": ["q"]} for n in (1, 2)],
    }


class Core:
    def __init__(self):
        self.state = CenterState(id="order")
        self.order = CallOrder()
        self.do("configure", T0 - 60, config=one_queue())

    def do(self, name, t, **args):
        events, result = decide(self.state, name, args, t, "test")
        for e in events:
            e["seq"] = self.state.version + 1
            apply(self.state, e)
            if e["type"] == "ticket_called":
                self.order.observe(self.state, self.state.windows[e["window"]], self.state.tickets[e["ticket"]])
        return result


def serve(core, arrivals, key, service=50.0):
    """Two windows call by `key(ticket)` (smallest first) and serve for `service` seconds."""
    free = {1: T0, 2: T0}
    pending = sorted(arrivals)
    for n in free:
        core.do("open", T0, window=n)
    t = T0
    while pending or any(core.state.lines.values()):
        n = min(free, key=free.get)
        t = free[n]
        while pending and pending[0][0] <= t:
            at_, item = pending.pop(0)
            core.do("issue", at_, queue="q", item=item, ticket_id=f"order.t{len(core.state.tickets)}")
        waiting = [core.state.tickets[tid] for ids in core.state.lines.values() for tid in ids]
        if not waiting:
            free[n] = pending[0][0]
            continue
        if core.state.windows[n].ticket is not None:
            core.do("finish", t, window=n)
        core.do("call", t, window=n, ticket=min(waiting, key=key).id)
        free[n] = t + service


def test_a_time_shifted_priority_is_learned_from_the_calls():
    core = Core()
    # one arrival every 20 s on average against two windows of 50 s each: a queue builds up
    arrivals = [(T0 + 21.0 * i, "vip" if i % 3 == 0 else "plain") for i in range(600)]
    serve(core, arrivals, key=lambda t: t.since - (90.0 if t.item == "vip" else 0.0))
    off = core.order.fit()
    lead = off.of("vip", "normal") - off.of("plain", "normal")
    assert lead == pytest.approx(90, abs=15)
    # a kind never seen takes its class's head start, on the same scale
    assert min(off.of("plain", "normal"), off.of("vip", "normal")) <= off.of("new-item", "normal") \
        <= max(off.of("plain", "normal"), off.of("vip", "normal"))


def test_plain_longest_wait_gives_equal_head_starts():
    core = Core()
    arrivals = [(T0 + 21.0 * i, "vip" if i % 3 == 0 else "plain") for i in range(600)]
    serve(core, arrivals, key=lambda t: t.since)
    off = core.order.fit()
    assert off.of("vip", "normal") == pytest.approx(off.of("plain", "normal"), abs=10)


def test_best_value_takes_the_middle_of_the_least_contradicted_interval():
    # x < 100 (three times), x > 40 (twice), and one outlier x > 500
    pts = [(True, 100.0)] * 3 + [(False, 40.0)] * 2 + [(False, 500.0)]
    assert best_value(list(pts)) == pytest.approx(70.0)
    # every bound says "x above 30": open above, placed OPEN_S beyond
    assert best_value([(False, 30.0), (False, 10.0)]) == pytest.approx(30.0 + OPEN_S)


def test_offsets_fall_back_to_the_class_then_zero():
    off = Offsets({kind_of("a", "normal"): 10.0, kind_of(None, "normal"): 4.0})
    assert off.of("a", "normal") == 10.0
    assert off.of("b", "normal") == 4.0
    assert off.of("b", "priority") == 0.0
    assert not Offsets()
