"""好差评 in the core: options checked against the level, a window of `rating_days` after the service,
what rating needs kept across days (and in snapshots), and nothing kept past the window."""
import pytest

from hall.core import CenterState, Refused, ratings
from hall.core.config import ConfigError, normalize_center
from tests.helpers import small_center
from .harness import Core

DAY = 86400


def served(core):
    t = core.issue()
    core.open(1)
    core.run("call", window=1, ticket=t.id)
    core.run("finish", window=1)
    return t.id


def refusal(core, **args):
    with pytest.raises(Refused) as e:
        core.run("evaluate", **args)
    return e.value


def test_every_level_has_options_and_only_bad_levels_require_one():
    assert set(ratings.LEVELS) == set(ratings.SCORES) == {1, 2, 3, 4, 5}
    for score in ratings.SCORES:
        assert ratings.options_of(score)
        assert ratings.check_options(score, [ratings.options_of(score)[0]]) is None
        assert (ratings.check_options(score, []) is None) == (score >= 3)


@pytest.mark.parametrize("score, options, code", [
    (2, [], "reason_required"),
    (1, ["nope"], "unknown_option"),
    (4, ["attitude_bad"], "unknown_option"),
    (2, ["done_once"], "unknown_option"),
    (2, "other", "bad_input"),
    (2, ["other", "other"], "bad_input"),
])
def test_options_are_checked(core, score, options, code):
    tid = served(core)
    e = refusal(core, ticket=tid, score=score, options=options)
    assert (e.status, e.code) == (400, code)


def test_rating_days_from_the_catalogue(clock):
    core = Core({**small_center(), "rating_days": 1}, clock)
    tid = served(core)
    clock.advance(DAY)
    core.issue()
    e = refusal(core, ticket=tid, score=5, channel="kiosk")
    assert (e.status, e.code) == (409, "rating_closed")
    clock.advance(DAY)
    core.issue()
    assert tid in core.state.rateable            # the day after the window: still known, refused
    clock.advance(2 * DAY)                       # a Monday
    core.issue()
    assert tid not in core.state.rateable


def test_rating_days_zero_means_the_same_day(clock):
    core = Core({**small_center(), "rating_days": 0}, clock)
    tid = served(core)
    clock.advance(3600)
    core.run("evaluate", ticket=tid, score=5)
    clock.advance(DAY)
    core.issue()
    assert refusal(core, ticket=tid, score=5, channel="kiosk").code == "rating_closed"


@pytest.mark.parametrize("days", [-1, 91, "7", 1.5])
def test_a_bad_rating_days_is_a_catalogue_error(days):
    with pytest.raises(ConfigError, match="rating_days"):
        normalize_center({**small_center(), "rating_days": days})


def test_yesterdays_rating_counts_on_the_day_it_was_served(core, clock):
    tid = served(core)
    day = core.state.day
    clock.advance(DAY)
    core.issue()
    core.run("evaluate", ticket=tid, score=2, options=["many_trips"], channel="evaluator")
    e = core.log[-2]
    assert e["type"] == "ticket_evaluated" and e["day"] == day and e["window"] == 1 and e["queue"] == "general"
    assert core.log[-1]["type"] == "followup_opened" and core.log[-1]["reasons"] == ["many_trips"]


def test_what_rating_needs_survives_a_snapshot(core, clock):
    tid = served(core)
    core.run("evaluate", ticket=tid, score=4, options=["efficient"])
    again = CenterState.from_dict(core.state.to_dict())
    assert again.rateable == core.state.rateable and again.rateable[tid]["rated"] == {"phone": 4}


def test_a_snapshot_from_before_the_records_still_rates_todays_tickets(core):
    """State written by a hall before rating records: today's served tickets are still rated, once."""
    tid = served(core)
    core.run("evaluate", ticket=tid, score=5)
    d = core.state.to_dict()
    del d["rateable"]
    old = CenterState.from_dict(d)
    assert ratings.record_of(old, tid)["rated"] == {"phone": 5}
