import pytest

from hall.core import Refused
from tests.helpers import small_center
from .harness import Core


def test_numbers_count_per_queue_from_001(core):
    assert [core.issue("general").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert core.issue("police").number == "B001"


def test_issue_by_item_takes_the_item_queue(core):
    t = core.issue(None, item="id-card")
    assert (t.queue, t.item, t.number) == ("police", "id-card", "B001")


def test_item_and_queue_must_agree(core):
    with pytest.raises(Refused) as e:
        core.issue("general", item="id-card")
    assert e.value.status == 400


@pytest.mark.parametrize("args, status, code", [
    ({"queue": "nope"}, 404, "unknown_queue"),
    ({"item": "nope"}, 404, "unknown_item"),
    ({"queue": "general", "priority": "vip"}, 400, "bad_input"),
    ({"queue": "general", "channel": "fax"}, 400, "bad_input"),
    ({}, 400, "bad_input"),
])
def test_bad_issue_is_refused_and_changes_nothing(core, args, status, code):
    version = core.state.version
    with pytest.raises(Refused) as e:
        core.run("issue", **args)
    assert (e.value.status, e.value.code) == (status, code)
    assert core.state.version == version


def test_refused_outside_opening_hours(core, clock):
    clock.set("2026-11-26 12:30")          # lunch break
    with pytest.raises(Refused) as e:
        core.issue()
    assert (e.value.status, e.value.code) == (503, "closed")
    clock.set("2026-11-29 10:00")          # Sunday
    with pytest.raises(Refused):
        core.issue()
    clock.set("2026-11-28 09:30")          # Saturday morning
    assert core.issue().number == "A001"


def test_always_open_without_hours(clock):
    clock.set("2026-11-29 03:00")
    core = Core({**small_center(), "hours": None}, clock)
    assert core.issue().number == "A001"


def test_daily_quota(core):
    for _ in range(5):
        core.issue("tax")
    with pytest.raises(Refused) as e:
        core.issue("tax")
    assert (e.value.status, e.value.code) == (503, "quota_reached")


def test_numbering_and_quota_start_again_next_local_day(core, clock):
    for _ in range(5):
        core.issue("tax")
    clock.set("2026-11-27 08:31")
    assert core.issue("tax").number == "C001"


def test_local_day_turns_at_local_midnight_not_utc(clock):
    core = Core({**small_center(), "hours": None}, clock)
    clock.set("2026-11-27 07:50")          # 23:50 UTC of the 26th
    core.issue()
    clock.set("2026-11-27 08:10")          # 00:10 UTC: a new UTC day, the same Shanghai day
    assert core.issue().number == "A002"
    clock.set("2026-11-28 00:01")          # Shanghai midnight: a new day
    assert core.issue().number == "A001"


def test_new_day_expires_open_tickets_and_closes_windows(core, clock):
    waiting = core.issue()
    core.open(1)
    clock.set("2026-11-27 09:00")
    core.issue()
    started = [e for e in core.log if e["type"] == "day_started"][-1]
    assert waiting.id in started["expired"]
    assert core.ticket(waiting.id) is None
    assert core.state.windows[1].state == "closed"


def test_idempotent_issue_returns_the_same_ticket(core):
    a = core.run("issue", queue="general", idem="k1", fingerprint="f")
    b = core.run("issue", queue="general", idem="k1", fingerprint="f")
    assert a == b and core.state.issued["general"] == 1


def test_idempotency_key_for_another_request_conflicts(core):
    core.run("issue", queue="general", idem="k1", fingerprint="f")
    with pytest.raises(Refused) as e:
        core.run("issue", queue="police", idem="k1", fingerprint="g")
    assert e.value.status == 409


def test_cancel_only_waiting(core):
    t = core.issue()
    core.run("cancel", ticket=t.id)
    assert t.status == "cancelled" and core.state.waiting("general") == 0
    with pytest.raises(Refused) as e:
        core.run("cancel", ticket=t.id)
    assert e.value.status == 409
