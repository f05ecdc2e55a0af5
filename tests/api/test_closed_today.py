"""The public centre answers say when a centre is closed for the whole day, which public holiday
closes it (the official calendar's name, in Chinese and English) and when it opens next — at the
edges: the eve of National Day, the holiday itself, the evening before a make-up Saturday, a plain
Sunday, a centre always open."""
import pytest

from hall import catalog
from tests.helpers import always_open, small_center


@pytest.mark.parametrize("now, open_, closed_today, holiday, next_open", [
    ("2026-09-30 10:00", True, False, None, None),                        # the eve: an ordinary working day
    ("2026-09-30 12:30", False, False, None, "2026-09-30T13:30:00+08:00"),  # its lunch break
    ("2026-09-30 18:00", False, False, None, "2026-10-08T08:30:00+08:00"),  # its evening: after the holiday
    ("2026-10-01 10:00", False, True, "国庆节", "2026-10-08T08:30:00+08:00"),
    ("2026-10-07 20:00", False, True, "国庆节", "2026-10-08T08:30:00+08:00"),
    ("2026-10-09 18:00", False, False, None, "2026-10-10T08:30:00+08:00"),  # make-up Saturday: weekday hours
    ("2026-11-29 10:00", False, True, None, "2026-11-30T08:30:00+08:00"),   # a Sunday: closed, no holiday
    ("2026-11-28 13:00", False, False, None, "2026-11-30T08:30:00+08:00"),  # Saturday afternoon
])
def test_a_closed_day_and_the_next_opening(client, clock, now, open_, closed_today, holiday, next_open):
    clock.set(now)
    c = client.get("/api/v1/centers/east").json
    assert (c["open"], c["closed_today"], c["holiday"], c["next_open"]) == (open_, closed_today, holiday, next_open)
    listed = next(x for x in client.get("/api/v1/centers").json["centers"] if x["id"] == "east")
    assert (listed["closed_today"], listed["holiday"], listed["next_open"]) == (closed_today, holiday, next_open)
    # the holiday's English name, from the package, for the English pages; nothing without a holiday
    assert c["holiday_en"] == listed["holiday_en"] == ("National Day" if holiday else None)


def test_a_centre_always_open_is_never_closed_today(app, client, clock):
    catalog.load(app.extensions["hall"], catalog.parse({"centers": [always_open(small_center("east"))]}))
    clock.set("2026-10-01 10:00")
    c = client.get("/api/v1/centers/east").json
    assert (c["open"], c["closed_today"], c["holiday"], c["next_open"]) == (True, False, None, None)
