"""The bulk move: waiting tickets from one queue to another in one event, ids and numbers kept,
each taking its place in the target by how long it has waited."""
import pytest

from hall.core import Refused
from tests.core.harness import Core
from tests.helpers import small_center


@pytest.fixture
def core(clock):
    return Core(small_center(), clock)


def line(core, queue, cls="normal"):
    return [core.state.tickets[t].number for t in core.state.line(queue, cls)]


def test_move_all_keeps_numbers_and_merges_by_wait(core, clock):
    a1 = core.issue("general")
    clock.advance(60)
    b1 = core.issue("police")
    clock.advance(60)
    a2 = core.issue("general")
    n = len(core.log)
    moved = core.run("move", from_queue="general", to_queue="police")
    assert moved == 2
    [e] = core.log[n:]
    assert (e["type"], e["numbers"], e["by"]) == ("tickets_moved", ["A001", "A002"], "test")
    assert line(core, "police") == ["A001", "B001", "A002"]
    assert line(core, "general") == []
    assert core.state.tickets[a1.id].queue == "police" and core.state.tickets[a2.id].id == a2.id
    assert b1.number == "B001"


def test_move_the_last_n(core, clock):
    for _ in range(4):
        core.issue("general")
        clock.advance(10)
    core.run("move", from_queue="general", to_queue="tax", count=2, take="last")
    assert line(core, "general") == ["A001", "A002"] and line(core, "tax") == ["A003", "A004"]


def test_move_the_first_n_counts_priority_first(core, clock):
    core.issue("general")
    core.issue("general", priority="priority")
    core.issue("general")
    core.run("move", from_queue="general", to_queue="police", count=2)
    assert line(core, "police", "priority") == ["A002"] and line(core, "police") == ["A001"]
    assert line(core, "general") == ["A003"]


def test_a_moved_ticket_is_called_by_the_target_windows(core):
    core.issue("tax")
    core.run("move", from_queue="tax", to_queue="police")
    core.open(3)
    tid = core.run("call-next", window=3)
    assert core.state.tickets[tid].number == "C001"


@pytest.mark.parametrize("args, code", [
    ({"from_queue": "general", "to_queue": "general"}, "bad_input"),
    ({"from_queue": "nope", "to_queue": "general"}, "unknown_queue"),
    ({"from_queue": "general", "to_queue": "police", "count": 0}, "bad_input"),
    ({"from_queue": "general", "to_queue": "police", "take": "middle"}, "bad_input"),
    ({"from_queue": "tax", "to_queue": "police"}, "nobody_waiting"),
])
def test_bad_moves_are_refused(core, args, code):
    core.issue("general")
    with pytest.raises(Refused) as e:
        core.run("move", **args)
    assert e.value.code == code
