import pytest

from hall.core import Refused, CenterState, fold
from tests.helpers import small_center
from .harness import Core


@pytest.fixture
def core(clock):
    cfg = small_center()
    cfg["queues"][0]["appointments"] = {"slots": ["09:00-10:00", "10:30-11:30", "14:00-15:00"], "capacity": 2}
    cfg["booking"] = {"max_missed": 2, "block_days": 10}
    return Core(cfg, clock)


_codes = iter(range(10_000_000, 99_999_999))


def book(core, slot="10:30-11:30", day="2026-11-26", holder="h1", queue="general"):
    return core.run("book", code=str(next(_codes)), queue=queue, day=day, slot=slot, name="张*",
                    phone="138****5678", holder=holder)


def test_booking_takes_a_slot_until_full(core):
    book(core, holder="a")
    book(core, holder="b")
    with pytest.raises(Refused) as e:
        book(core, holder="c")
    assert (e.value.status, e.value.code) == (503, "slot_full")
    assert book(core, slot="14:00-15:00", holder="c")


def test_cancelled_booking_frees_its_place(core):
    code = book(core, holder="a")
    book(core, holder="b")
    core.run("cancel-booking", code=code, holder="a")
    assert book(core, holder="c")


def test_cancel_needs_the_same_holder(core):
    code = book(core, holder="a")
    with pytest.raises(Refused) as e:
        core.run("cancel-booking", code=code, holder="b")
    assert e.value.status == 404


@pytest.mark.parametrize("kw, code", [
    ({"slot": "09:00-10:00"}, "slot_past"),             # it is 10:00 already
    ({"slot": "08:00-09:00"}, "bad_input"),
    ({"day": "2026-12-31"}, "bad_input"),               # beyond days_ahead
    ({"day": "2026-11-25"}, "bad_input"),
    ({"day": "tomorrow"}, "bad_input"),
    ({"queue": "police"}, "no_appointments"),
])
def test_bad_bookings_are_refused(core, kw, code):
    with pytest.raises(Refused) as e:
        book(core, **kw)
    assert e.value.code == code


def test_one_open_booking_per_holder_queue_and_day(core):
    book(core, holder="a")
    with pytest.raises(Refused) as e:
        book(core, slot="14:00-15:00", holder="a")
    assert e.value.code == "already_booked"


def test_check_in_goes_after_priority_and_before_walk_ins(core, clock):
    code = book(core)
    walk_in = core.issue("general")
    prio = core.issue("general", priority="priority")
    clock.set("2026-11-26 10:20")                      # inside the early window of 10:30
    tid = core.run("check-in", code=code, ticket_id="east.appt")
    t = core.ticket(tid)
    assert (t.priority, t.appointment, t.number) == ("appointment", code, "A003")
    core.open(1)
    order = [core.run("call-next", window=1)]
    for _ in range(2):
        core.run("finish", window=1)
        order.append(core.run("call-next", window=1))
    assert order == [prio.id, tid, walk_in.id]
    assert core.state.bookings[code]["status"] == "checked_in"
    assert core.run("check-in", code=code, ticket_id="east.again") == tid   # a second tap: the same ticket


def test_check_in_too_early_or_too_late(core, clock):
    code = book(core, slot="14:00-15:00")
    with pytest.raises(Refused) as e:
        core.run("check-in", code=code, ticket_id="east.x")
    assert e.value.code == "too_early"
    clock.set("2026-11-26 15:20")                      # past the end and the 15-minute grace
    with pytest.raises(Refused) as e:
        core.run("check-in", code=code, ticket_id="east.x")
    assert e.value.code == "appointment_missed"
    assert [ev["type"] for ev in e.value.events] == ["appointment_missed"]   # the gateway writes it down


def test_missed_appointments_block_booking(core, clock):
    book(core, holder="late")
    clock.set("2026-11-27 09:00")
    book(core, day="2026-11-27", slot="10:30-11:30", holder="late")
    clock.set("2026-11-27 13:00")
    core.run("open", window=3)                         # any command writes the misses down
    assert [e["type"] for e in core.log].count("appointment_missed") == 2
    with pytest.raises(Refused) as e:
        book(core, day="2026-11-28", holder="late")
    assert e.value.code == "booking_blocked" and "2026-12-07" in e.value.message
    assert book(core, day="2026-11-28", holder="punctual")


def test_bookings_for_later_days_survive_the_night(core, clock):
    code = book(core, day="2026-11-27")
    clock.set("2026-11-27 09:00")
    core.issue("police")
    assert core.state.bookings[code]["status"] == "booked"
    clock.set("2026-11-27 10:10")
    assert core.ticket(core.run("check-in", code=code, ticket_id="east.next")).priority == "appointment"


def test_fold_rebuilds_bookings_and_misses(core, clock):
    book(core, holder="x")
    clock.set("2026-11-26 16:00")
    core.run("open", window=3)
    rebuilt = fold(CenterState(id="east"), core.log)
    assert rebuilt.to_dict() == core.state.to_dict()
    assert CenterState.from_dict(core.state.to_dict()).to_dict() == core.state.to_dict()
    assert core.state.misses == {"x": ["2026-11-26"]}


def test_remote_limits_one_active_per_queue_and_a_few_a_day(core):
    core.issue("general", channel="phone", holder="p1")
    with pytest.raises(Refused) as e:
        core.issue("general", channel="phone", holder="p1")
    assert e.value.code == "remote_active_ticket" and "A001" in e.value.message
    core.issue("police", channel="phone", holder="p1")
    core.issue("tax", channel="phone", holder="p1")
    with pytest.raises(Refused) as e:
        core.issue("police", channel="phone", holder="p1")
    assert e.value.code == "remote_daily_limit"
    assert core.issue("general", channel="phone", holder="p2").number == "A002"


def test_a_finished_remote_ticket_frees_the_queue_but_counts_for_the_day(core):
    t = core.issue("general", channel="phone", holder="p1")
    core.run("cancel", ticket=t.id)
    assert core.issue("general", channel="phone", holder="p1").number == "A002"


def test_a_refused_command_still_records_what_time_made_due(tmp_path, clock):
    from hall.centre import Hall
    from hall.store.sqlite import SQLiteStore
    cfg = small_center()
    cfg["queues"][0]["appointments"] = {"slots": ["10:30-11:30"], "capacity": 2}
    hall = Hall(SQLiteStore(str(tmp_path / "h.db")), clock=clock)
    hall.execute("east", "configure", {"config": cfg})
    code, _, _ = hall.execute("east", "book", {"code": "12345678", "queue": "general", "day": "2026-11-26",
                                               "slot": "10:30-11:30", "name": "张*", "phone": "138****5678",
                                               "holder": "h"})
    clock.set("2026-11-26 12:30")
    with pytest.raises(Refused) as e:
        hall.execute("east", "check-in", {"code": code})
    assert e.value.code == "appointment_missed"
    assert hall.state("east").bookings[code]["status"] == "missed"
    assert Hall(hall.store, clock=clock).state("east").bookings[code]["status"] == "missed"
