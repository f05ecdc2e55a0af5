"""The correction's numbers of a waiting ticket: its place in the learned order, the windows' free moments."""
import pytest

from hall.estimate.features import NAMES, Context, Recent
from hall.estimate.order import Offsets, Skills, kind_of
from hall.estimate.waits import _WouldBe
from tests.estimate.test_order import Core, T0

COL = {n: i for i, n in enumerate(NAMES)}


def three_waiting():
    """Window 1 serving, window 2 free; A (plain) came first, B (vip) 30 s later, C (plain) 60 s later."""
    core = Core()
    for n in (1, 2):
        core.do("open", T0, window=n)
    core.do("issue", T0, queue="q", item="plain", ticket_id="order.first")
    core.do("call", T0 + 1, window=1, ticket="order.first")
    for tid, dt, item in (("order.a", 10, "plain"), ("order.b", 40, "vip"), ("order.c", 70, "plain")):
        core.do("issue", T0 + dt, queue="q", item=item, ticket_id=tid)
    return core.state


def context(state, offsets, now=T0 + 100, free=None):
    return Context(state, now, Recent(), offsets, Skills(), {}, 8 * 3600, {"q": 120.0}, free or {})


def test_the_place_in_the_learned_order_counts_head_starts():
    state = three_waiting()
    vip_first = Offsets({kind_of("vip", "normal"): 45.0, kind_of("plain", "normal"): 0.0})
    ctx = context(state, vip_first)
    ts = [state.tickets[t] for t in ("order.a", "order.b", "order.c")]
    items = [(t, (50.0, 100.0)) for t in ts] + [(_WouldBe("q", T0 + 100), (80.0, 0.0))]
    X = ctx.matrix(items)
    # keys: A T0+10, B T0+40-45 = T0-5, C T0+70: B, A, C, then the would-be ticket
    assert X[:, COL["ahead_key"]].tolist() == [1, 0, 2, 3]
    assert X[:, COL["behind_key"]].tolist() == [1, 2, 0, 0]
    assert X[:, COL["ahead_policy"]].tolist() == [0, 1, 2, 3]       # Hall's own policy: first come
    assert X[:, COL["head_start"]].tolist() == [0, 45, 0, 0]
    assert X[:, COL["projected_sd"]].tolist() == [10, 10, 10, 0]
    assert X[:, COL["line_hol"]].tolist() == [0, 90, 90, 90]        # A heads the line
    assert ctx.rows(items) == X.tolist() and X.shape[1] == len(NAMES)
    # without a learned order every kind starts even: first come, first called
    plain = context(state, Offsets()).matrix(items)
    assert plain[:, COL["ahead_key"]].tolist() == [0, 1, 2, 3]


def test_the_window_that_would_take_a_ticket_frees_up_in_turn():
    state = three_waiting()
    ctx = context(state, Offsets(), free={1: 30.0, 2: 0.0})
    ts = [state.tickets[t] for t in ("order.a", "order.b", "order.c")]
    X = ctx.matrix([(t, (0.0, 0.0)) for t in ts])
    # the first in order takes the free window, the second the busy one, the third waits a round
    assert X[:, COL["window_free_k"]].tolist() == pytest.approx([0.0, 30.0, 30.0 + 120.0 / 2])
