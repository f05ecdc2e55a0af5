import pytest

from hall.core import Refused


def call(core, window):
    tid = core.run("call-next", window=window)
    return core.ticket(tid) if tid else None


def test_call_next_fifo_within_queue(core):
    a, b = core.issue(), core.issue()
    core.open(1)
    assert call(core, 1) is a
    core.run("finish", window=1)
    assert call(core, 1) is b


def test_priority_first_across_the_window_queues(core):
    core.issue("general")
    p = core.issue("police", priority="priority")
    core.open(1)
    assert call(core, 1) is p


def test_ordered_mode_takes_queues_in_listed_order(core, clock):
    police = core.issue("police")
    clock.advance(60)
    general = core.issue("general")
    core.open(1)                             # queues: general, police; ordered
    assert call(core, 1) is general
    core.run("finish", window=1)
    assert call(core, 1) is police


def test_longest_wait_mode_takes_the_oldest_head(core, clock):
    tax = core.issue("tax")
    clock.advance(60)
    general = core.issue("general")
    core.open(2)                             # queues: general, tax; longest_wait
    assert call(core, 2) is tax
    core.run("finish", window=2)
    assert call(core, 2) is general


def test_call_next_when_no_one_waits_returns_none(core):
    core.open(1)
    assert call(core, 1) is None


def test_call_needs_an_open_window(core):
    core.issue()
    with pytest.raises(Refused) as e:
        core.run("call-next", window=1)
    assert (e.value.status, e.value.code) == (409, "window_closed")
    core.open(1)
    core.run("pause", window=1, reason="休息")
    with pytest.raises(Refused):
        core.run("call-next", window=1)
    core.run("resume", window=1)
    assert call(core, 1) is not None


def test_call_next_while_serving_finishes_the_current_ticket(core):
    a, b = core.issue(), core.issue()
    core.open(1)
    call(core, 1)
    core.run("start", window=1)
    assert call(core, 1) is b
    assert a.status == "done"


def test_call_next_while_called_not_started_is_refused(core):
    core.issue(), core.issue()
    core.open(1)
    call(core, 1)
    with pytest.raises(Refused) as e:
        core.run("call-next", window=1)
    assert e.value.code == "ticket_at_window"


def test_one_ticket_goes_to_one_window(core):
    core.issue()
    core.open(1, 2)
    assert call(core, 1) is not None
    assert call(core, 2) is None


def test_lifecycle_start_finish_records_service(core, clock):
    t = core.issue()
    core.open(1)
    call(core, 1)
    clock.advance(30)
    core.run("start", window=1)
    clock.advance(200)
    core.run("finish", window=1)
    assert t.status == "done" and core.state.windows[1].ticket is None
    assert core.state.service["general"] == [1, 200.0]
    assert core.state.windows[1].served == 1


def test_finish_straight_from_called(core):
    t = core.issue()
    core.open(1)
    call(core, 1)
    core.run("finish", window=1)
    assert t.status == "done"


def test_out_of_order_call_by_number(core):
    core.issue()
    b = core.issue()
    core.open(1)
    assert core.run("call", window=1, ticket="a002") == b.id
    assert b.status == "called" and b.window == 1


def test_no_show_then_call_back_the_same_day(core):
    t = core.issue()
    core.open(1, 3)
    call(core, 1)
    core.run("no-show", window=1)
    assert t.status == "no_show" and core.state.windows[1].ticket is None
    core.run("recall", window=3, ticket=t.number)
    assert t.status == "called" and t.window == 3


def test_recall_limit_turns_the_ticket_into_a_no_show(core):
    t = core.issue()
    core.open(1)
    call(core, 1)
    for n in range(3):                       # recall_limit defaults to 3
        core.run("recall", window=1)
        assert t.recalls == n + 1 and t.status == "called"
    core.run("recall", window=1)
    assert t.status == "no_show"
    assert core.log[-1]["reason"] == "recall_limit"
    core.run("recall", window=1, ticket=t.id)   # 回呼 still possible
    assert t.status == "called" and t.recalls == 0


def test_transfer_keeps_number_and_goes_to_the_head(core):
    core.issue("police")
    t = core.issue("general")
    core.open(2)
    call(core, 2)
    core.run("transfer", window=2, queue="police", position="first")
    assert (t.status, t.queue, t.number) == ("waiting", "police", "A001")
    core.open(3)
    assert call(core, 3) is t


def test_transfer_last_goes_to_the_tail(core):
    first = core.issue("police")
    core.issue("general")
    core.open(2, 3)
    call(core, 2)
    core.run("transfer", window=2, queue="police", position="last")
    assert call(core, 3) is first


def test_close_with_a_ticket_is_refused(core):
    core.issue()
    core.open(1)
    call(core, 1)
    with pytest.raises(Refused) as e:
        core.run("close", window=1)
    assert e.value.status == 409


def test_window_transitions_are_idempotent(core):
    core.open(1)
    n = core.state.version
    core.open(1)
    core.run("resume", window=1)
    assert core.state.version == n
    core.run("close", window=1)
    core.run("close", window=1)
    assert core.state.windows[1].state == "closed"


def test_assign_changes_what_the_window_calls(core):
    t = core.issue("tax")
    core.open(1)
    assert call(core, 1) is None
    core.run("assign", window=1, queues=["tax"], mode="ordered")
    assert call(core, 1) is t


@pytest.mark.parametrize("args", [{"queues": []}, {"queues": ["general", "general"]}, {"queues": "tax"},
                                  {"queues": ["tax"], "mode": "random"}])
def test_assign_refuses_bad_input(core, args):
    with pytest.raises(Refused) as e:
        core.run("assign", window=1, **args)
    assert e.value.status == 400


def test_evaluate_once_after_service(core):
    t = core.issue()
    core.open(1)
    call(core, 1)
    with pytest.raises(Refused):
        core.run("evaluate", ticket=t.id, score=5)
    core.run("finish", window=1)
    core.run("evaluate", ticket=t.id, score=2, options=["inefficient"], comment="等太久")
    assert t.score == 2
    with pytest.raises(Refused) as e:
        core.run("evaluate", ticket=t.id, score=5)
    assert e.value.code == "already_rated"


def test_unknown_arguments_are_bad_input(core):
    with pytest.raises(Refused) as e:
        core.run("call-next", window=1, colour="red")
    assert e.value.status == 400


def test_unknown_window(core):
    with pytest.raises(Refused) as e:
        core.run("open", window=99)
    assert e.value.status == 404
