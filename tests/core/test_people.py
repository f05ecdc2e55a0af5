"""Tickets bound to a person (a keyed hash of an ID number, made at the edge): the pure core's rules."""
from hypothesis import given, settings, strategies as st

from hall.core.errors import Refused
from hall.core.state import WAITING
from tests.core.harness import Core
from tests.helpers import Clock, small_center

PEOPLE = ["idcard:aaaaaaaaaaaaaaaaaaaa", "idcard:bbbbbbbbbbbbbbbbbbbb", "idcard:cccccccccccccccccccc"]

steps = st.lists(st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(PEOPLE + [None]), st.sampled_from(["general", "police"])),
    st.tuples(st.just("call"), st.sampled_from([1, 2, 3])),
    st.tuples(st.just("no-show"), st.sampled_from([1, 2, 3])),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("day"), st.just(None)),
), max_size=60)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_a_person_never_holds_two_waiting_tickets_in_a_queue(plan):
    clock = Clock()
    core = Core(small_center("east", hours=None), clock)
    core.open(1, 2, 3)
    for step in plan:
        clock.advance(30)
        try:
            if step[0] == "issue":
                before = [t for t in core.state.tickets.values()
                          if t.person == step[1] and t.queue == step[2] and t.status == WAITING]
                try:
                    t = core.issue(step[2], **({"person": step[1]} if step[1] else {}))
                    assert step[1] is None or not before
                    assert t.person == step[1]
                except Refused as e:
                    assert e.code in ("already_waiting", "no_show_limited"), e.code
                    if e.code == "already_waiting":
                        assert e.details() == {"number": before[0].number}
            elif step[0] == "call":
                core.run("call-next", window=step[1])
            elif step[0] == "no-show":
                core.run("no-show", window=step[1])
            elif step[0] == "cancel":
                ids = sorted(core.state.tickets)
                if ids:
                    core.run("cancel", ticket=ids[step[1] % len(ids)])
            elif step[0] == "day":
                clock.advance(86_400)
                for w in (1, 2, 3):
                    core.run("open", window=w)
        except Refused:
            pass
        for person in PEOPLE:
            for q in ("general", "police"):
                waiting = [t for t in core.state.tickets.values()
                           if t.person == person and t.queue == q and t.status == WAITING]
                assert len(waiting) <= 1


def test_no_shows_are_counted_at_the_end_of_the_day_and_a_recall_undoes_one():
    clock = Clock()
    core = Core(small_center("east", hours=None), clock)
    person = PEOPLE[0]
    core.open(1)
    t = core.issue(person=person)
    core.run("call-next", window=1)
    core.run("no-show", window=1)
    core.run("recall", window=1, ticket=t.number)         # called back the same day: served after all
    core.run("start", window=1)
    core.run("finish", window=1)
    for _ in range(3):
        core.issue(person=person)
        core.run("call-next", window=1)
        core.run("no-show", window=1)
        clock.advance(86_400)
        core.open(1)
    assert core.state.misses[person] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    try:
        core.issue(person=person)
        raise AssertionError("a person with three no-shows in 30 days took a ticket by card")
    except Refused as e:
        assert e.code == "no_show_limited" and e.status == 409
    clock.advance(31 * 86_400)
    assert core.issue(person=person).person == person
