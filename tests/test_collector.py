"""The quiet collector: full collections between broadcasts, never skipped for long."""
import gc
import weakref

from hall import collector
from hall.collector import QuietCollector


def test_a_full_collection_waits_for_a_quiet_moment(clock):
    ran = []
    c = QuietCollector(clock, lambda: ran.append(clock.now))
    clock.advance(collector.EVERY_S - 1)
    assert not c.step()                         # not yet due
    clock.advance(1)
    c.busy()                                    # a broadcast just went out
    clock.advance(collector.QUIET_S / 2)
    assert not c.step() and ran == []
    clock.advance(collector.QUIET_S / 2)
    assert c.step() and ran == [clock.now]      # quiet long enough
    assert not c.step()                         # and not again at once
    assert c.full_collections == 1


def test_a_hall_never_quiet_still_collects(clock):
    ran = []
    c = QuietCollector(clock, lambda: ran.append(clock.now))
    start = clock.now
    while clock.now < start + collector.AT_MOST_S - collector.CHECK_S:
        clock.advance(collector.CHECK_S)
        c.busy()
        assert not c.step()
    clock.advance(collector.CHECK_S)
    c.busy()
    assert c.step() and len(ran) == 1


def test_installed_python_leaves_cycles_to_it_and_it_frees_them(clock):
    before = gc.get_threshold()
    try:
        c = QuietCollector(clock)
        c.install()
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] == collector.NEVER

        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        gc.collect(1)           # still in use: it moves to the oldest generation
        del a, b
        gc.collect(1)           # the younger collections go on, and no longer reach it
        assert gone() is not None
        clock.advance(collector.AT_MOST_S)
        assert c.step()
        assert gone() is None
    finally:
        gc.set_threshold(*before)
