"""The core voids a ticket whose print failed and whose number no one confirmed, instead of calling a ghost."""
import pytest

from hall.core import CenterState, Refused, fold
from hall.core.config import DEFAULT_UNCONFIRMED_VOID_S
from tests.core.harness import Core
from tests.helpers import small_center


@pytest.fixture
def core(clock):
    return Core(small_center(), clock)


def call(core, window):
    tid = core.run("call-next", window=window)
    return core.ticket(tid) if tid else None


def test_print_failed_marks_the_ticket_and_confirm_clears_it(core, clock):
    t = core.issue()
    core.run("print-failed", ticket=t.id, detail="paper_out")
    assert t.unconfirmed_since == clock.now
    clock.advance(30)
    core.run("print-failed", ticket=t.id)          # a second failure keeps the first moment
    assert t.unconfirmed_since == clock.now - 30
    core.run("confirm", ticket=t.number)           # by today's number too
    assert t.unconfirmed_since is None
    assert core.types()[-3:] == ["ticket_issued", "ticket_print_failed", "ticket_confirmed"]


def test_a_ghost_is_skipped_and_cancelled_in_the_same_decision(core, clock):
    ghost, real = core.issue(), core.issue()
    core.run("print-failed", ticket=ghost.id)
    core.open(1)
    clock.advance(DEFAULT_UNCONFIRMED_VOID_S)
    n = len(core.log)
    assert call(core, 1) is real
    new = core.log[n:]
    assert [e["type"] for e in new] == ["ticket_cancelled", "ticket_called"]
    assert new[0]["ticket"] == ghost.id and new[0]["reason"] == "print_unconfirmed"
    assert ghost.status == "cancelled"
    assert ghost.id not in core.state.line("general", "normal")


def test_before_the_timeout_the_unconfirmed_ticket_is_called_as_usual(core, clock):
    t = core.issue()
    core.run("print-failed", ticket=t.id)
    core.open(1)
    clock.advance(DEFAULT_UNCONFIRMED_VOID_S - 1)
    assert call(core, 1) is t
    assert t.unconfirmed_since is None                 # called: never a ghost again, even after a transfer


def test_a_confirmed_ticket_is_never_voided(core, clock):
    t = core.issue()
    core.run("print-failed", ticket=t.id)
    clock.advance(10)
    core.run("confirm", ticket=t.id)
    core.open(1)
    clock.advance(3600)
    assert call(core, 1) is t


def test_only_ghosts_leave_nobody_to_call(core, clock):
    t = core.issue(priority="priority")
    core.run("print-failed", ticket=t.id)
    core.open(1)
    clock.advance(DEFAULT_UNCONFIRMED_VOID_S + 5)
    assert call(core, 1) is None
    assert t.status == "cancelled"
    assert core.log[-1]["type"] == "ticket_cancelled"


def test_the_timeout_is_a_centre_setting(clock):
    core = Core(small_center(unconfirmed_void_s=30), clock)
    assert core.state.config.unconfirmed_void_s == 30
    t, other = core.issue(), core.issue()
    core.run("print-failed", ticket=t.id)
    core.open(1)
    clock.advance(30)
    assert call(core, 1) is other


def test_catalogue_without_the_setting_keeps_its_normalized_form(clock):
    core = Core(small_center(), clock)
    assert "unconfirmed_void_s" not in core.state.config.raw
    assert core.state.config.unconfirmed_void_s == DEFAULT_UNCONFIRMED_VOID_S


@pytest.mark.parametrize("value", [0, -1, "2 min", True])
def test_a_bad_timeout_is_refused(clock, value):
    with pytest.raises(Refused) as e:
        Core(small_center(unconfirmed_void_s=value), clock)
    assert e.value.status == 400 and "unconfirmed_void_s" in e.value.message


def test_confirm_after_voiding_is_refused_clearly(core, clock):
    t = core.issue()
    core.run("print-failed", ticket=t.id)
    core.open(1)
    clock.advance(DEFAULT_UNCONFIRMED_VOID_S)
    call(core, 1)
    with pytest.raises(Refused) as e:
        core.run("confirm", ticket=t.id)
    assert (e.value.status, e.value.code) == (409, "ticket_cancelled")


def test_print_failed_on_a_ticket_no_longer_waiting_changes_nothing(core):
    t = core.issue()
    core.open(1)
    call(core, 1)
    n = len(core.log)
    core.run("print-failed", ticket=t.id)
    assert len(core.log) == n and t.unconfirmed_since is None


def test_unknown_ticket_and_bad_detail_are_refused(core):
    with pytest.raises(Refused) as e:
        core.run("confirm", ticket="A999")
    assert e.value.status == 404
    t = core.issue()
    with pytest.raises(Refused) as e:
        core.run("print-failed", ticket=t.id, detail=["x"])
    assert e.value.status == 400


def test_the_mark_survives_a_snapshot_and_a_replay(core, clock):
    t = core.issue()
    core.run("print-failed", ticket=t.id)
    d = core.state.to_dict()
    assert CenterState.from_dict(d).to_dict() == d
    assert CenterState.from_dict(d).tickets[t.id].unconfirmed_since == clock.now
    assert fold(CenterState(id="east"), core.log).to_dict() == d


def test_a_snapshot_from_before_the_field_still_loads(core):
    t = core.issue()
    d = core.state.to_dict()
    for row in d["tickets"]:
        del row["unconfirmed_since"]
    assert CenterState.from_dict(d).tickets[t.id].unconfirmed_since is None
