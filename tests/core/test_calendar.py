"""Opening days follow China's official calendar (the pinned `chinese-calendar`'s table, carried in
the centre's configuration): closed on public holidays, open with the working-day hours on make-up
days (调休), the centre's own closed and open dates on top, `calendar: none` to opt out.

The test centre opens Mon–Fri 08:30–12:00 and 13:30–17:30, Saturday 09:00–12:00."""
import logging
from datetime import date

import pytest

from hall import calendar, catalog
from hall.core import Refused
from hall.core.clock import closes_at, is_open
from hall.core.config import ConfigError, CenterConfig
from tests.helpers import at, small_center
from .harness import Core


def centre(**extra):
    return catalog.parse({"centers": [small_center(**extra)]})[0]


def refused_closed(core):
    with pytest.raises(Refused) as e:
        core.issue()
    return (e.value.status, e.value.code) == (503, "closed")


def test_the_pinned_package_covers_2004_to_2026():
    table = calendar.official()
    assert table["years"] == [2004, 2026]
    # the 2026 schedule (国办发明电〔2025〕7号): a few of its days
    assert table["holidays"]["2026-10-01"] == "国庆节" and table["holidays"]["2026-02-17"] == "春节"
    assert {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"} <= set(
        table["workdays"])
    assert "2026-10-08" not in table["holidays"]
    for year in range(2004, 2027):      # every year it covers has its New Year's Day and National Day
        assert table["holidays"][f"{year}-01-01"] == "元旦" and table["holidays"][f"{year}-10-01"] == "国庆节"


def test_every_official_holiday_has_its_english_name_from_the_package():
    from chinese_calendar.constants import Holiday
    names = set(calendar.official()["holidays"].values())
    # each holiday the table names comes back as the package's own English name, and only those
    assert {calendar.english(n) for n in names} == {h.value for h in Holiday}
    assert (calendar.english("国庆节"), calendar.english("春节"), calendar.english("清明节")) == (
        "National Day", "Spring Festival", "Tomb-sweeping Day")
    assert [calendar.english(x) for x in ("", None, "中心盘点")] == [None, None, None]


def test_a_make_up_saturday_opens_with_working_day_hours(clock):
    clock.set("2026-02-28 15:00")            # Saturday, a 调休 working day: the afternoon is open too
    core = Core(centre(), clock)
    assert core.issue().number == "A001"
    hours = CenterConfig.from_dict(centre()).hours
    assert closes_at(hours, at("2026-02-28 15:00"), "Asia/Shanghai") == at("2026-02-28 17:30")
    assert not is_open(hours, at("2026-02-21 15:00"), "Asia/Shanghai")       # 春节: Saturday, no make-up


def test_the_eve_of_a_holiday_is_a_working_day_and_the_holiday_is_not(clock):
    clock.set("2026-09-30 17:00")            # Wednesday before National Day
    core = Core(centre(), clock)
    assert core.issue().number == "A001"
    for day in ("2026-10-01 10:00", "2026-10-03 10:00", "2026-10-07 16:00"):    # Thu, Sat, Wed
        clock.set(day)
        assert refused_closed(core), day
    clock.set("2026-10-08 08:30")            # Thursday after: open again
    assert core.issue().number == "A001"
    clock.set("2026-10-10 16:00")            # Saturday, made up for the week off: weekday hours
    assert core.issue().number == "A001"


def test_the_centres_own_dates_come_on_top(clock):
    c = centre(closed_dates=["2026-11-27"], open_dates=["2026-11-29", "2026-10-02"])
    clock.set("2026-11-27 10:00")            # a Friday the centre closes (e.g. a move)
    core = Core(c, clock)
    assert refused_closed(core)
    clock.set("2026-11-29 15:00")            # a Sunday it opens, with the working-day hours
    assert core.issue().number == "A001"
    clock.set("2026-10-02 09:00")            # and a holiday it chose to open
    assert core.issue().number == "A001"


def test_calendar_none_follows_the_week_alone(clock):
    c = centre(calendar="none")
    assert "official_calendar" not in c
    clock.set("2026-10-01 10:00")            # National Day, a Thursday
    assert Core(c, clock).issue().number == "A001"
    clock.set("2026-02-28 15:00")            # a make-up Saturday afternoon: closed as any Saturday's
    assert refused_closed(Core(c, clock))


def test_a_centre_without_hours_stays_always_open(clock):
    c = centre(hours=None)
    assert "official_calendar" not in c
    clock.set("2026-10-01 03:00")
    assert Core(c, clock).issue().number == "A001"


def test_a_year_the_package_does_not_cover_is_a_warning(caplog):
    plain = centre(calendar="none")
    del plain["calendar"]                   # a normalized centre that has not met the table yet
    with caplog.at_level(logging.WARNING, logger="hall.calendar"):
        calendar.warn_uncovered([plain], today=date(2026, 6, 1))
    assert caplog.records == []
    with caplog.at_level(logging.WARNING, logger="hall.calendar"):
        calendar.warn_uncovered([plain, {**plain, "id": "west"}], today=date(2026, 11, 26))  # next year is due
    c = calendar.attach(plain)
    (record,) = caplog.records                  # one warning for the catalogue, not one per centre
    assert "covers 2004–2026, not 2027" in record.getMessage() and "Upgrade chinese-calendar" in record.getMessage()
    # and a day of that year follows the weekly hours only: a Friday open, 1 January 2027 too
    hours = CenterConfig.from_dict(c).hours
    assert is_open(hours, at("2027-01-01 10:00"), "Asia/Shanghai")


@pytest.mark.parametrize("extra, message", [
    ({"calendar": "lunar"}, "calendar: must be one of"),
    ({"closed_dates": ["2026-13-01"]}, "is not a date"),
    ({"open_dates": "2026-10-01"}, "open_dates"),
    ({"closed_dates": ["2026-10-02"], "open_dates": ["2026-10-02"]}, "both closed and open"),
    ({"official_calendar": {"years": [2026], "holidays": {}, "workdays": []}}, "official_calendar"),
])
def test_bad_calendar_settings_are_refused(extra, message):
    with pytest.raises(ConfigError, match=message):
        catalog.parse({"centers": [small_center(**extra)]})


def test_a_booking_on_a_closed_day_is_refused_and_on_a_make_up_day_taken(clock):
    c = centre(booking={"days_ahead": 30})
    c["queues"][0]["appointments"] = {"slots": ["09:00-10:00", "14:00-15:00"], "capacity": 2}
    clock.set("2026-09-25 10:00")
    core = Core(catalog.parse({"centers": [c]})[0], clock)

    def book(day, slot="09:00-10:00"):
        return core.run("book", code=f"{abs(hash((day, slot))) % 10**8:08d}", queue="general", day=day, slot=slot,
                        name="张*", phone="138****5678", holder="h-" + day)
    with pytest.raises(Refused) as e:
        book("2026-10-02")                  # National Day week, a Friday
    assert (e.value.status, e.value.code) == (503, "closed") and "国庆节" in e.value.message
    with pytest.raises(Refused) as e:
        book("2026-10-04")                  # an ordinary Sunday too
    assert e.value.code == "closed"
    assert book("2026-09-30")               # the eve of the holiday
    assert book("2026-10-10", "14:00-15:00")    # a make-up Saturday afternoon
